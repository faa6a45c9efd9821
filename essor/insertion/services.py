"""Writes of the insertion module. Every function is keyword-only, atomic, and logs to the audit
log; the audit label of a participant is its pseudonym, never its name."""

import calendar
import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.text import slugify

from essor.core import audit, csvfiles, formats, workflow
from essor.core.validators import validate_no_nir
from essor.insertion.models import (
    MAX_WEEKLY_HOURS,
    Barrier,
    BarrierType,
    Contract,
    Exit,
    ExitCategory,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    Siae,
    Training,
    retention_months,
)

PARTICIPANT_FIELDS = [
    "first_name",
    "last_name",
    "sex",
    "birth_year",
    "education_level",
    "rsa",
    "ass",
    "aah",
    "rqth",
    "long_term_unemployed",
    "qpv_resident",
    "commune",
    "notes",
]
ANNEX_FIELDS = [
    "number",
    "amends",
    "start",
    "end",
    "conventioned_fte",
    "amount_state",
    "amount_departement",
    "amount_cud",
    "amount_other",
]


def _values(instance, fields) -> dict:
    return {name: getattr(instance, name) for name in fields}


def _lock(model, pk):
    return model.objects.select_for_update(of=("self",)).get(pk=pk)


# SIAE and annexes ----------------------------------------------------------------------------


@transaction.atomic
def create_siae(*, actor, organisation, kind: str, convention_reference: str = "", funders=()):
    siae = Siae(organisation=organisation, kind=kind, convention_reference=convention_reference)
    siae.full_clean()
    siae.save()
    siae.funders.set(funders)
    audit.record(
        actor=actor,
        action="insertion.siae.create",
        target=siae,
        changes={"kind": [None, kind], "funders": [None, [f.pk for f in funders]]},
    )
    return siae


@transaction.atomic
def update_siae(*, actor, siae: Siae, kind: str, convention_reference: str, funders) -> Siae:
    siae = _lock(Siae, siae.pk)
    before = {
        "kind": siae.kind,
        "convention_reference": siae.convention_reference,
        "funders": sorted(siae.funders.values_list("pk", flat=True)),
    }
    siae.kind, siae.convention_reference = kind, convention_reference
    siae.full_clean()
    siae.save()
    siae.funders.set(funders)
    after = {
        "kind": kind,
        "convention_reference": convention_reference,
        "funders": sorted(f.pk for f in funders),
    }
    audit.record(
        actor=actor, action="insertion.siae.update", target=siae, changes=audit.diff(before, after)
    )
    return siae


@transaction.atomic
def save_annex(*, actor, siae: Siae, data: dict, annex: FinancialAnnex | None = None):
    """Creates or updates a yearly annex. Its number must start with the SIAE's kind; an
    amendment amends an annex of the same SIAE."""
    _lock(Siae, siae.pk)
    before = _values(annex, ANNEX_FIELDS) if annex else {}
    annex = annex or FinancialAnnex(siae=siae)
    for name, value in data.items():
        setattr(annex, name, value)
    annex.full_clean()
    errors: dict[str, list[str]] = {}
    prefix = re.match(r"[A-Z]*", annex.number).group(0)
    if prefix != siae.kind:
        errors["number"] = [f"Le numéro d'une annexe de cette SIAE commence par {siae.kind}."]
    if annex.amends_id and annex.amends.siae_id != siae.pk:
        errors["amends"] = ["L'annexe modifiée doit appartenir à la même SIAE."]
    if annex.amends_id and annex.amends_id == annex.pk:
        errors["amends"] = ["Une annexe ne peut se modifier elle-même."]
    overlapping = (
        FinancialAnnex.objects.filter(siae=siae, start__lte=annex.end, end__gte=annex.start)
        .exclude(pk=annex.pk)
        .exclude(pk=annex.amends_id)
        .exclude(amends_id__isnull=False, amends_id=annex.pk)
        .first()
    )
    if overlapping is not None:
        errors.setdefault("start", []).append(
            f"Cette période chevauche l'annexe {overlapping.number} "
            f"(du {formats.long_date(overlapping.start)} au {formats.long_date(overlapping.end)}) : "
            "s'il s'agit d'un avenant, indiquez l'annexe qu'il modifie."
        )
    if errors:
        raise ValidationError(errors)
    created = annex.pk is None
    annex.save()
    audit.record(
        actor=actor,
        action="insertion.annex.create" if created else "insertion.annex.update",
        target=annex,
        changes=audit.diff(before, _values(annex, ANNEX_FIELDS)),
    )
    return annex


