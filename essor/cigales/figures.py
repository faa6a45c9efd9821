"""What the solidarity finance pole achieves, for the observatory and the open data.

Only aggregates leave the module. Counts of people (members, founders, jobs) hide a small count
(1 to 4) with enough others that no subtraction gives it back (`core.disclosure`); amounts of money
are published as they are, summed over every club.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from essor.cigales.models import (
    Club,
    Contribution,
    Exit,
    FollowUp,
    Instrument,
    Investment,
    Leverage,
    Member,
    Project,
)
from essor.core.disclosure import suppress_counts, suppress_total
from essor.core.indicators import Indicator, IndicatorTable

AXIS = "Finance solidaire"
ZERO = Decimal(0)


def clubs_alive_in(year: int):
    """Clubs whose indivision ran during part of `year`."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Club.objects.filter(convention_signed_on__lte=end).filter(
        Q(ends_on__gte=start) | Q(ends_on__isnull=True)
    )


def year_figures(year: int) -> dict:
    """The pole's figures for one year (amounts in euros, people counts already protected)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    clubs = clubs_alive_in(year)
    members = (
        Member.objects.filter(club__in=clubs, joined_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .count()
    )
    saved = Contribution.objects.filter(month__range=(start, end)).aggregate(t=Sum("amount"))["t"]
    investments = Investment.objects.filter(on__range=(start, end)).aggregate(
        t=Sum("amount"), n=Count("pk"), firms=Count("project__organisation", distinct=True)
    )
    recovered = Exit.objects.filter(on__range=(start, end)).aggregate(t=Sum("recovered"))["t"]
    leveraged = Leverage.objects.filter(on__range=(start, end)).aggregate(t=Sum("amount"))["t"]
    return {
        "year": year,
        "clubs": clubs.count(),
        "members": suppress_total(members) if members else 0,
        "saved": saved or ZERO,
        "invested": investments["t"] or ZERO,
        "investments": investments["n"],
        "enterprises": investments["firms"],
        "recovered": recovered or ZERO,
        "leveraged": leveraged or ZERO,
    }


def summary_table(year: int) -> IndicatorTable:
    figures = year_figures(year)
    return IndicatorTable(
        columns=["Mesure", "Valeur"],
        rows=[
            ["Clubs CIGALES en activité", figures["clubs"]],
            ["Membres (cigaliers)", figures["members"]],
            ["Épargne versée dans l'année (€)", figures["saved"]],
            ["Montants investis dans l'année (€)", figures["invested"]],
            ["Entreprises financées dans l'année", figures["enterprises"]],
            ["Montants récupérés dans l'année (€)", figures["recovered"]],
            ["Financements levés à côté des clubs (€)", figures["leveraged"]],
        ],
        row_keys=[
            "clubs",
            "members",
            "saved",
            "invested",
            "enterprises",
            "recovered",
            "leveraged",
        ],
        note="Épargne enregistrée par les trésoriers des clubs (Essor ne manipule pas d'argent). "
        "Un nombre de membres de 1 à 4 est masqué (secret statistique).",
        chart="none",
    )


def by_instrument_table(year: int) -> IndicatorTable:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    found = {
        row["instrument"]: row
        for row in Investment.objects.filter(on__range=(start, end))
        .values("instrument")
        .annotate(total=Sum("amount"), n=Count("pk"))
    }
    return IndicatorTable(
        columns=["Instrument", "Montant investi (€)", "Investissements"],
        rows=[
            [label, found.get(value, {}).get("total") or ZERO, found.get(value, {}).get("n", 0)]
            for value, label in Instrument.choices
        ],
        row_keys=list(Instrument.values),
        note="Montants investis par les clubs dans l'année, par instrument.",
    )


def jobs_table(year: int) -> IndicatorTable:
    """Jobs created or kept in the enterprises financed, as their latest follow-up of the year
    says (or as declared at the investment, before any follow-up)."""
    end = datetime.date(year, 12, 31)
    latest = FollowUp.objects.filter(
        project=OuterRef("pk"), on__lte=end, jobs__isnull=False
    ).order_by("-on", "-pk")
    financed = Investment.objects.filter(on__lte=end).values("project")
    totals = {"qpv": 0, "other": 0}
    rows = (
        Project.objects.filter(pk__in=financed)
        .annotate(followed=Subquery(latest.values("jobs")[:1]))
        .values_list("jobs_declared", "followed", "in_priority_neighbourhood")
        .order_by()
    )
    for declared, followed, qpv in rows:
        totals["qpv" if qpv else "other"] += followed if followed is not None else declared
    shown = suppress_counts([totals["qpv"], totals["other"]])
    rows = [
        ["Entreprises en quartier prioritaire (QPV)", shown[0]],
        ["Autres entreprises", shown[1]],
    ]
    return IndicatorTable(
        columns=["Entreprises financées", "Emplois créés ou maintenus"],
        rows=rows,
        row_keys=["qpv", "other"],
        note="Emplois déclarés à l'investissement, mis à jour à chaque suivi annuel des parrains. "
        "Un effectif de 1 à 4 est masqué (secret statistique).",
    )


def founders_table(year: int) -> IndicatorTable:
    """Founders' profile, counted only for the projects whose founders consented."""
    end = datetime.date(year, 12, 31)
    financed = Project.objects.filter(investments__on__lte=end).values("pk")
    sums = Project.objects.filter(founders_consent=True, pk__in=financed).aggregate(
        women=Sum("founders_women"),
        men=Sum("founders_men"),
        young=Sum("founders_under_30"),
        seekers=Sum("founders_job_seekers"),
    )
    women, men = sums["women"] or 0, sums["men"] or 0
    shown = suppress_counts([women, men])
    return IndicatorTable(
        columns=["Profil des porteurs de projet", "Personnes"],
        rows=[
            ["Femmes", shown[0]],
            ["Hommes", shown[1]],
            ["Moins de 30 ans", suppress_total(sums["young"] or 0) if sums["young"] else 0],
            [
                "Demandeurs d'emploi au montage du projet",
                suppress_total(sums["seekers"] or 0) if sums["seekers"] else 0,
            ],
        ],
        row_keys=["women", "men", "under_30", "job_seekers"],
        note="Seuls les projets dont les porteurs ont consenti à cette statistique sont comptés. "
        "Un effectif de 1 à 4 est masqué (secret statistique).",
    )


