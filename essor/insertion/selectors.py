"""Reads of the insertion module: lists for the SIAE's staff, and the indicators (SQL aggregates,
a constant number of queries whatever the number of participants), with statistical secrecy for
everyone outside the SIAE."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

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
    people: int | None = None
    entries: int | None = None
    exits_total: int | None = None
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


def _counts(values: list[int], secret: bool) -> list[int | None]:
    return disclosure.suppress_counts(values) if secret else list(values)


def _total(value: int, secret: bool) -> int | None:
    return disclosure.suppress_total(value) if secret else value


def _share(part, whole, secret: bool):
    if part is None or whole is None or not whole:
        return None
    return disclosure.share(part, whole) if secret else formats.percentage(part, whole, 1)


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


def _profile_conditions(year: int) -> dict[str, Q]:
    return {
        "women": Q(sex=Sex.FEMALE),
        "under_26": Q(birth_year__gt=year - 26),
        "over_50": Q(birth_year__lte=year - 50),
        "rsa": Q(rsa=True),
        "long_term": Q(long_term_unemployed=True),
        "qpv": Q(qpv_resident=True),
        "rqth": Q(rqth=True),
        "low_qualification": Q(education_level__in=LOW_QUALIFICATION),
    }


def _add(target: dict, key, values: dict) -> None:
    row = target.setdefault(key, {})
    for name, value in values.items():
        row[name] = row.get(name, 0) + (value or 0)


def compute_indicators(
    *, siaes: QuerySet[Siae], year: int, commune_id: int | None = None, secret: bool = True
) -> Indicators:
    """Every indicator of the year for a set of SIAE (and optionally the people living in one
    commune). Eight grouped SQL queries whatever the number of participants: each groups by
    SIAE (at most a few hundred rows), and the territory, kind and SIAE figures are summed from
    those rows."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    reference = reference_yearly_hours()
    today = timezone.localdate()
    result = Indicators(year=year, secret=secret)

    # 1. The SIAE in scope (names and kinds for the breakdowns).
    siae_rows = list(
        siaes.order_by("organisation__name").values_list("pk", "organisation__name", "kind")
    )
    kind_of = {pk: kind for pk, _, kind in siae_rows}
    siae_ids = list(kind_of)
    participants = Participant.objects.filter(siae_id__in=siae_ids)
    # The same scope, seen from a row that points to a participant (a join, not a subquery).
    through = Q(participant__siae_id__in=siae_ids)
    if commune_id:
        participants = participants.filter(commune_id=commune_id)
        through &= Q(participant__commune_id=commune_id)
    in_year = Q(entry_date__lte=end) & (Q(last_day__isnull=True) | Q(last_day__gte=start))
    employed = participants.filter(in_year)
    employed_through = (
        through
        & Q(participant__entry_date__lte=end)
        & (Q(participant__last_day__isnull=True) | Q(participant__last_day__gte=start))
    )

    # 2. People employed, entries and profile, by SIAE.
    conditions = _profile_conditions(year)
    people_by_siae: dict[int, dict] = {}
    for row in (
        employed.values("siae_id")
        .annotate(
            people=Count("pk"),
            entries=Count("pk", filter=Q(entry_date__gte=start)),
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        )
        .order_by()
    ):
        people_by_siae[row.pop("siae_id")] = row
    totals: dict = {}
    for row in people_by_siae.values():
        _add(totals, "all", row)
    totals = totals.get("all", {})
    people = totals.get("people", 0)
    result.people = _total(people, secret)
    entries = totals.get("entries", 0)
    result.entries = _counts([entries, people - entries], secret)[0]
    for name, label in PROFILE_LABELS.items():
        count = _counts([totals.get(name, 0), people - totals.get(name, 0)], secret)[0]
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

    # 3. Exits by SIAE and category.
    exits_by_siae: dict[int, dict] = {}
    for siae_id, category, count in (
        Exit.objects.filter(through, date__gte=start, date__lte=end)
        .values_list("participant__siae_id", "category")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        exits_by_siae.setdefault(siae_id, {})[category] = count
    by_category: dict = {}
    for row in exits_by_siae.values():
        _add(by_category, "all", row)
    by_category = by_category.get("all", {})
    raw = [by_category.get(key, 0) for key in ExitCategory.values]
    result.exits = list(
        zip(ExitCategory.values, ExitCategory.labels, _counts(raw, secret), strict=True)
    )
    result.exits_total = _total(sum(raw), secret)
    dynamic = sum(by_category.get(key, 0) for key in DYNAMIC_EXIT_CATEGORIES)
    other = by_category.get(ExitCategory.OTHER, 0)
    result.dynamic_exits, result.other_exits = _counts([dynamic, other], secret)
    result.dynamic_rate = _share(result.dynamic_exits, _total(dynamic + other, secret), secret)

    # 4. Hours by SIAE and month, and the conventioned FTE of the annexes in force.
    hours_rows = MonthlyHours.objects.filter(month__gte=start, month__lte=end)
    hours_rows = (
        # A commune holds few people: start from them (unique index participant + month).
        hours_rows.filter(participant__in=participants.values("pk"))
        if commune_id
        else hours_rows.filter(siae_id__in=siae_ids)
    )
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

    # 5. Barriers and support of the people employed (one barrier of a kind per person).
    barrier_counts: dict[int, dict[str, int]] = {}
    for type_id, support, count in (
        Barrier.objects.filter(employed_through)
        .values_list("barrier_type_id", "support")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        barrier_counts.setdefault(type_id, {})[support] = count
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

    # 6. Trainings started in the year.
    training = Training.objects.filter(through, start__gte=start, start__lte=end).aggregate(
        hours=Sum("hours"), people=Count("participant", distinct=True)
    )
    result.trained_people = _total(training["people"], secret)
    result.training_hours = (
        (training["hours"] or Decimal("0")) if result.trained_people is not None else None
    )

    # 7. Breakdowns by SIAE and by kind, summed from the rows above.
    by_kind_people: dict = {}
    by_kind_exits: dict = {}
    by_kind_hours: dict = {}
    for siae_id, kind in kind_of.items():
        _add(by_kind_people, kind, {"people": people_by_siae.get(siae_id, {}).get("people", 0)})
        _add(by_kind_exits, kind, exits_by_siae.get(siae_id, {}))
        _add(by_kind_hours, kind, {"hours": hours_by_siae.get(siae_id, Decimal("0"))})
    result.by_siae = _breakdown(
        [(pk, f"{name} ({kind})") for pk, name, kind in siae_rows],
        {pk: row.get("people", 0) for pk, row in people_by_siae.items()},
        exits_by_siae,
        hours_by_siae,
        secret,
        reference,
    )
    result.by_kind = _breakdown(
        [(value, label) for value, label in SiaeKind.choices if value in by_kind_people],
        {kind: row["people"] for kind, row in by_kind_people.items()},
        by_kind_exits,
        {kind: row["hours"] for kind, row in by_kind_hours.items()},
        secret,
        reference,
    )
    return result


def _breakdown(rows, people, exits, hours, secret, reference) -> list[dict]:
    """Rows of a breakdown (by SIAE or by kind), each column under secrecy."""

    def counted_of(key):
        return sum(exits.get(key, {}).get(c, 0) for c in COUNTED_EXIT_CATEGORIES)

    def dynamic_of(key):
        return sum(exits.get(key, {}).get(c, 0) for c in DYNAMIC_EXIT_CATEGORIES)

    people_shown = _counts([people.get(key, 0) for key, _ in rows], secret)
    counted_shown = _counts([counted_of(key) for key, _ in rows], secret)
    output = []
    for (key, label), people_count, counted in zip(rows, people_shown, counted_shown, strict=True):
        dynamic_count = _counts([dynamic_of(key), counted_of(key) - dynamic_of(key)], secret)[0]
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
                "fte_worked": formats.round_half_up(hours_sum / reference, 2),
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
