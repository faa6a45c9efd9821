"""Writes of the funding module. Keyword-only functions, one transaction each, every change in the
audit log. Errors meant for people are `ValidationError`s with French messages (by field where it
helps the form show them beside the field); an actor without the right gets `PermissionDenied`.

Every status is a machine of the workflow engine (`essor.core.workflow`), declared on its model:
a share, an application, a payment, a financial report, a committee session. The services prepare
what a move needs (an amount, a date, the envelope) and run it with `workflow.perform`, which
checks the table and the actor's right, saves, and writes the transition log and the audit entry.
An application's status is derived from its shares (`models.derived_application_status`): after
each move of a share, `_sync_application` moves the application to the state its shares give.

Locks, always in this order: the committee session, the application, the share, the envelope.
Every share move locks its application first, so that two funders moving their shares of one
application at once are serialised and the second derives the application's state from the
first's result. Locking queries name their table (`of=("self",)`): with joins, PostgreSQL would
lock every joined row too.
"""

import calendar
import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from essor.core import amounts, audit, workflow
from essor.core.formats import euros, file_size, long_date, round_half_up, with_article
from essor.core.mail import send_later
from essor.funding import access, budget, notices
from essor.funding.models import (
    AgendaItem,
    Agreement,
    Application,
    Attachment,
    BudgetLine,
    CommitteeSession,
    Envelope,
    FinancialReport,
    FunderProfile,
    Message,
    Note,
    Payment,
    PaymentMode,
    Programme,
    ReportLine,
    Share,
    ShareStatus,
    derived_application_status,
)

S = ShareStatus
DECISIONS = (S.ACCEPTED, S.REFUSED, S.CLOSED)
# Shares a funder examines or decided: the facts they were examined on no longer change.
EXAMINED = (S.INSTRUCTION, *DECISIONS)
# The application's facts copied on its shares (see `Share.copy_application_facts`).
COPIED_ON_SHARES = ("year", "sector", "commune")
SELF = ("self",)
# `full_clean` sets every field it checks: a machine's status may not be set by hand.
MACHINE_FIELDS = ["status"]

REQUIRED_ATTACHMENTS = (Attachment.Kind.STATUTES, Attachment.Kind.RIB)


def setting(name: str, default):
    return getattr(settings, f"ESSOR_FUNDING_{name}", default)


def allowed_extensions() -> set[str]:
    return set(
        setting(
            "ATTACHMENT_EXTENSIONS", ("pdf", "jpg", "jpeg", "png", "odt", "docx", "xlsx", "ods")
        )
    )


def max_attachment_bytes() -> int:
    return int(setting("ATTACHMENT_MAX_MB", 10)) * 1024 * 1024


def today() -> datetime.date:
    return timezone.localdate()


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last) if day.day < 28 else last)


def report_due_on(year: int) -> datetime.date:
    """The compte-rendu financier is due within N months (6) of the end of the funded year."""
    return add_months(datetime.date(year, 12, 31), int(setting("REPORT_DUE_MONTHS", 6)))


# --- amounts ------------------------------------------------------------------------------------


# The digits of the amount columns (requests, grants, payments, budget lines): 12 with 2 decimals.
AMOUNT_DIGITS = 12


def whole_euros(value, *, label: str) -> Decimal:
    """A non-negative whole number of euros, or a French error naming the line."""
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        raise ValidationError(f"{label} : « {value} » n'est pas un montant.") from None
    if not amount.is_finite():
        raise ValidationError(f"{label} : « {value} » n'est pas un montant.")
    if amount < 0:
        raise ValidationError(f"{label} : le montant ne peut pas être négatif.")
    if amount != amount.to_integral_value():
        raise ValidationError(f"{label} : indiquez un montant en euros entiers, sans centimes.")
    if reason := amounts.too_large(amount, AMOUNT_DIGITS):
        raise ValidationError(f"{label} : le montant {reason}.")
    return amount


# --- applications -------------------------------------------------------------------------------