# Configurable list of barriers ---------------------------------------------------------------


@transaction.atomic
def add_barrier_type(*, actor, name: str) -> BarrierType:
    name = name.strip()
    slug = slugify(name)[:40]
    if not slug:
        raise ValidationError({"name": "Indiquez le libellé du frein."})
    if BarrierType.objects.filter(Q(slug=slug) | Q(name__iexact=name)).exists():
        raise ValidationError({"name": f"Le frein « {name} » existe déjà."})
    position = (BarrierType.objects.aggregate(last=Max("position"))["last"] or 0) + 1
    barrier_type = BarrierType(slug=slug, name=name, position=position)
    barrier_type.full_clean()
    barrier_type.save()
    audit.record(actor=actor, action="insertion.barrier_type.create", target=barrier_type)
    return barrier_type


@transaction.atomic
def set_barrier_type_active(*, actor, barrier_type: BarrierType, active: bool) -> BarrierType:
    """A type is withdrawn from the forms, never deleted: past barriers keep it."""
    BarrierType.objects.filter(pk=barrier_type.pk).update(is_active=active)
    barrier_type.refresh_from_db()
    audit.record(
        actor=actor,
        action="insertion.barrier_type.update",
        target=barrier_type,
        changes={"is_active": [not active, active]},
    )
    return barrier_type


# Participants ---------------------------------------------------------------------------------


def _next_code(siae: Siae) -> str:
    codes = Participant.objects.filter(siae=siae, code__startswith="SAL-").values_list(
        "code", flat=True
    )
    numbers = [int(code[4:]) for code in codes if code[4:].isdigit()]
    return f"SAL-{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def create_participant(*, actor, siae: Siae, data: dict) -> Participant:
    """A new participant with the next pseudonym of the SIAE (SAL-0001, SAL-0002…)."""
    siae = _lock(Siae, siae.pk)  # two simultaneous creations never get the same code
    participant = Participant(siae=siae, code=_next_code(siae), **data)
    participant.full_clean()
    participant.save()
    audit.record(actor=actor, action="insertion.participant.create", target=participant)
    return participant


@transaction.atomic
def update_participant(*, actor, participant: Participant, data: dict) -> Participant:
    participant = _lock(Participant, participant.pk)
    if participant.anonymised_at:
        raise ValidationError("Ce salarié a été anonymisé : sa fiche ne peut plus être modifiée.")
    before = _values(participant, PARTICIPANT_FIELDS)
    for name, value in data.items():
        setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    changed = audit.diff(before, _values(participant, PARTICIPANT_FIELDS))
    # The log says which fields changed, never their personal values.
    audit.record(
        actor=actor,
        action="insertion.participant.update",
        target=participant,
        changes={name: ["…", "…"] for name in changed},
    )
    return participant


def log_participant_read(*, actor, participant: Participant, what: str = "fiche") -> None:
    """Every read of a participant's record is logged (who, when, which record)."""
    audit.record(
        actor=actor,
        action="insertion.participant.read",
        target=participant,
        message=f"Consultation : {what}",
    )


def log_list_read(*, actor, siae: Siae, what: str) -> None:
    """A page listing the SIAE's participants by name (list, monthly hours) is logged too."""
    audit.record(actor=actor, action="insertion.participant.list", target=siae, message=what)


def _annex_covering(siae_id: int, day: datetime.date) -> FinancialAnnex | None:
    annexes = FinancialAnnex.objects.filter(siae_id=siae_id, start__lte=day, end__gte=day)
    # The latest amendment in force that day.
    return annexes.order_by("-start", "-number").first()


