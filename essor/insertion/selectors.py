"""Reads of the insertion module: lists for the SIAE's staff, and the indicators (SQL aggregates,
a constant number of queries whatever the number of participants), with statistical secrecy for
everyone outside the SIAE."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery, Sum

from essor.core import disclosure, formats
from essor.core.indicators import IndicatorTable
from essor.insertion.models import (
    COUNTED_EXIT_CATEGORIES,
    DYNAMIC_EXIT_CATEGORIES,
    LOW_QUALIFICATION,
    Barrier,
    BarrierType,
    Contract,
    Exit,
    ExitCategory,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    Sex,
    Siae,
    SiaeKind,
    SupportKind,
    Training,
    reference_yearly_hours,
)

MONTHS = range(1, 13)
MONTH_ABBREVIATIONS = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]


# Lists for the SIAE's staff ---------------------------------------------------------------------


def participants_of(siae: Siae) -> QuerySet[Participant]:
    """The SIAE's participants with their first contract start and exit (one query)."""
    return (
        Participant.objects.filter(siae=siae)
        .annotate(first_start=Min("contracts__start"))
        .select_related("exit")
        .order_by("code")
    )


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
        "anonymise_le": participant.anonymised_at.isoformat() if participant.anonymised_at else "",
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
    people: int | None = None
    entries: int | None = None
    exits_total: int | None = None
    exits: list[tuple[str, str, int | None]] = field(default_factory=list)  # key, label, count
    dynamic_exits: int | None = None
    other_exits: int | None = None
    dynamic_rate: float | None = None
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


def _counts(values: list[int], secret: bool) -> list[int | None]:
    return disclosure.suppress_counts(values) if secret else list(values)


def _total(value: int, secret: bool) -> int | None:
    return disclosure.suppress_total(value) if secret else value


def _share(part, whole, secret: bool):
    if part is None or whole is None or not whole:
        return None
    return disclosure.share(part, whole) if secret else round(100 * part / whole, 1)


def _employed(participants: QuerySet, start: datetime.date, end: datetime.date) -> QuerySet:
    under_contract = Contract.objects.filter(participant=OuterRef("pk"), start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=start)
    )
    return participants.filter(Exists(under_contract))


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