def open_data_rows(first_year: int, last_year: int) -> list[dict]:
    return [year_figures(year) for year in range(first_year, last_year + 1)]


def first_year() -> int | None:
    first = Club.objects.exclude(convention_signed_on__isnull=True).order_by("convention_signed_on")
    day = first.values_list("convention_signed_on", flat=True).first()
    return day.year if day else None


INDICATORS = [
    Indicator(
        key="cigales.summary",
        module="cigales",
        axis=AXIS,
        label="Les clubs CIGALES en chiffres",
        compute=summary_table,
        order=10,
        tags=("personnes",),
    ),
    Indicator(
        key="cigales.by_instrument",
        module="cigales",
        axis=AXIS,
        label="Investissements des clubs CIGALES par instrument",
        compute=by_instrument_table,
        unit="€",
        order=20,
    ),
    Indicator(
        key="cigales.jobs",
        module="cigales",
        axis=AXIS,
        label="Emplois créés ou maintenus dans les entreprises financées par les CIGALES",
        compute=jobs_table,
        unit="emplois",
        order=30,
        tags=("personnes",),
    ),
    Indicator(
        key="cigales.founders",
        module="cigales",
        axis=AXIS,
        label="Profil des porteurs de projet financés par les CIGALES",
        compute=founders_table,
        unit="personnes",
        order=40,
        tags=("personnes",),
    ),
]