EDITABLE_FIELDS = [
    "title",
    "summary",
    "objectives",
    "beneficiaries",
    "year",
    "start_date",
    "end_date",
    "sector",
    "commune",
    "siret",
    "rna",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def is_editable(application: Application) -> bool:
    """The applicant edits a draft, or a deposited application a funder sent back for correction
    (its status is derived from its shares)."""
    return application.status in (Application.Status.DRAFT, Application.Status.CORRECTION)


def _lock_application(pk) -> Application:
    return Application.objects.select_for_update(of=SELF).get(pk=pk)


def _snapshot(application: Application) -> dict:
    return {name: getattr(application, name) for name in EDITABLE_FIELDS}


@transaction.atomic
def create_application(*, organisation, actor, data: dict) -> Application:
    application = Application(organisation=organisation, created_by=actor, reference="")
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(application, name, data[name])
    application.reference = f"tmp-{timezone.now().timestamp()}"[:20]
    application.full_clean(exclude=["reference", *MACHINE_FIELDS])
    application.save()
    application.reference = f"{application.year}-{application.pk:06d}"
    application.save(update_fields=["reference"])
    audit.record(
        actor=actor,
        action="funding.application.create",
        target=application,
        changes=_snapshot(application),
    )
    return application


def _funders_and_states(shares) -> str:
    """« Région Hauts-de-France (Accepté), Département du Nord (En instruction) »."""
    return ", ".join(
        f"{share.programme.funder.organisation.name} ({share.get_status_display()})"
        for share in shares
    )


def _copied_facts(application: Application) -> dict:
    return {
        "year": application.year,
        "sector": application.sector_id,
        "commune": application.commune_id,
    }


@transaction.atomic
def update_application(*, application: Application, actor, data: dict) -> Application:
    """Changes the project. While one funder's correction is awaited, the facts copied on the
    shares (year, sector, commune) change only if no other funder examines or decided its share:
    they are what that funder examined (and, for the year, whose envelope it charged)."""
    application = _lock_application(application.pk)
    if not is_editable(application):
        raise ValidationError("Ce dossier est déposé : il ne peut plus être modifié.")
    before = _snapshot(application)
    copied_before = _copied_facts(application)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(application, name, data[name])
    application.full_clean(exclude=MACHINE_FIELDS)
    copied_after = _copied_facts(application)
    changed = [name for name in COPIED_ON_SHARES if copied_before[name] != copied_after[name]]
    if changed:
        examined = list(
            application.shares.filter(status__in=EXAMINED).select_related(
                "programme__funder__organisation"
            )
        )
        if examined:
            funders = _funders_and_states(examined)
            verb = (
                "a déjà examiné sa demande"
                if len(examined) == 1
                else "ont déjà examiné leur demande"
            )
            whom = "Écrivez-lui" if len(examined) == 1 else "Écrivez-leur"
            raise ValidationError(
                {
                    name: f"« {Application._meta.get_field(name).verbose_name.capitalize()} » ne "
                    f"peut plus changer : {funders} {verb} sur cette base. {whom} par un message "
                    "si ce changement est nécessaire."
                    for name in changed
                }
            )
    application.save()
    if changed:
        application.shares.update(
            year=application.year, sector=application.sector, commune=application.commune
        )
    changes = audit.diff(before, _snapshot(application))
    if changes:
        audit.record(
            actor=actor, action="funding.application.update", target=application, changes=changes
        )
    return application


@transaction.atomic
def set_budget(*, application: Application, actor, amounts: dict) -> budget.Totals:
    """Replaces the budget by `amounts` ({code: value}); all lines are checked before any is
    written, so a bad line saves nothing. Balance is required at submission, not on each save."""
    application = _lock_application(application.pk)
    if not is_editable(application):
        raise ValidationError("Ce dossier est déposé : son budget ne peut plus être modifié.")
    errors = {}
    clean = {}
    for code, value in amounts.items():
        account = budget.BY_CODE.get(code)
        if account is None:
            errors[code] = ValidationError(f"Compte inconnu : {code}.")
            continue
        try:
            clean[code] = whole_euros(value, label=account.label)
        except ValidationError as error:
            errors[code] = error
    if errors:
        raise ValidationError(errors)
    before = {line.code: line.amount for line in application.budget_lines.all()}
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(application=application, code=code, amount=amount)
        for code, amount in clean.items()
        if amount
    )
    after = {code: amount for code, amount in clean.items() if amount}
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            actor=actor, action="funding.budget.update", target=application, changes=changes
        )
    return budget.totals(clean)


def check_request(*, programme: Programme, application: Application, amount, on=None) -> Decimal:
    """The amount asked of a programme: positive whole euros, within its ceiling, while it is open,
    for an eligible structure."""
    label = f"Montant demandé au dispositif « {programme.name} »"
    amount = whole_euros(amount, label=label)
    if amount <= 0:
        raise ValidationError(f"{label} : indiquez un montant positif.")
    if programme.ceiling is not None and amount > programme.ceiling:
        raise ValidationError(
            f"{label} : {euros(amount, 0)} dépasse le plafond du dispositif "
            f"({euros(programme.ceiling, 0)})."
        )
    day = on or today()
    if not programme.is_open_on(day):
        raise ValidationError(
            f"Le dispositif « {programme.name} » n'accepte pas de demande aujourd'hui : "
            f"ses demandes sont ouvertes du {long_date(programme.opens_on)} "
            f"au {long_date(programme.closes_on)}."
        )
    sector_ids = {sector.pk for sector in programme.sectors.all()}
    if sector_ids and application.sector_id not in sector_ids:
        raise ValidationError(
            f"Le dispositif « {programme.name} » ne finance que certains secteurs : choisissez le "
            "secteur du projet parmi les siens (étape « Le projet »)."
        )
    commune_ids = {commune.pk for commune in programme.communes.all()}
    if commune_ids and application.commune_id not in commune_ids:
        raise ValidationError(
            f"Le dispositif « {programme.name} » ne finance que des projets de certaines communes : "
            "la commune du projet n'en fait pas partie."
        )
    families = programme.eligible_families or []
    if families and application.organisation.ess_family not in families:
        raise ValidationError(
            f"Votre structure n'est pas éligible au dispositif « {programme.name} » "
            "(famille de l'ESS non retenue)."
        )
    return amount