def refresh_pathway_dates(participant: Participant) -> None:
    """Keeps `entry_date` and `last_day` in step with the participant's contracts."""
    span = participant.contracts.aggregate(
        first=Min("start"), last=Max("end"), running=Count("pk", filter=Q(end__isnull=True))
    )
    Participant.objects.filter(pk=participant.pk).update(
        entry_date=span["first"], last_day=None if span["running"] else span["last"]
    )


def _check_contract(participant, start, end, *, exclude_pk=None) -> FinancialAnnex | None:
    """The annex covering the contract's start; raises the reasons why the contract cannot be."""
    errors: dict[str, list[str]] = {}
    if end is not None and end < start:
        errors.setdefault("end", []).append("La fin du contrat doit suivre son début.")
    annex = _annex_covering(participant.siae_id, start)
    if annex is None:
        errors.setdefault("start", []).append(
            "Aucune annexe financière de la SIAE ne couvre le "
            f"{formats.long_date(start)} : saisissez d'abord l'annexe de cette période."
        )
    overlapping = (
        participant.contracts.filter(
            Q(end__isnull=True) | Q(end__gte=start), **({"start__lte": end} if end else {})
        )
        .exclude(pk=exclude_pk)
        .first()
    )
    if overlapping is not None:
        until = f" au {formats.long_date(overlapping.end)}" if overlapping.end else " (sans fin)"
        errors.setdefault("start", []).append(
            "Ce contrat chevauche celui du "
            f"{formats.long_date(overlapping.start)}{until} pour la même personne."
        )
    exit_ = Exit.objects.filter(participant=participant).first()
    if exit_ is not None and (start > exit_.date or (end is None or end > exit_.date)):
        errors.setdefault("end", []).append(
            f"La sortie est enregistrée au {formats.long_date(exit_.date)} : "
            "le contrat doit finir au plus tard ce jour-là."
        )
    if errors:
        raise ValidationError(errors)
    return annex


@transaction.atomic
def add_contract(
    *,
    actor,
    participant: Participant,
    start: datetime.date,
    end: datetime.date | None,
    weekly_hours: Decimal,
) -> Contract:
    """A contract inside an annex of the SIAE, not overlapping another contract of the same
    person, before the exit if there is one. The participant's row is locked so that two
    simultaneous additions cannot overlap."""
    participant = _lock(Participant, participant.pk)
    annex = _check_contract(participant, start, end)
    contract = Contract(
        participant=participant, annex=annex, start=start, end=end, weekly_hours=weekly_hours
    )
    contract.full_clean()
    contract.save()
    refresh_pathway_dates(participant)
    audit.record(
        actor=actor,
        action="insertion.contract.create",
        target=participant,
        changes={"start": [None, start], "end": [None, end], "weekly_hours": [None, weekly_hours]},
    )
    return contract


@transaction.atomic
def update_contract(
    *,
    actor,
    contract: Contract,
    start: datetime.date,
    end: datetime.date | None,
    weekly_hours: Decimal,
) -> Contract:
    """Corrects a contract (its end when it stops or is renewed), under the same rules."""
    participant = _lock(Participant, contract.participant_id)
    contract = Contract.objects.get(pk=contract.pk)
    before = {"start": contract.start, "end": contract.end, "weekly_hours": contract.weekly_hours}
    contract.annex = _check_contract(participant, start, end, exclude_pk=contract.pk)
    contract.start, contract.end, contract.weekly_hours = start, end, weekly_hours
    contract.full_clean()
    contract.save()
    refresh_pathway_dates(participant)
    audit.record(
        actor=actor,
        action="insertion.contract.update",
        target=participant,
        changes=audit.diff(before, {"start": start, "end": end, "weekly_hours": weekly_hours}),
    )
    return contract


