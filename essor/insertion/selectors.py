"""Reads of the insertion module: lists for the SIAE's staff, and the indicators (SQL aggregates,
a constant number of queries whatever the number of participants), with statistical secrecy for
everyone outside the SIAE."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from essor.core import formats
from essor.core.indicators import IndicatorTable
from essor.insertion import secrecy
from essor.insertion.models import (
    COUNTED_EXIT_CATEGORIES,
    BarrierType,
    Contract,
    ExitCategory,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    Siae,
    SiaeKind,
    SupportKind,
    reference_yearly_hours,
)

MONTHS = range(1, 13)
MONTH_ABBREVIATIONS = formats.month_abbreviations()  # « janv. », « févr. »…


# Lists for the SIAE's staff ---------------------------------------------------------------------


PARTICIPANT_STATUSES = {"": "Tous", "en-parcours": "En parcours", "sortis": "Sortis"}


def participants_of(siae: Siae, status: str = "") -> QuerySet[Participant]:
    """The SIAE's participants with their exit (one query), in a pathway or out of it."""
    participants = Participant.objects.filter(siae=siae)
    if status == "en-parcours":
        participants = participants.filter(exit__isnull=True)
    elif status == "sortis":
        participants = participants.filter(exit__isnull=False)
    return participants.select_related("exit").order_by("code")


def participant_record(participant_id: int) -> Participant:
    return (
        Participant.objects.select_related("siae__organisation", "commune", "exit")
        .prefetch_related("contracts__annex", "barriers__barrier_type", "trainings")
        .get(pk=participant_id)
    )


def participants_in_month(siae: Siae, month: datetime.date) -> list[Participant]:
    """Participants under contract during `month`, with the hours already entered."""
    month_end = _month_end(month)
    under_contract = Contract.objects.filter(
        participant=OuterRef("pk"), start__lte=month_end
    ).filter(Q(end__isnull=True) | Q(end__gte=month))
    hours = MonthlyHours.objects.filter(participant=OuterRef("pk"), month=month).values("hours")
    return list(
        Participant.objects.filter(siae=siae)
        .filter(Q(Exists(under_contract)) | Q(Exists(hours)))
        .annotate(month_hours=Subquery(hours[:1]))
        .order_by("code")
    )


def participant_data(participant: Participant) -> dict:
    """Everything the platform holds on one person (right of access), as plain values."""
    exit_ = getattr(participant, "exit", None) if hasattr(participant, "exit") else None
    return {
        "structure": participant.siae.organisation.name,
        "pseudonyme": participant.code,
        "prenom": participant.first_name,
        "nom": participant.last_name,
        "sexe": participant.get_sex_display(),
        "annee_naissance": participant.birth_year,
        "niveau_formation": participant.get_education_level_display(),
        "rsa": participant.rsa,
        "ass": participant.ass,
        "aah": participant.aah,
        "rqth": participant.rqth,
        "demandeur_emploi_longue_duree": participant.long_term_unemployed,
        "residence_qpv": participant.qpv_resident,
        "commune": participant.commune.name if participant.commune else "",
        "observations": participant.notes,
        "anonymise_le": participant.anonymised_at or "",
        "contrats": [
            {
                "debut": c.start.isoformat(),
                "fin": c.end.isoformat() if c.end else "",
                "heures_hebdomadaires": str(c.weekly_hours),
                "annexe": c.annex.number,
            }
            for c in participant.contracts.all()
        ],
        "freins": [
            {
                "frein": b.barrier_type.name,
                "constate_le": b.identified_on.isoformat(),
                "accompagnement": b.get_support_display(),
                "leve": b.resolved,
                "precision": b.note,
            }
            for b in participant.barriers.all()
        ],
        "formations": [
            {"intitule": t.title, "debut": t.start.isoformat(), "heures": str(t.hours)}
            for t in participant.trainings.all()
        ],
        "heures_mensuelles": [
            {"mois": h.month.strftime("%Y-%m"), "heures": str(h.hours)}
            for h in participant.hours.order_by("month")
        ],
        "sortie": (
            {
                "date": exit_.date.isoformat(),
                "categorie": exit_.get_category_display(),
                "precision": exit_.detail,
            }
            if exit_
            else None
        ),
    }


# Indicators -------------------------------------------------------------------------------------


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