@transaction.atomic
def set_share(*, application: Application, programme: Programme, actor, amount) -> Share:
    """Adds a programme to a draft application, or changes the amount asked of it (in a draft,
    or in the request its funder sent back for correction: never another funder's)."""
    application = _lock_application(application.pk)
    share = (
        Share.objects.select_for_update(of=SELF)
        .filter(application=application, programme=programme)
        .select_related("programme__funder__organisation")
        .first()
    )
    if application.status != Application.Status.DRAFT:
        if share is None:
            raise ValidationError(
                "Ce dossier est déposé : aucun dispositif ne peut plus y être ajouté."
            )
        if share.status != S.CORRECTION:
            raise ValidationError(
                f"La demande {with_article(share.programme.funder.organisation.name, 'à')} (dispositif "
                f"« {share.programme.name} ») est « {share.get_status_display()} » : son montant "
                "ne peut plus changer. Seules les demandes renvoyées pour correction se modifient."
            )
    clean = check_request(programme=programme, application=application, amount=amount)
    before = share.amount_requested if share else None
    if share is None:
        share = Share.objects.create(
            application=application, programme=programme, amount_requested=clean
        )
    else:
        share.amount_requested = clean
        share.save(update_fields=["amount_requested", "updated_at"])
    audit.record(
        actor=actor,
        action="funding.share.request",
        target=share,
        changes={"montant demandé": [before, clean]},
    )
    return share


@transaction.atomic
def remove_share(*, share: Share, actor) -> None:
    if share.status != S.DRAFT:
        raise ValidationError("Seule une demande en brouillon peut être retirée du dossier.")
    audit.record(
        actor=actor,
        action="funding.share.remove",
        target=share.application,
        changes={"dispositif": [share.programme.name, None]},
    )
    share.delete()


@transaction.atomic
def add_attachment(*, application: Application, actor, kind: str, uploaded) -> Attachment:
    if not is_editable(application):
        raise ValidationError("Ce dossier est déposé : ses pièces ne peuvent plus changer.")
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": "Choisissez le type de la pièce."})
    name = uploaded.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = sorted(allowed_extensions())
    if extension not in allowed:
        raise ValidationError(
            {
                "file": f"« {name} » : type de fichier refusé. Formats acceptés : "
                f"{', '.join(allowed)}."
            }
        )
    limit = max_attachment_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            {
                "file": f"« {name} » pèse {file_size(uploaded.size)} : la taille maximale "
                f"est de {file_size(limit)}."
            }
        )
    if extension == "pdf":
        head = uploaded.read(5)
        uploaded.seek(0)
        if head != b"%PDF-":
            raise ValidationError({"file": f"« {name} » n'est pas un fichier PDF valide."})
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name[:255],
        size=uploaded.size,
        content_type=(getattr(uploaded, "content_type", "") or "application/octet-stream")[:100],
        uploaded_by=actor,
    )
    attachment.file.save(name, uploaded, save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action="funding.attachment.create",
        target=application,
        changes={"pièce": [None, f"{attachment.get_kind_display()} : {name}"]},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, attachment: Attachment, actor) -> None:
    application = attachment.application
    if not is_editable(application):
        raise ValidationError("Ce dossier est déposé : ses pièces ne peuvent plus changer.")
    audit.record(
        actor=actor,
        action="funding.attachment.delete",
        target=application,
        changes={"pièce": [attachment.original_name, None]},
    )
    storage, path = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(path))


def submission_problems(application: Application) -> list[str]:
    """What stops the submission, in French (empty when the file may be submitted)."""
    problems = []
    shares = list(application.shares.select_related("programme"))
    if not shares:
        problems.append("Sollicitez au moins un dispositif.")
    if not application.siret and not application.rna:
        problems.append("Indiquez le SIRET de l'établissement porteur ou le numéro RNA.")
    amounts = {line.code: line.amount for line in application.budget_lines.all()}
    totals = budget.totals(amounts)
    if not totals.charges:
        problems.append("Le budget du projet est vide.")
    elif not totals.balanced:
        problems.append(
            f"Le budget n'est pas équilibré : charges {euros(totals.charges, 0)}, "
            f"produits {euros(totals.produits, 0)} (écart {euros(totals.gap, 0)})."
        )
    subsidies = sum(
        (amount for code, amount in amounts.items() if budget.BY_CODE[code].funder_line),
        Decimal(0),
    )
    asked = sum((share.amount_requested for share in shares), Decimal(0))
    if asked > subsidies:
        problems.append(
            f"Les montants demandés ({euros(asked, 0)}) dépassent les subventions inscrites au "
            f"compte 74 du budget ({euros(subsidies, 0)})."
        )
    kinds = {attachment.kind for attachment in application.attachments.all()}
    for kind in REQUIRED_ATTACHMENTS:
        if kind not in kinds:
            problems.append(f"Pièce manquante : {Attachment.Kind(kind).label}.")
    day = today()
    for share in shares:
        if share.status == S.DRAFT:
            try:
                check_request(
                    programme=share.programme,
                    application=application,
                    amount=share.amount_requested,
                    on=day,
                )
            except ValidationError as error:
                problems.extend(error.messages)
    return problems


