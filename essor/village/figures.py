"""After the event: what visitors discovered. Counts of passports are counts of people: a small
one (1 to 4) is hidden, with enough others that no subtraction from a published total gives it
back (`core.disclosure`). Times are Paris times."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate

from essor.core.disclosure import share, suppress_counts, suppress_total
from essor.core.formats import long_date
from essor.core.indicators import Indicator, IndicatorTable
from essor.village.models import Edition, Passport, Stamp
from essor.village.selectors import plan, routes

AXIS = "Village des solidarités"


@dataclass(frozen=True)
class StandFigures:
    number: int
    zone: str
    exhibitor: str
    visitors: int | None  # hidden when small
    right_share: object  # percentage of right answers, or None


def stand_figures(edition: Edition) -> list[StandFigures]:
    counts = {
        row["stand"]: row
        for row in Stamp.objects.filter(stand__edition=edition)
        .values("stand")
        .annotate(
            visitors=Count("id"),
            answered=Count("id", filter=Q(is_right__isnull=False)),
            right=Count("id", filter=Q(is_right=True)),
        )
    }
    placed = plan(edition)
    raw = [counts.get(item.stand.pk, {}).get("visitors", 0) for item in placed]
    shown = suppress_counts(raw)
    figures = []
    for item, visitors in zip(placed, shown, strict=True):
        row = counts.get(item.stand.pk, {})
        figures.append(
            StandFigures(
                number=item.stand.number,
                zone=item.stand.zone.name,
                exhibitor=item.exhibitor,
                visitors=visitors,
                right_share=share(row.get("right", 0), row.get("answered", 0)),
            )
        )
    return figures


def stamps_by_hour(edition: Edition) -> list[tuple[str, int | None]]:
    rows = list(
        Stamp.objects.filter(stand__edition=edition)
        .annotate(day=TruncDate("stamped_at"), hour=ExtractHour("stamped_at"))
        .values("day", "hour")
        .annotate(stamps=Count("id"))
        .order_by("day", "hour")
    )
    shown = suppress_counts([row["stamps"] for row in rows])
    return [
        (f"{long_date(row['day'])}, {row['hour']} h", count)
        for row, count in zip(rows, shown, strict=True)
    ]


def routes_followed(edition: Edition) -> list[tuple[str, int | None]]:
    """For each themed route, the passports stamped at every one of its stands."""
    results = []
    for route in routes(edition):
        stand_ids = [stop.stand_id for stop in route.stops.all()]
        complete = (
            Passport.objects.filter(edition=edition, stamps__stand_id__in=stand_ids)
            .annotate(done=Count("stamps", distinct=True))
            .filter(done=len(stand_ids))
            .count()
        )
        results.append((route.name, suppress_total(complete) if complete else 0))
    return results


def summary(edition: Edition) -> dict:
    passports = edition.passports.count()
    stamps = Stamp.objects.filter(stand__edition=edition).count()
    return {
        "passports": suppress_total(passports) if passports else 0,
        "stamps": stamps,
        "per_passport": round(stamps / passports, 1) if passports >= 5 else None,
        "entries": suppress_total(edition.passports.filter(entry__isnull=False).count()),
    }


# --- Indicators for the observatory ------------------------------------------------------------


def _edition_of(year: int) -> Edition | None:
    return (
        Edition.objects.filter(is_published=True, starts_on__year=year)
        .order_by("-starts_on")
        .first()
    )


def visitors_by_stand_table(year: int) -> IndicatorTable:
    edition = _edition_of(year)
    rows = []
    if edition is not None:
        rows = [
            [f"Stand {item.number} — {item.exhibitor or 'libre'}", item.visitors]
            for item in stand_figures(edition)
        ]
    return IndicatorTable(
        columns=["Stand", "Visiteurs (passeports tamponnés)"],
        rows=rows,
        note="Un passeport tamponné au stand compte pour un visiteur. Les nombres de 1 à 4 sont "
        "masqués (secret statistique), avec ce qu'il faut d'autres pour qu'aucun ne se "
        "déduise du total.",
    )


def summary_table(year: int) -> IndicatorTable:
    edition = _edition_of(year)
    figures = summary(edition) if edition else {"passports": 0, "stamps": 0, "entries": 0}
    return IndicatorTable(
        columns=["Mesure", "Nombre"],
        rows=[
            ["Passeports des solidarités", figures["passports"]],
            ["Tampons reçus", figures["stamps"]],
            ["Participants au tirage au sort", figures["entries"]],
        ],
        note="Le passeport est pseudonyme : un visiteur qui en prend deux compte deux fois.",
        chart="none",
    )


INDICATORS = [
    Indicator(
        key="village.summary",
        module="village",
        axis=AXIS,
        label="Le Village des solidarités en chiffres",
        compute=summary_table,
        order=10,
    ),
    Indicator(
        key="village.visitors_by_stand",
        module="village",
        axis=AXIS,
        label="Visiteurs par stand du Village des solidarités",
        compute=visitors_by_stand_table,
        unit="visiteurs",
        order=20,
        tags=("personnes",),
    ),
]