@transaction.atomic
def record_exit(
    *, actor, participant: Participant, date: datetime.date, category: str, detail: str = ""
) -> Exit:
    participant = _lock(Participant, participant.pk)
    errors: dict[str, list[str]] = {}
    if category not in ExitCategory.values:
        errors["category"] = [
            f"Catégorie de sortie inconnue : « {category} ». Choisissez parmi : "
            + ", ".join(label for label in ExitCategory.labels)
            + "."
        ]
    first = participant.contracts.order_by("start").first()
    if first is None:
        errors.setdefault("date", []).append(
            "Aucun contrat n'est enregistré : une sortie suit au moins un contrat."
        )
    elif date < first.start:
        errors.setdefault("date", []).append(
            f"La sortie ne peut précéder le début du premier contrat ({formats.long_date(first.start)})."
        )
    if errors:
        raise ValidationError(errors)
    exit_ = Exit.objects.filter(participant=participant).first() or Exit(participant=participant)
    exit_.date, exit_.category, exit_.detail = date, category, detail
    exit_.full_clean()
    exit_.save()
    # Ongoing contracts end with the pathway.
    participant.contracts.filter(Q(end__isnull=True) | Q(end__gt=date)).update(end=date)
    refresh_pathway_dates(participant)
    audit.record(
        actor=actor,
        action="insertion.exit.create",
        target=participant,
        changes={"date": [None, date], "category": [None, category]},
    )
    return exit_


@transaction.atomic
def add_barrier(*, actor, participant: Participant, data: dict) -> Barrier:
    _lock(Participant, participant.pk)
    barrier = Barrier(participant=participant, **data)
    barrier.full_clean()
    barrier.save()
    audit.record(
        actor=actor,
        action="insertion.barrier.create",
        target=participant,
        changes={"barrier": [None, barrier.barrier_type.name], "support": [None, barrier.support]},
    )
    return barrier