@transaction.atomic
def submit_application(*, application: Application, actor, declarant_name: str) -> Application:
    """Deposits a draft (every share: brouillon → déposé), or sends back a corrected file
    (shares renvoyé pour correction → déposé). The declarations on honour are required."""
    application = _lock_application(application.pk)
    if not declarant_name.strip():
        raise ValidationError({"declarant_name": "Indiquez le nom du signataire."})
    if not is_editable(application):
        raise ValidationError("Ce dossier a déjà été déposé.")
    problems = submission_problems(application)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    application.declarant_name = declarant_name.strip()
    application.declared_at = now
    application.submitted_at = application.submitted_at or now
    application.save(update_fields=["declarant_name", "declared_at", "submitted_at", "updated_at"])
    shares = list(
        application.shares.select_for_update(of=SELF)
        .filter(status__in=[S.DRAFT, S.CORRECTION])
        .select_related("application__organisation", "programme__funder__organisation")
    )
    corrected = [share for share in shares if share.status == S.CORRECTION]
    for share in shares:
        share.motivation = ""  # a correction asked is answered by the new deposit
        workflow.perform(share.submit, actor=actor, reason_field="motivation")
    _sync_application(application, cause="Dépôt par la structure.")
    for share in corrected:
        notices.file_corrected(share, asked_by=_correction_asker(share))
    return application


def _correction_asker(share: Share):
    """Who last sent this share back for correction (from its transition log)."""
    from django.contrib.contenttypes.models import ContentType
    from django_fsm_log.models import StateLog

    log = (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Share),
            object_id=share.pk,
            transition="request_correction",
        )
        .select_related("by")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return log.by if log else None


# --- instruction --------------------------------------------------------------------------------


def _sync_application(application: Application, *, cause: str) -> None:
    """Moves the (locked) application to the state its shares give, if it changed."""
    statuses = list(
        Share.objects.filter(application_id=application.pk).values_list("status", flat=True)
    )
    target = derived_application_status(statuses)
    if target == application.status:
        return
    move = workflow.transition_to(application, "status", target)
    if move is None:
        raise ValidationError(
            f"Le dossier {application.reference} ne peut passer de « "
            f"{application.get_status_display()} » à « {Application.Status(target).label} »."
        )
    workflow.perform(move, actor=None, reason=cause, save_fields=())


def _locked_share(share: Share) -> Share:
    """The share, read again under lock after its application's (see the module's docstring)."""
    _lock_application(share.application_id)
    return (
        Share.objects.select_for_update(of=SELF)
        .select_related("programme__funder__organisation", "application__organisation")
        .get(pk=share.pk)
    )


def _step(move) -> workflow.Step:
    """What a transition method means to people (every source of a method shares its step)."""
    return workflow.step_of(next(iter(move._django_fsm.transitions.values())))


def _after_move(share: Share, move) -> None:
    """The application follows its share."""
    _sync_application(
        share.application,
        cause=f"{share.programme.funder.organisation.name} : {_step(move).done}.",
    )


def _refuse_unless_allowed(move, actor, *, refused: str = "") -> None:
    """Refuses, before a service prepares anything (an amount, the envelope), what
    `workflow.perform` would refuse: a move outside the table (`refused`, or the engine's
    message), or an actor without the right."""
    instance = move.__self__
    label = _step(move).label
    if not can_proceed(move):
        raise ValidationError(
            refused
            or f"« {label} » est impossible : « {instance} » est à l'état "
            f"« {instance.get_status_display()} »."
        )
    if not has_transition_perm(move, actor):
        raise PermissionDenied(f"Vous n'avez pas le droit de faire cette action (« {label} »).")


def forget_transitions(queryset) -> None:
    """Deletes the transition log of rows about to be deleted: the log points at them by id, and
    a later row given the same id (SQLite reuses the highest) must not inherit their history."""
    from django.contrib.contenttypes.models import ContentType
    from django_fsm_log.models import StateLog

    StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(queryset.model),
        object_id__in=list(queryset.values_list("pk", flat=True)),
    ).delete()


def _required_motivation(motivation: str, what: str) -> str:
    motivation = (motivation or "").strip()
    if not motivation:
        raise ValidationError({"motivation": f"Indiquez la motivation {what}."})
    return motivation


@transaction.atomic
def start_instruction(*, share: Share, actor, motivation: str = "") -> Share:
    share = _locked_share(share)
    workflow.perform(
        share.start_instruction, actor=actor, reason=motivation, reason_field="motivation"
    )
    _after_move(share, share.start_instruction)
    notices.instruction_started(share)
    return share