@dataclass
class Indicators:
    year: int
    secret: bool
    siae_ids: frozenset = frozenset()  # the SIAE the figures are about
    commune_id: int | None = None  # the commune of residence, or None for every one
    people: int | None = None
    entries: int | None = None
    exits_total: int | None = None  # counted exits: withdrawals (« retraits ») left out
    exits: list[tuple[str, str, int | None]] = field(default_factory=list)  # key, label, count
    dynamic_exits: int | None = None
    other_exits: int | None = None
    dynamic_rate: Decimal | None = None
    fte_conventioned: Decimal = Decimal("0")
    fte_worked: Decimal = Decimal("0")
    hours_total: Decimal = Decimal("0")
    months: list[dict] = field(default_factory=list)
    profile: list[dict] = field(default_factory=list)
    barriers: list[dict] = field(default_factory=list)
    trained_people: int | None = None
    training_hours: Decimal | None = None
    by_siae: list[dict] = field(default_factory=list)
    by_kind: list[dict] = field(default_factory=list)


def _ratio(part: int | None, whole: int | None) -> Decimal | None:
    """A percentage of two published counts (a share of a hidden count would give it back)."""
    if part is None or whole is None or not whole:
        return None
    return formats.percentage(part, whole, 1)


def conventioned_by_month(annexes: list[dict], year: int) -> list[Decimal]:
    """Conventioned FTE (monthly figure) in force each month: the annexes covering the month,
    an amended annex giving way to its amendment from the amendment's start."""
    result = []
    for month in MONTHS:
        first = datetime.date(year, month, 1)
        last = _month_end(first)
        active = [a for a in annexes if a["start"] <= last and a["end"] >= first]
        amended = {a["amends_id"] for a in active if a["amends_id"]}
        result.append(
            sum((a["conventioned_fte"] for a in active if a["id"] not in amended), Decimal("0"))
        )
    return result


PROFILE_LABELS = {
    "women": "Femmes",
    "under_26": "Moins de 26 ans",
    "over_50": "50 ans et plus",
    "rsa": "Bénéficiaires du RSA",
    "long_term": "Demandeurs d'emploi longue durée",
    "qpv": "Résidents d'un QPV",
    "rqth": "Travailleurs handicapés (RQTH)",
    "low_qualification": "Niveau inférieur au bac",
}

COMMUNE_NOT_PUBLISHED = (
    "Les chiffres par commune de résidence ne sont publiés que pour tout le territoire ou pour "
    "un type de SIAE : une commune croisée avec une SIAE ou une sélection de SIAE compte trop "
    "peu de personnes (secret statistique)."
)


def commune_view_allowed(*, siaes: QuerySet[Siae], secret: bool) -> bool:
    """Under secrecy, a commune of residence is shown for the territory or one kind only."""
    if not secret:
        return True
    ids = frozenset(siaes.values_list("pk", flat=True))
    kinds: dict[str, set[int]] = {}
    for pk, kind in Siae.objects.values_list("pk", "kind"):
        kinds.setdefault(kind, set()).add(pk)
    everyone = frozenset(pk for members in kinds.values() for pk in members)
    return bool(ids) and (ids == everyone or ids in {frozenset(m) for m in kinds.values()})