def compute_indicators(
    *, siaes: QuerySet[Siae], year: int, commune_id: int | None = None, secret: bool = True
) -> Indicators:
    """Every indicator of the year for a set of SIAE (and optionally the people living in one
    commune). About a dozen queries, whatever the number of participants."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reference = reference_yearly_hours()
    participants = Participant.objects.filter(siae__in=siaes)
    if commune_id:
        participants = participants.filter(commune_id=commune_id)
    employed = _employed(participants, start, end)
    first_start = (
        Contract.objects.filter(participant=OuterRef("pk")).order_by("start").values("start")[:1]
    )
    entry = Q(first_start__gte=start, first_start__lte=end)
    result = Indicators(year=year, secret=secret)

    # 1. People employed, entries and profile: one aggregate.
    profile_fields = {
        "women": Q(sex=Sex.FEMALE),
        "under_26": Q(birth_year__gt=year - 26),
        "over_50": Q(birth_year__lte=year - 50),
        "rsa": Q(rsa=True),
        "long_term": Q(long_term_unemployed=True),
        "qpv": Q(qpv_resident=True),
        "rqth": Q(rqth=True),
        "low_qualification": Q(education_level__in=LOW_QUALIFICATION),
    }
    aggregate = employed.annotate(first_start=Subquery(first_start)).aggregate(
        people=Count("pk"),
        entries=Count("pk", filter=entry),
        **{name: Count("pk", filter=condition) for name, condition in profile_fields.items()},
    )
    people = aggregate["people"]
    result.people = _total(people, secret)
    result.entries = _counts([aggregate["entries"], people - aggregate["entries"]], secret)[0]
    labels = {
        "women": "Femmes",
        "under_26": "Moins de 26 ans",
        "over_50": "50 ans et plus",
        "rsa": "Bénéficiaires du RSA",
        "long_term": "Demandeurs d'emploi de longue durée",
        "qpv": "Résidents d'un quartier prioritaire (QPV)",
        "rqth": "Travailleurs handicapés (RQTH)",
        "low_qualification": "Niveau de formation inférieur au bac",
    }
    for name, label in labels.items():
        count = _counts([aggregate[name], people - aggregate[name]], secret)[0]
        if result.people is None:
            count = None
        result.profile.append(
            {
                "key": name,
                "label": label,
                "count": count,
                "share": _share(count, result.people, secret),
            }
        )

    # 2. Exits by category.
    exits = Exit.objects.filter(participant__in=participants, date__gte=start, date__lte=end)
    by_category = dict(exits.values_list("category").annotate(n=Count("pk")).order_by())
    raw = [by_category.get(key, 0) for key in ExitCategory.values]
    shown = _counts(raw, secret)
    result.exits = list(zip(ExitCategory.values, ExitCategory.labels, shown, strict=True))
    result.exits_total = _total(sum(raw), secret)
    dynamic = sum(by_category.get(key, 0) for key in DYNAMIC_EXIT_CATEGORIES)
    other = by_category.get(ExitCategory.OTHER, 0)
    result.dynamic_exits, result.other_exits = _counts([dynamic, other], secret)
    counted = _total(dynamic + other, secret)
    result.dynamic_rate = _share(result.dynamic_exits, counted, secret)

    # 3. Hours by month, and the conventioned FTE of the annexes in force.
    hours_rows = MonthlyHours.objects.filter(month__gte=start, month__lte=end)
    hours_rows = (
        hours_rows.filter(participant__in=participants)
        if commune_id
        else hours_rows.filter(siae__in=siaes)
    )
    hours_by_month = {
        row["month"].month: row["hours"]
        for row in hours_rows.values("month").annotate(hours=Sum("hours")).order_by()
    }
    annexes = list(
        FinancialAnnex.objects.filter(siae__in=siaes, start__lte=end, end__gte=start).values(
            "id", "amends_id", "start", "end", "conventioned_fte"
        )
    )
    conventioned = conventioned_by_month(annexes, year)
    monthly_reference = reference / 12
    for month in MONTHS:
        hours = hours_by_month.get(month, Decimal("0"))
        worked = (hours / monthly_reference).quantize(Decimal("0.01"))
        planned = conventioned[month - 1]
        gap = worked - planned
        result.months.append(
            {
                "key": f"{year}-{month:02d}",
                "label": formats.month_label(year, month),
                "hours": hours,
                "conventioned": planned,
                "worked": worked,
                "gap": gap,
                # Highlighted: more than 10 % under the conventioned posts.
                "under": planned > 0 and worked < planned * Decimal("0.9"),
            }
        )
    result.hours_total = sum(hours_by_month.values(), Decimal("0"))
    result.fte_worked = (result.hours_total / reference).quantize(Decimal("0.01"))
    result.fte_conventioned = (sum(conventioned, Decimal("0")) / 12).quantize(Decimal("0.01"))

    # 4. Barriers and support (people employed in the year).
    barrier_counts: dict[int, dict[str, int]] = {}
    for row in (
        Barrier.objects.filter(participant__in=employed)
        .values("barrier_type_id", "support")
        .annotate(n=Count("participant", distinct=True))
        .order_by()
    ):
        barrier_counts.setdefault(row["barrier_type_id"], {})[row["support"]] = row["n"]
    for barrier_type in BarrierType.objects.all():
        counts = barrier_counts.get(barrier_type.pk, {})
        parts = [counts.get(kind, 0) for kind in SupportKind.values]
        total = _total(sum(parts), secret)
        shown_parts = _counts(parts, secret) if total is not None else [None] * len(parts)
        result.barriers.append(
            {
                "key": barrier_type.slug,
                "label": barrier_type.name,
                "people": total,
                "none": shown_parts[0],
                "internal": shown_parts[1],
                "external": shown_parts[2],
            }
        )

    # 5. Trainings started in the year.
    training = Training.objects.filter(
        participant__in=participants, start__gte=start, start__lte=end
    ).aggregate(hours=Sum("hours"), people=Count("participant", distinct=True))
    result.trained_people = _total(training["people"], secret)
    result.training_hours = (
        (training["hours"] or Decimal("0")) if result.trained_people is not None else None
    )

    # 6. Breakdowns by SIAE and by kind.
    result.by_siae = _breakdown(
        employed, exits, hours_rows, siaes, "siae_id", "participant__siae_id", secret, reference
    )
    result.by_kind = _breakdown(
        employed,
        exits,
        hours_rows,
        siaes,
        "siae__kind",
        "participant__siae__kind",
        secret,
        reference,
    )
    return result


def _breakdown(employed, exits, hours_rows, siaes, group, exit_group, secret, reference):
    people = dict(employed.values_list(group).annotate(n=Count("pk")).order_by())
    dynamic = Q(category__in=DYNAMIC_EXIT_CATEGORIES)
    exit_counts = {
        row[exit_group]: row
        for row in exits.filter(category__in=COUNTED_EXIT_CATEGORIES)
        .values(exit_group)
        .annotate(counted=Count("pk"), dynamic=Count("pk", filter=dynamic))
        .order_by()
    }
    hours = dict(hours_rows.values_list(group).annotate(h=Sum("hours")).order_by())
    if group == "siae_id":
        keys = list(
            siaes.order_by("organisation__name").values_list("pk", "organisation__name", "kind")
        )
        rows = [(pk, f"{name} ({kind})") for pk, name, kind in keys]
    else:
        present = set(siaes.values_list("kind", flat=True).distinct())
        rows = [(value, label) for value, label in SiaeKind.choices if value in present]
    people_shown = _counts([people.get(key, 0) for key, _ in rows], secret)
    counted_raw = [exit_counts.get(key, {}).get("counted", 0) for key, _ in rows]
    counted_shown = _counts(counted_raw, secret)
    output = []
    for (key, label), people_count, counted in zip(rows, people_shown, counted_shown, strict=True):
        raw = exit_counts.get(key, {})
        dynamic_count, _ = _counts(
            [raw.get("dynamic", 0), raw.get("counted", 0) - raw.get("dynamic", 0)], secret
        )
        if counted is None:
            dynamic_count = None
        hours_sum = hours.get(key) or Decimal("0")
        output.append(
            {
                "key": str(key),
                "label": label,
                "people": people_count,
                "exits": counted,
                "dynamic": dynamic_count,
                "rate": _share(dynamic_count, counted, secret),
                "hours": hours_sum,
                "fte_worked": (hours_sum / reference).quantize(Decimal("0.01")),
            }
        )
    return output


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
    "Secret statistique : les effectifs de 1 à 4 personnes sont masqués (« < 5 »), ainsi que "
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