@transaction.atomic
def request_corrections(*, share: Share, actor, motivation: str) -> Share:
    """Sends the application back to the structure for this funder's share (the motivation,
    shown to the structure, says what to correct)."""
    motivation = _required_motivation(motivation, "du renvoi (ce qu'il faut corriger)")
    share = _locked_share(share)
    share.motivation = motivation
    workflow.perform(
        share.request_correction, actor=actor, reason=motivation, reason_field="motivation"
    )
    _after_move(share, share.request_correction)
    notices.correction_requested(share)
    return share


def _agreement_reference(share: Share) -> str:
    return f"CONV-{share.application.year}-{share.pk:06d}"


@transaction.atomic
def decide(
    *,
    share: Share,
    actor,
    outcome: str,
    motivation: str,
    amount=None,
    decision_reference: str = "",
) -> Share:
    """Accepts (with an amount), refuses or closes a share. An acceptance locks the programme's
    envelope for the year and checks its remaining balance inside the transaction: two decisions
    at the same moment are serialised and the second sees the first's amount.

    `decision_reference` names the act that materialises an acceptance (a committee session's
    item); by default the agreement itself."""
    if outcome not in DECISIONS:
        raise ValidationError("Décision inconnue.")
    motivation = _required_motivation(motivation, "de la décision")
    share = _locked_share(share)
    move = {S.ACCEPTED: share.accept, S.REFUSED: share.refuse, S.CLOSED: share.close}[outcome]
    _refuse_unless_allowed(move, actor)
    changes = {}
    envelope = None
    if outcome == S.ACCEPTED:
        label = "Montant accordé"
        granted = whole_euros(amount, label=label)
        if granted <= 0:
            raise ValidationError({"amount": f"{label} : indiquez un montant positif."})
        if granted > share.amount_requested:
            raise ValidationError(
                {
                    "amount": f"{label} : {euros(granted, 0)} dépasse le montant demandé "
                    f"({euros(share.amount_requested, 0)})."
                }
            )
        year = share.application.year
        envelope = (
            Envelope.objects.select_for_update(of=SELF)
            .filter(programme_id=share.programme_id, year=year)
            .first()
        )
        if envelope is None:
            raise ValidationError(
                {
                    "amount": f"Le dispositif n'a pas d'enveloppe pour {year} : aucune aide ne peut "
                    "être accordée."
                }
            )
        if granted > envelope.remaining:
            raise ValidationError(
                {
                    "amount": f"{label} : {euros(granted, 0)} dépasse le solde de l'enveloppe "
                    f"{year} du dispositif ({euros(envelope.remaining)})."
                }
            )
        share.amount_granted = granted
        share.envelope = envelope
        share.decision_reference = decision_reference or _agreement_reference(share)
        changes["montant accordé"] = [None, granted]
    share.decided_at = timezone.now()
    share.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    share.motivation = motivation
    workflow.perform(
        move, actor=actor, reason=motivation, reason_field="motivation", changes=changes
    )
    if envelope is not None:
        envelope.granted = envelope.granted + share.amount_granted
        envelope.save(update_fields=["granted"])
        _create_agreement(share, actor=actor)
    _after_move(share, move)
    notices.share_decided(share)
    return share


def _create_agreement(share: Share, *, actor) -> Agreement:
    programme = share.programme
    signed_on = today()
    agreement = Agreement.objects.create(
        share=share,
        reference=_agreement_reference(share),
        signed_on=signed_on,
        amount=share.amount_granted,
        payment_mode=programme.payment_mode,
    )
    delay = datetime.timedelta(days=int(setting("PAYMENT_DELAY_DAYS", 30)))
    if programme.payment_mode == PaymentMode.ADVANCE:
        advance = round_half_up(share.amount_granted * programme.advance_percent / 100, 0)
        Payment.objects.bulk_create(
            [
                Payment(
                    agreement=agreement,
                    kind=Payment.Kind.ADVANCE,
                    amount=advance,
                    due_on=signed_on + delay,
                ),
                Payment(
                    agreement=agreement,
                    kind=Payment.Kind.BALANCE,
                    amount=share.amount_granted - advance,
                    due_on=None,
                ),
            ]
        )
    else:
        Payment.objects.create(
            agreement=agreement,
            kind=Payment.Kind.SINGLE,
            amount=share.amount_granted,
            due_on=signed_on + delay,
        )
    report = FinancialReport.objects.create(
        agreement=agreement, due_on=report_due_on(share.application.year)
    )
    ReportLine.objects.bulk_create(
        ReportLine(report=report, code=line.code, planned=line.amount)
        for line in share.application.budget_lines.all()
    )
    audit.record(
        actor=actor,
        action="funding.agreement.create",
        target=agreement,
        changes={"montant": [None, agreement.amount], "échéancier": [None, programme.payment_mode]},
    )
    return agreement