@transaction.atomic
def update_barrier(*, actor, barrier: Barrier, data: dict) -> Barrier:
    """The support given evolves: a barrier is followed, then lifted."""
    _lock(Participant, barrier.participant_id)
    barrier = Barrier.objects.select_related("barrier_type").get(pk=barrier.pk)
    fields = ["identified_on", "support", "resolved", "note"]
    before = {name: getattr(barrier, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(barrier, name, data[name])
    barrier.full_clean()
    barrier.save()
    changes = audit.diff(before, {name: getattr(barrier, name) for name in fields})
    changes.pop("note", None)  # free text stays out of the log
    audit.record(
        actor=actor,
        action="insertion.barrier.update",
        target=barrier.participant,
        changes={"barrier": [barrier.barrier_type.name, barrier.barrier_type.name], **changes},
    )
    return barrier


@transaction.atomic
def add_training(*, actor, participant: Participant, data: dict) -> Training:
    _lock(Participant, participant.pk)
    training = Training(participant=participant, **data)
    training.full_clean()
    training.save()
    audit.record(
        actor=actor,
        action="insertion.training.create",
        target=participant,
        changes={"hours": [None, training.hours]},
    )
    return training


# Hours ----------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def covered_days(spans: list[tuple], month: datetime.date) -> tuple[int, list[tuple]]:
    """The calendar days of `month` covered by the contracts (start, end or None), both ends
    included, and the contracts that cover some of them."""
    first, last = first_of_month(month), _month_end(month)
    days: set[datetime.date] = set()
    covering = []
    for start, end in sorted(spans):
        begin, finish = max(start, first), min(end or last, last)
        if begin <= finish:
            covering.append((start, end))
            days.update(
                begin + datetime.timedelta(days=n) for n in range((finish - begin).days + 1)
            )
    return len(days), covering


def hours_capacity(days: int) -> Decimal:
    """The most hours `days` calendar days hold at 48 hours a week."""
    return (Decimal(days) * MAX_WEEKLY_HOURS / 7).quantize(Decimal("0.01"))


def _contracts_label(spans: list[tuple]) -> str:
    def one(start, end):
        until = f" au {formats.long_date(end)}" if end else " (sans fin)"
        return f"du {formats.long_date(start)}{until}"

    if len(spans) == 1:
        return "le contrat " + one(*spans[0])
    return "les contrats " + ", ".join(one(*span) for span in spans[:-1]) + " et " + one(*spans[-1])


def check_month_hours(month: datetime.date, hours: Decimal, spans: list[tuple]) -> str | None:
    """The French reason why these hours cannot be worked in that month under these contracts
    (48 hours a week over the days of the month they cover), or None."""
    if hours < 0:
        return "le nombre d'heures ne peut être négatif."
    days, covering = covered_days(spans, month)
    if not covering:
        return None  # no contract that month: said by the caller, about the month
    capacity = hours_capacity(days)
    if hours > capacity:
        return (
            f"{formats.number(hours, 2)} heures dépassent ce que permet "
            f"{_contracts_label(covering)} en {formats.month_label(month.year, month.month)} : "
            f"{days} jours couverts, soit {formats.number(capacity, 2)} heures au plus "
            "(48 heures par semaine)."
        )
    return None


def contract_spans(siae_id: int) -> dict[int, list[tuple]]:
    """(start, end) of every contract of the SIAE's participants, by participant."""
    spans: dict[int, list[tuple]] = {}
    for participant_id, start, end in Contract.objects.filter(
        participant__siae_id=siae_id
    ).values_list("participant_id", "start", "end"):
        spans.setdefault(participant_id, []).append((start, end))
    return spans


def _under_contract(spans: list[tuple], month: datetime.date) -> bool:
    return bool(covered_days(spans, month)[1])


NO_CONTRACT = "aucun contrat de ce salarié ne couvre {month} : saisissez d'abord le contrat."


def _upsert_hours(siae_id: int, entries: list[tuple[int, datetime.date, Decimal]]) -> int:
    """Writes (participant, month, hours) rows; an existing month is replaced."""
    existing = {
        (row.participant_id, row.month): row
        for row in MonthlyHours.objects.select_for_update(of=("self",)).filter(
            participant_id__in={entry[0] for entry in entries},
            month__in={entry[1] for entry in entries},
        )
    }
    to_create, to_update = [], []
    for participant_id, month, hours in entries:
        row = existing.get((participant_id, month))
        if row is None:
            to_create.append(
                MonthlyHours(
                    participant_id=participant_id, siae_id=siae_id, month=month, hours=hours
                )
            )
        elif row.hours != hours:
            row.hours = hours
            to_update.append(row)
    try:
        MonthlyHours.objects.bulk_create(to_create)
    except IntegrityError as error:  # a simultaneous entry of the same month
        raise ValidationError(
            "Ces heures viennent d'être saisies par une autre personne : rechargez la page."
        ) from error
    MonthlyHours.objects.bulk_update(to_update, ["hours", "updated_at"])
    return len(to_create) + len(to_update)


@transaction.atomic
def save_month_hours(*, actor, siae: Siae, month: datetime.date, hours: dict) -> int:
    """`hours` maps participant ids (of this SIAE) to the hours of `month`; None skips one."""
    month = first_of_month(month)
    siae = _lock(Siae, siae.pk)
    known = set(Participant.objects.filter(siae=siae, pk__in=hours).values_list("pk", flat=True))
    spans = contract_spans(siae.pk)
    errors = {}
    entries = []
    for participant_id, value in hours.items():
        if value is None:
            continue
        if participant_id not in known:
            errors[str(participant_id)] = "Ce salarié n'appartient pas à la SIAE."
            continue
        if value > 0 and not _under_contract(spans.get(participant_id, []), month):
            label = formats.month_label(month.year, month.month)
            errors[str(participant_id)] = "A" + NO_CONTRACT.format(month=label)[1:]
            continue
        reason = check_month_hours(month, value, spans.get(participant_id, []))
        if reason:
            errors[str(participant_id)] = reason[0].upper() + reason[1:]
            continue
        entries.append((participant_id, month, value))
    if errors:
        raise ValidationError(errors)
    count = _upsert_hours(siae.pk, entries)
    audit.record(
        actor=actor,
        action="insertion.hours.save",
        target=siae,
        message=f"Heures de {formats.month_label(month.year, month.month)} : "
        f"{formats.counted(count, 'ligne')}.",
    )
    return count


HOURS_CSV_COLUMNS = ("pseudonyme", "mois", "heures")


@dataclass
class HoursImportResult:
    rows: int = 0
    saved: int = 0
    errors: list[str] | None = None

    @property
    def unchanged(self) -> int:
        """Lines read whose hours were already recorded as they are (nothing to write)."""
        return self.rows - self.saved

    @property
    def summary(self) -> str:
        """« 12 lignes lues : 4 enregistrées, 8 lignes identiques à l'existant, laissées telles
        quelles. »: what a re-imported template did not change is said, not left to guess."""
        saved = (
            f"{formats.number(self.saved)} {formats.plural(self.saved, 'enregistrée')}"
            if self.saved
            else "aucune enregistrée"
        )
        text = f"{formats.counted(self.rows, 'ligne')} {formats.plural(self.rows, 'lue')} : {saved}"
        if self.unchanged:
            text += (
                f", {formats.counted(self.unchanged, 'ligne identique', 'lignes identiques')} "
                f"à l'existant, "
                + formats.plural(self.unchanged, "laissée telle quelle", "laissées telles quelles")
            )
        return text + "."


def _parse_month(text: str) -> datetime.date | None:
    text = text.strip()
    for pattern in ("%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return first_of_month(datetime.datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    return None


def _parse_hours(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace("\u202f", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    # What the column holds (4 digits before the decimal point); the monthly cap says the rest.
    return value if value.is_finite() and value.adjusted() < 4 else None


def import_hours_csv(*, actor, siae: Siae, content: bytes) -> HoursImportResult:
    """Imports monthly hours from a CSV (`pseudonyme;mois;heures`, month as AAAA-MM).

    All or nothing: when a line or a cell is wrong, nothing is saved and the result lists one
    French message per wrong line and cell."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError:
            return HoursImportResult(errors=["Le fichier n'est pas un fichier texte (CSV)."])
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [cell.strip().lower() for cell in csvfiles.header(reader)]
    except csvfiles.UnreadableCsv as error:
        return HoursImportResult(errors=[error.message])
    missing = [column for column in HOURS_CSV_COLUMNS if column not in header]
    if missing:
        return HoursImportResult(
            errors=[
                "Ligne 1 : "
                + formats.plural(len(missing), "colonne manquante", "colonnes manquantes")
                + " : "
                + ", ".join(f"« {column} »" for column in missing)
                + ". L'en-tête attendu est : pseudonyme;mois;heures."
            ]
        )
    index = {column: header.index(column) for column in HOURS_CSV_COLUMNS}
    codes = dict(Participant.objects.filter(siae=siae).values_list("code", "pk"))
    spans = contract_spans(siae.pk)
    errors: list[str] = []
    entries: dict[tuple[int, datetime.date], tuple[int, Decimal]] = {}
    rows = 0
    try:
        for line_number, row in csvfiles.numbered_rows(reader):
            if not any(cell.strip() for cell in row):
                continue
            cells = {column: (row[i] if i < len(row) else "") for column, i in index.items()}
            if not cells["heures"].strip():
                continue  # hours not known yet (a line of the template left empty)
            rows += 1
            code = cells["pseudonyme"].strip()
            participant_id = codes.get(code)
            if not code:
                errors.append(f"Ligne {line_number}, colonne « pseudonyme » : valeur manquante.")
            elif participant_id is None:
                errors.append(
                    f"Ligne {line_number}, colonne « pseudonyme » : « {code} » n'est pas un "
                    "salarié de cette SIAE."
                )
            month = _parse_month(cells["mois"])
            if month is None:
                errors.append(
                    f"Ligne {line_number}, colonne « mois » : « {cells['mois'].strip()} » n'est pas "
                    "un mois au format AAAA-MM (par exemple 2026-03)."
                )
            hours = _parse_hours(cells["heures"])
            if hours is None:
                errors.append(
                    f"Ligne {line_number}, colonne « heures » : « {cells['heures'].strip()} » n'est "
                    "pas un nombre d'heures (par exemple 121,5)."
                )
            elif (
                month is not None
                and participant_id is not None
                and (reason := check_month_hours(month, hours, spans.get(participant_id, [])))
            ):
                errors.append(f"Ligne {line_number}, colonne « heures » : {reason}")
            elif (
                month is not None
                and participant_id is not None
                and hours > 0
                and not _under_contract(spans.get(participant_id, []), month)
            ):
                label = formats.month_label(month.year, month.month)
                errors.append(
                    f"Ligne {line_number}, colonne « mois » : " + NO_CONTRACT.format(month=label)
                )
            if participant_id is not None and month is not None and hours is not None:
                key = (participant_id, month)
                if key in entries:
                    errors.append(
                        f"Ligne {line_number} : les heures de {code} pour "
                        f"{formats.month_label(month.year, month.month)} figurent déjà à la ligne "
                        f"{entries[key][0]}."
                    )
                else:
                    entries[key] = (line_number, hours)
    except csvfiles.UnreadableCsv as error:
        errors.append(error.message)
    if rows == 0 and not errors:
        errors.append("Le fichier ne contient aucune ligne d'heures.")
    if errors:
        return HoursImportResult(rows=rows, errors=errors)
    with transaction.atomic():
        _lock(Siae, siae.pk)
        saved = _upsert_hours(
            siae.pk, [(pid, month, hours) for (pid, month), (_, hours) in entries.items()]
        )
        result = HoursImportResult(rows=rows, saved=saved, errors=[])
        audit.record(
            actor=actor,
            action="insertion.hours.import",
            target=siae,
            message="Import CSV : " + result.summary,
        )
    return result


# Privacy: erasure and retention ---------------------------------------------------------------


def _anonymise(participant: Participant, now) -> None:
    """Removes what identifies the person; keeps the categorical facts the counts need."""
    Participant.objects.filter(pk=participant.pk).update(
        first_name="", last_name="", notes="", commune=None, anonymised_at=now
    )
    participant.barriers.update(note="")
    participant.trainings.update(title="Formation")
    Exit.objects.filter(participant=participant).update(detail="")


@transaction.atomic
def erase_participant(*, actor, participant: Participant, reason: str) -> Participant:
    """Right to erasure: the personal details go now, with what the audit log and the transition
    log copied of them (reasons, changes); the anonymous facts (sex, year of birth, hours, exit
    category…) stay in the counts and can no longer be linked to the person."""
    participant = _lock(Participant, participant.pk)
    if participant.anonymised_at:
        raise ValidationError("Les données personnelles de ce salarié sont déjà effacées.")
    if not reason.strip():
        raise ValidationError({"reason": "Indiquez le motif de l'effacement."})
    try:
        validate_no_nir(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from error
    _anonymise(participant, timezone.now())
    audit.erase_entries_for(participant)
    workflow.erase_log_for(participant)
    audit.record(
        actor=actor,
        action="insertion.participant.erase",
        target=participant,
        message=f"Effacement des données personnelles : {reason.strip()}",
    )
    participant.refresh_from_db()
    return participant


def retention_cutoff(today: datetime.date) -> datetime.date:
    """Exits on or before this day are past the retention period."""
    months = retention_months()
    year, month = divmod(today.month - 1 - months, 12)
    year += today.year
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def expired_participants(today: datetime.date):
    return Participant.objects.filter(
        anonymised_at__isnull=True, exit__date__lte=retention_cutoff(today)
    )


def anonymise_expired(*, today: datetime.date | None = None, progress=None) -> int:
    """Anonymises every participant whose exit is older than the retention period. Each one
    in its own transaction, with a line in the audit log (no actor: the platform did it)."""
    today = today or timezone.localdate()
    ids = list(expired_participants(today).values_list("pk", flat=True))
    now = timezone.now()
    for number, pk in enumerate(ids, start=1):
        with transaction.atomic():
            participant = _lock(Participant, pk)
            if participant.anonymised_at is None:
                _anonymise(participant, now)
                audit.record(
                    actor=None,
                    action="insertion.participant.anonymise",
                    target=participant,
                    message=(
                        f"Anonymisation automatique {retention_months()} mois après la sortie."
                    ),
                )
        if progress:
            progress(number, len(ids))
    return len(ids)