def compute_indicators(
    *, siaes: QuerySet[Siae], year: int, commune_id: int | None = None, secret: bool = True
) -> Indicators:
    """Every indicator of the year for a set of SIAE (and optionally the people living in one
    commune). The counts of people come from the year's counts of every SIAE by commune
    (`secrecy.year_counts`, a constant number of grouped queries); under secrecy, they are read
    from the year's single protected pattern, so that no page, filter or file gives a hidden
    count back. Hours come from their own grouped queries."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reference = reference_yearly_hours()
    today = timezone.localdate()
    siae_rows = list(
        siaes.order_by("organisation__name").values_list("pk", "organisation__name", "kind")
    )
    siae_ids = [pk for pk, _, _ in siae_rows]
    scope = frozenset(siae_ids)
    result = Indicators(year=year, secret=secret, siae_ids=scope, commune_id=commune_id)
    commune = commune_id if commune_id else secrecy.ALL_COMMUNES
    counts = secrecy.year_counts(year)

    if secret:
        published = secrecy.catalogue(counts)
        figures = secrecy.protected_figures(counts, published)

        def figure(group: frozenset, name: str, place=commune) -> int | None:
            if not group:
                return 0
            if not published.publishes(group, place):
                return None  # not a published group: nothing is shown rather than a guess
            return figures.shown((group, place, name))

    else:

        def figure(group: frozenset, name: str, place=commune) -> int | None:
            return counts.values(group, place)[name]

    def within(total: int | None, value: int | None) -> int | None:
        # The breakdown of a hidden group is hidden whole: even a zero would say something
        # about each of its few people (« none of them is under 26 »).
        return None if total is None else value

    # 1. People, entries, profile.
    result.people = figure(scope, "people")
    result.entries = within(result.people, figure(scope, "entries"))
    for key, label in PROFILE_LABELS.items():
        count = within(result.people, figure(scope, key))
        result.profile.append(
            {"key": key, "label": label, "count": count, "share": _ratio(count, result.people)}
        )

    # 2. Exits (withdrawals are not counted exits).
    result.exits_total = figure(scope, "exits")
    result.exits = [
        (
            category.value,
            category.label,
            within(result.exits_total, figure(scope, secrecy.exit_key(category.value))),
        )
        for category in ExitCategory
        if category in COUNTED_EXIT_CATEGORIES
    ]
    result.dynamic_exits = within(result.exits_total, figure(scope, "exits_dynamic"))
    result.other_exits = within(
        result.exits_total, figure(scope, secrecy.exit_key(ExitCategory.OTHER))
    )
    result.dynamic_rate = _ratio(result.dynamic_exits, result.exits_total)

    # 3. Hours by SIAE and month, and the conventioned FTE of the annexes in force.
    hours_rows = MonthlyHours.objects.filter(month__gte=start, month__lte=end)
    if commune_id:
        # A commune holds few people: start from them (unique index participant + month).
        people_there = Participant.objects.filter(siae_id__in=siae_ids, commune_id=commune_id)
        hours_rows = hours_rows.filter(participant__in=people_there.values("pk"))
    else:
        hours_rows = hours_rows.filter(siae_id__in=siae_ids)
    hours_by_month: dict[int, Decimal] = {}
    hours_by_siae: dict[int, Decimal] = {}
    for siae_id, month, hours in (
        hours_rows.values_list("siae_id", "month").annotate(h=Sum("hours")).order_by()
    ):
        hours_by_month[month.month] = hours_by_month.get(month.month, Decimal("0")) + hours
        hours_by_siae[siae_id] = hours_by_siae.get(siae_id, Decimal("0")) + hours
    annexes = list(
        FinancialAnnex.objects.filter(siae_id__in=siae_ids, start__lte=end, end__gte=start).values(
            "id", "amends_id", "start", "end", "conventioned_fte"
        )
    )
    conventioned = conventioned_by_month(annexes, year)
    monthly_reference = reference / 12
    for month in MONTHS:
        hours = hours_by_month.get(month, Decimal("0"))
        worked = formats.round_half_up(hours / monthly_reference, 2)
        planned = conventioned[month - 1]
        result.months.append(
            {
                "key": f"{year}-{month:02d}",
                "label": formats.month_label(year, month),
                "hours": hours,
                "conventioned": planned,
                "worked": worked,
                "gap": worked - planned,
                # Highlighted: a month over, more than 10 % under the conventioned posts.
                "under": _month_end(datetime.date(year, month, 1)) < today
                and planned > 0
                and worked < planned * Decimal("0.9"),
            }
        )
    result.hours_total = sum(hours_by_month.values(), Decimal("0"))
    result.fte_worked = formats.round_half_up(result.hours_total / reference, 2)
    result.fte_conventioned = formats.round_half_up(sum(conventioned, Decimal("0")) / 12, 2)

    # 4. Barriers and support of the people employed (one barrier of a kind per person).
    for barrier_type in BarrierType.objects.all():
        slug = barrier_type.slug
        people = figure(scope, secrecy.barrier_key(slug))
        parts = [
            within(people, figure(scope, secrecy.barrier_key(slug, kind)))
            for kind in SupportKind.values
        ]
        result.barriers.append(
            {
                "key": slug,
                "label": barrier_type.name,
                "people": people,
                "none": parts[0],
                "internal": parts[1],
                "external": parts[2],
            }
        )

    # 5. Trainings started in the year.
    result.trained_people = figure(scope, "trained")
    result.training_hours = (
        Decimal(counts.hours_of_training(scope, commune))
        if result.trained_people is not None
        else None
    )

    # 6. Breakdowns by kind and by SIAE: the same figures as the kind's and the SIAE's own
    # pages. By commune, only the kinds are published (one SIAE in one commune is too few).
    def breakdown(group: frozenset, key: str, label: str, hours: Decimal) -> dict:
        exits = figure(group, "exits")
        dynamic = within(exits, figure(group, "exits_dynamic"))
        return {
            "key": key,
            "label": label,
            "people": figure(group, "people"),
            "exits": exits,
            "dynamic": dynamic,
            "rate": _ratio(dynamic, exits),
            "hours": hours,
            "fte_worked": formats.round_half_up(hours / reference, 2),
        }

    for kind, label in SiaeKind.choices:
        members = frozenset(pk for pk, _, siae_kind in siae_rows if siae_kind == kind)
        if members:
            hours = sum((hours_by_siae.get(pk, Decimal("0")) for pk in members), Decimal("0"))
            result.by_kind.append(breakdown(members, kind, label, hours))
    if not (secret and commune_id):
        result.by_siae = [
            breakdown(
                frozenset([pk]), str(pk), f"{name} ({kind})", hours_by_siae.get(pk, Decimal("0"))
            )
            for pk, name, kind in siae_rows
        ]
    return result


# Tables for the page, the XLSX export and the observatory ------------------------------------------


def summary_table(data: Indicators) -> IndicatorTable:
    return IndicatorTable(
        columns=["Indicateur", "Valeur"],
        rows=[
            ["Personnes salariées dans l'année", data.people],
            ["Entrées dans l'année", data.entries],
            ["Sorties constatées", data.exits_total],
            ["Sorties dynamiques", data.dynamic_exits],
            ["Taux de sortie dynamique (%)", data.dynamic_rate],
            ["ETP conventionnés (moyenne annuelle)", data.fte_conventioned],
            ["ETP travaillés", data.fte_worked],
            ["Heures travaillées", data.hours_total],
            ["Personnes formées", data.trained_people],
            ["Heures de formation", data.training_hours],
        ],
        row_keys=[
            "people",
            "entries",
            "exits",
            "dynamic_exits",
            "dynamic_rate",
            "fte_conventioned",
            "fte_worked",
            "hours",
            "trained_people",
            "training_hours",
        ],
        chart="none",
    )


SECRECY_NOTE = (
    "Secret statistique : les effectifs de 1 à 4 personnes sont masqués (« s »), ainsi que "
    "ceux qui permettraient de les retrouver par différence."
)


def exits_table(data: Indicators) -> IndicatorTable:
    return IndicatorTable(
        columns=["Catégorie de sortie", "Personnes"],
        rows=[[label, count] for _, label, count in data.exits],
        row_keys=[key for key, _, _ in data.exits],
        note=(
            "Taux de sortie dynamique = (emploi durable + emploi de transition + sortie positive) "
            "/ sorties constatées hors retraits. " + SECRECY_NOTE
        ),
    )


def fte_table(data: Indicators) -> IndicatorTable:
    return IndicatorTable(
        columns=["Mois", "ETP conventionnés", "ETP travaillés", "Écart"],
        rows=[[m["label"], m["conventioned"], m["worked"], m["gap"]] for m in data.months],
        row_keys=[m["key"] for m in data.months],
        note=(
            "ETP travaillés du mois = heures du mois / (heures annuelles de référence / 12) ; "
            f"référence : {formats.number(reference_yearly_hours())} heures par an."
        ),
        chart="none",
    )


def profile_table(data: Indicators) -> IndicatorTable:
    return IndicatorTable(
        columns=["Caractéristique", "Personnes", "Part (%)"],
        rows=[[p["label"], p["count"], p["share"]] for p in data.profile],
        row_keys=[p["key"] for p in data.profile],
        note=SECRECY_NOTE,
    )


def barriers_table(data: Indicators) -> IndicatorTable:
    return IndicatorTable(
        columns=[
            "Frein",
            "Personnes",
            "Sans accompagnement",
            "Accompagnées par la SIAE",
            "Orientées vers un partenaire",
        ],
        rows=[
            [b["label"], b["people"], b["none"], b["internal"], b["external"]]
            for b in data.barriers
        ],
        row_keys=[b["key"] for b in data.barriers],
        note=SECRECY_NOTE,
    )


def breakdown_table(rows: list[dict], first: str) -> IndicatorTable:
    return IndicatorTable(
        columns=[
            first,
            "Personnes salariées",
            "Sorties constatées",
            "Sorties dynamiques",
            "Taux de sortie dynamique (%)",
            "ETP travaillés",
        ],
        rows=[
            [r["label"], r["people"], r["exits"], r["dynamic"], r["rate"], r["fte_worked"]]
            for r in rows
        ],
        row_keys=[r["key"] for r in rows],
        note=SECRECY_NOTE,
    )


def all_tables(data: Indicators, *, with_siaes: bool) -> list[tuple[str, IndicatorTable]]:
    tables = [
        ("Synthèse", summary_table(data)),
        ("Sorties", exits_table(data)),
        ("ETP par mois", fte_table(data)),
        ("Profil des personnes", profile_table(data)),
        ("Freins et accompagnement", barriers_table(data)),
        ("Par type de SIAE", breakdown_table(data.by_kind, "Type de SIAE")),
    ]
    if with_siaes:
        tables.append(("Par SIAE", breakdown_table(data.by_siae, "SIAE")))
    return tables


# Public indicators of the territory (observatory) -------------------------------------------------


def _territory(year: int) -> Indicators:
    return compute_indicators(siaes=Siae.objects.all(), year=year, secret=True)


def indicator_people_by_kind(year: int) -> IndicatorTable:
    return breakdown_table(_territory(year).by_kind, "Type de SIAE")


def indicator_exits(year: int) -> IndicatorTable:
    return exits_table(_territory(year))


def indicator_fte(year: int) -> IndicatorTable:
    return fte_table(_territory(year))


def indicator_profile(year: int) -> IndicatorTable:
    return profile_table(_territory(year))