@transaction.atomic
def reopen(*, share: Share, actor, motivation: str) -> Share:
    """Reopens a decision: back to instruction. An accepted share gives its amount back to the
    envelope and loses its agreement, unless a payment was already made."""
    motivation = _required_motivation(motivation, "de la réouverture")
    share = _locked_share(share)
    _refuse_unless_allowed(share.reopen, actor)
    changes = {}
    withdrawn = share.amount_granted if share.status == S.ACCEPTED else None
    if share.status == S.ACCEPTED:
        agreement = Agreement.objects.filter(share=share).first()
        if agreement and agreement.payments.filter(status=Payment.Status.PAID).exists():
            raise ValidationError(
                "Un versement a déjà été effectué au titre de cette décision : elle ne peut plus "
                "être rouverte."
            )
        envelope = Envelope.objects.select_for_update(of=SELF).get(pk=share.envelope_id)
        envelope.granted = envelope.granted - share.amount_granted
        envelope.save(update_fields=["granted"])
        changes["montant accordé"] = [share.amount_granted, None]
        if agreement:
            forget_transitions(Payment.objects.filter(agreement=agreement))
            forget_transitions(FinancialReport.objects.filter(agreement=agreement))
            agreement.delete()
        share.amount_granted = None
        share.envelope = None
        share.decision_reference = ""
    share.decided_at = None
    share.decided_by = None
    share.motivation = ""
    workflow.perform(
        share.reopen, actor=actor, reason=motivation, reason_field="motivation", changes=changes
    )
    _after_move(share, share.reopen)
    notices.decision_reopened(share, motivation=motivation, withdrawn=withdrawn)
    return share


@transaction.atomic
def add_note(*, application: Application, funder, actor, body: str) -> Note:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "La note est vide."})
    note = Note.objects.create(application=application, funder=funder, author=actor, body=body)
    audit.record(actor=actor, action="funding.note.create", target=application)
    return note


@transaction.atomic
def post_message(*, application: Application, actor, organisation, body: str) -> Message:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Le message est vide."})
    message = Message.objects.create(
        application=application, author=actor, author_organisation=organisation, body=body
    )
    audit.record(actor=actor, action="funding.message.create", target=application)
    return message


# --- payments and reports -----------------------------------------------------------------------


@transaction.atomic
def set_payment_status(*, payment: Payment, actor, status: str, paid_on=None) -> Payment:
    """Records a payment made (with its date) or cancelled. The balance of an advance waits for
    the accepted financial report."""
    payment = (
        Payment.objects.select_for_update(of=SELF)
        .select_related("agreement__share__programme__funder")
        .get(pk=payment.pk)
    )
    move = {Payment.Status.PAID: payment.pay, Payment.Status.CANCELLED: payment.cancel}.get(status)
    if move is None:
        raise ValidationError({"status": "Choisissez « Versé » ou « Annulé »."})
    _refuse_unless_allowed(
        move,
        actor,
        refused=f"Ce versement est « {payment.get_status_display()} » : il ne peut plus changer.",
    )
    if status == Payment.Status.PAID:
        if paid_on is None:
            raise ValidationError({"paid_on": "Indiquez la date du versement."})
        if paid_on > today():
            raise ValidationError({"paid_on": "La date du versement ne peut être future."})
        if payment.kind == Payment.Kind.BALANCE:
            report = FinancialReport.objects.filter(agreement=payment.agreement).first()
            if report is None or report.status != FinancialReport.Status.ACCEPTED:
                raise ValidationError(
                    "Le solde attend le compte-rendu financier accepté de la structure."
                )
        payment.paid_on = paid_on
    workflow.perform(move, actor=actor, changes={"versé le": [None, paid_on]})
    if status == Payment.Status.PAID:
        share = Share.objects.select_for_update(of=SELF).get(pk=payment.agreement.share_id)
        share.amount_paid = share.amount_paid + payment.amount
        share.save(update_fields=["amount_paid", "updated_at"])
        notices.payment_made(payment)
    else:
        notices.payment_cancelled(payment)
    return payment


def _locked_report(report: FinancialReport) -> FinancialReport:
    return (
        FinancialReport.objects.select_for_update(of=SELF)
        .select_related("agreement__share__application", "agreement__share__programme__funder")
        .get(pk=report.pk)
    )


@transaction.atomic
def save_report(*, report: FinancialReport, actor, actuals: dict, review: str, submit: bool):
    """Saves the applicant's report (the actual amounts by account and the qualitative review);
    with `submit`, hands it to the funder."""
    report = _locked_report(report)
    if submit:
        _refuse_unless_allowed(report.submit, actor, refused="Ce compte-rendu a déjà été remis.")
    elif not can_proceed(report.submit):
        raise ValidationError("Ce compte-rendu a déjà été remis.")
    elif not access.report_applicants(report, actor):
        raise PermissionDenied("Seuls les membres de la structure remplissent le compte-rendu.")
    errors, clean = {}, {}
    for code, value in actuals.items():
        account = budget.BY_CODE.get(code)
        if account is None:
            continue
        try:
            clean[code] = whole_euros(value, label=f"{account.label} (réalisé)")
        except ValidationError as error:
            errors[code] = error
    if errors:
        raise ValidationError(errors)
    lines = {line.code: line for line in report.lines.all()}
    for code, amount in clean.items():
        line = lines.get(code)
        if line is None:
            if amount:
                ReportLine.objects.create(report=report, code=code, actual=amount)
        elif line.actual != amount:
            line.actual = amount
            line.save(update_fields=["actual"])
    report.review = (review or "").strip()
    if not submit:
        report.save()
        audit.record(actor=actor, action="funding.report.save", target=report)
        return report
    if not report.review:
        raise ValidationError({"review": "Rédigez le bilan qualitatif de l'action."})
    totals = budget.totals(clean)
    if not totals.charges:
        raise ValidationError("Indiquez les montants réalisés.")
    if not totals.balanced:
        raise ValidationError(
            f"Le compte-rendu n'est pas équilibré : charges {euros(totals.charges, 0)}, "
            f"produits {euros(totals.produits, 0)}."
        )
    report.submitted_at = timezone.now()
    workflow.perform(report.submit, actor=actor)
    return report


@transaction.atomic
def review_report(*, report: FinancialReport, actor, accept: bool, comment: str):
    """The funder accepts the report, or asks the structure to complete it (the comment says
    what)."""
    report = _locked_report(report)
    move = report.accept if accept else report.send_back
    _refuse_unless_allowed(move, actor, refused="Seul un compte-rendu remis peut être examiné.")
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError({"comment": "Indiquez ce qu'il faut compléter."})
    report.review_comment = comment
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    workflow.perform(move, actor=actor, reason=comment, reason_field="comment")
    return report


# --- programmes and envelopes -------------------------------------------------------------------


@transaction.atomic
def save_programme(*, programme: Programme, actor, sectors=None, communes=None, instructors=None):
    creating = programme.pk is None
    programme.full_clean()
    programme.save()
    if sectors is not None:
        programme.sectors.set(sectors)
    if communes is not None:
        programme.communes.set(communes)
    if instructors is not None:
        programme.instructors.set(instructors)
    audit.record(
        actor=actor,
        action="funding.programme.create" if creating else "funding.programme.update",
        target=programme,
    )
    return programme


@transaction.atomic
def set_envelope(*, programme: Programme, year: int, amount, actor) -> Envelope:
    """Creates or changes a yearly envelope; it can never go below what was already granted."""
    amount = whole_euros(amount, label="Montant de l'enveloppe")
    envelope = (
        Envelope.objects.select_for_update(of=SELF).filter(programme=programme, year=year).first()
    )
    before = envelope.amount if envelope else None
    if envelope is None:
        envelope = Envelope(programme=programme, year=year, amount=amount)
    elif amount < envelope.granted:
        raise ValidationError(
            {
                "amount": f"L'enveloppe {year} ne peut descendre sous le montant déjà accordé "
                f"({euros(envelope.granted)})."
            }
        )
    envelope.amount = amount
    envelope.save()
    audit.record(
        actor=actor,
        action="funding.envelope.set",
        target=envelope,
        changes={"montant": [before, amount]},
    )
    return envelope


# --- committee sessions -------------------------------------------------------------------------


@transaction.atomic
def save_funder(*, funder: FunderProfile, actor) -> FunderProfile:
    """Creates or changes a funder profile (the agency's page)."""
    creating = funder.pk is None
    before = (
        {}
        if creating
        else dict(
            FunderProfile.objects.filter(pk=funder.pk)
            .values("siret", "agency_front_office")
            .first()
        )
    )
    funder.full_clean()
    funder.save()
    after = {"siret": funder.siret, "agency_front_office": funder.agency_front_office}
    audit.record(
        actor=actor,
        action="funding.funder.create" if creating else "funding.funder.update",
        target=funder,
        changes=audit.diff(before, after),
    )
    return funder


@transaction.atomic
def create_session(*, funder, actor, title: str, date) -> CommitteeSession:
    session = CommitteeSession(funder=funder, title=title, date=date)
    session.full_clean(exclude=MACHINE_FIELDS)
    session.save()
    audit.record(actor=actor, action="funding.session.create", target=session)
    return session


def _lock_session(session: CommitteeSession) -> CommitteeSession:
    return (
        CommitteeSession.objects.select_for_update(of=SELF)
        .select_related("funder__organisation")
        .get(pk=session.pk)
    )


def _refuse_unless_instructor(share: Share, actor, *, reference: str = "") -> None:
    """A session is no way around the share page's rights: only who may decide a share there
    puts it on an agenda or decides it in session."""
    if not access.can_instruct_share(actor, share):
        about = f"Dossier {reference} : " if reference else ""
        raise PermissionDenied(
            f"{about}vous n'instruisez pas le dispositif « {share.programme.name} » "
            f"({share.programme.funder.organisation.name})."
        )


@transaction.atomic
def add_to_agenda(*, session: CommitteeSession, share: Share, actor) -> AgendaItem:
    session = _lock_session(session)
    if session.status != CommitteeSession.Status.PLANNED:
        raise ValidationError("Cette séance est close.")
    share = _locked_share(share)
    if share.programme.funder_id != session.funder_id:
        raise ValidationError("Ce dossier ne relève pas de ce financeur.")
    _refuse_unless_instructor(share, actor)
    if share.status not in (S.SUBMITTED, S.INSTRUCTION):
        raise ValidationError("Seul un dossier déposé ou en instruction peut être inscrit.")
    if AgendaItem.objects.filter(session=session, share=share).exists():
        raise ValidationError("Ce dossier est déjà à l'ordre du jour.")
    position = session.items.count() + 1
    item = AgendaItem.objects.create(session=session, share=share, position=position)
    if share.status == S.SUBMITTED:
        start_instruction(
            share=share, actor=actor, motivation=f"Inscrit à la séance « {session} »."
        )
    audit.record(
        actor=actor,
        action="funding.agenda_item.create",
        target=session,
        changes={"dossier": [None, share.application.reference]},
    )
    return item


def decision_reference(session: CommitteeSession, item: AgendaItem) -> str:
    """The act of a decision taken in session: the session's, and the item's number."""
    return f"{session.reference}-{item.position:02d}"


@transaction.atomic
def record_session_decisions(*, session: CommitteeSession, actor, decisions: dict) -> int:
    """Decides the whole agenda at once: `decisions` maps an agenda item's pk to
    (outcome, amount, motivation). All or nothing: one refused decision saves none; the error
    names the application. Every decision needs the same right as on the share page."""
    session = _lock_session(session)
    _refuse_unless_allowed(
        session.hold, actor, refused="Les décisions de cette séance sont déjà enregistrées."
    )
    items = list(
        session.items.select_related(
            "share__application", "share__programme__funder__organisation"
        ).prefetch_related("share__programme__instructors")
    )
    chosen = [(item, decisions[item.pk]) for item in items if decisions.get(item.pk, ("",))[0]]
    if not chosen:
        raise ValidationError("Aucune décision n'a été indiquée.")
    for item, _ in chosen:
        reference = item.share.application.reference
        if item.share.programme.funder_id != session.funder_id:
            raise PermissionDenied(
                f"Dossier {reference} : il ne relève pas du financeur de cette séance."
            )
        _refuse_unless_instructor(item.share, actor, reference=reference)
    for item, (outcome, amount, motivation) in chosen:
        try:
            decide(
                share=item.share,
                actor=actor,
                outcome=outcome,
                amount=amount,
                motivation=motivation or f"Décision de la séance « {session} ».",
                decision_reference=decision_reference(session, item),
            )
        except ValidationError as error:
            raise ValidationError(
                f"Dossier {item.share.application.reference} : {' '.join(error.messages)}"
            ) from error
    session.held_at = timezone.now()
    workflow.perform(session.hold, actor=actor, changes={"décisions": [None, len(chosen)]})
    return len(chosen)


# --- report reminders ---------------------------------------------------------------------------


def reminder_schedule():
    before = int(setting("REPORT_REMINDER_DAYS_BEFORE", 30))
    late = int(setting("REPORT_REMINDER_DAYS_LATE", 30))
    return (
        ("before", -before, "Votre compte-rendu financier est attendu"),
        ("after", 1, "Votre compte-rendu financier est en retard"),
        ("late", late, f"Relance : compte-rendu financier en retard de {late} jours"),
    )


def send_report_reminders(*, on: datetime.date | None = None) -> int:
    """E-mails the structures whose report is due soon or overdue; each kind of reminder is sent
    once per report (a `ReportReminder` row, unique by report and kind), so running it daily is
    safe. Returns the number of e-mails sent."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from essor.accounts.models import Membership
    from essor.funding.access import APPLICANT_ROLES
    from essor.funding.models import ReportReminder

    day = on or today()
    sent = 0
    waiting = FinancialReport.objects.filter(
        status__in=[FinancialReport.Status.PENDING, FinancialReport.Status.RETURNED]
    ).select_related(
        "agreement__share__application__organisation",
        "agreement__share__programme__funder__organisation",
    )
    for kind, offset, subject in reminder_schedule():
        threshold = day - datetime.timedelta(days=offset)
        candidates = waiting.filter(due_on__lte=threshold).exclude(reminders__kind=kind)
        if kind == "before":
            candidates = candidates.filter(due_on__gte=day)
        for report in candidates:
            application = report.agreement.share.application
            recipients = set(
                Membership.objects.filter(
                    organisation_id=application.organisation_id, role__in=APPLICANT_ROLES
                ).values_list("user__email", flat=True)
            )
            if application.contact_email:
                recipients.add(application.contact_email)
            with transaction.atomic():
                _, created = ReportReminder.objects.get_or_create(
                    report=report, kind=kind, defaults={"sent_on": day}
                )
                if not created or not recipients:
                    continue
                body = render_to_string(
                    "funding/email/report_reminder.txt",
                    {
                        "report": report,
                        "application": application,
                        "kind": kind,
                        "url": settings.SITE_URL.rstrip("/")
                        + reverse("funding:report_detail", args=[report.pk]),
                    },
                )
                send_later(subject=subject, body=body, to=sorted(recipients))
                audit.record(
                    actor=None,
                    action=f"funding.report.remind_{kind}",
                    target=report,
                    changes={"destinataires": sorted(recipients)},
                )
                sent += 1
    return sent
