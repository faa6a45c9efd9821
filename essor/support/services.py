"""Writes of the support module: project holders, their stages (the workflow machine
`ProjectHolder.stage`), their accompaniment actions, referrals, merges of duplicates and erasure.

Every function is keyword-only, runs in one transaction, locks the holder row it changes and writes
the audit log (who, when, what, why). Errors meant for people are `ValidationError`s in French,
keyed by form field where there is one.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from essor.core import audit, workflow
from essor.core.formats import long_date, without_accents
from essor.core.validators import validate_no_nir
from essor.directory import services as directory_services
from essor.directory.models import Organisation
from essor.support.models import (
    CONTACT_FIELDS,
    SHAREABLE_FIELDS,
    Action,
    ActionKind,
    ConsentScope,
    ProjectHolder,
    Stage,
)

# The field holding the date each stage was reached.
STAGE_DATE_FIELDS = {
    Stage.IDEA: "first_contact_on",
    Stage.EMERGENCE: "emergence_on",
    Stage.STRUCTURING: "structuring_on",
    Stage.CREATION: "creation_date",
    Stage.ABANDONED: "abandoned_on",
}

# The holder's fields set from the form (sectors apart).
HOLDER_FIELDS = [
    "kind",
    "name",
    "email",
    "phone",
    "consent_on",
    "consent_scope",
    "idea",
    "commune",
    "in_qpv",
    "heard_via",
    "advisor",
    "first_contact_on",
]
ACTION_FIELDS = [
    "date",
    "kind",
    "notes",
    "next_step",
    "reminder_on",
    "partner_kind",
    "partner_name",
    "shared_fields",
]


# --- keys for the duplicate check ---------------------------------------------------------------


def name_key(name: str) -> str:
    """« Élodie  MARTIN » -> « elodie martin »: no accents, case, punctuation or extra spaces."""
    text = without_accents(name).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def phone_key(phone: str) -> str:
    """« +33 6 12-34-56-78 » and « 06 12 34 56 78 » -> « 0612345678 »."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


# --- checks ---------------------------------------------------------------------------------------


def _refuse_nir(**texts: str | None) -> None:
    """No social security number in a free text about a person (`core.validators`)."""
    for field, text in texts.items():
        try:
            validate_no_nir(text or "")
        except ValidationError as error:
            raise ValidationError({field: error.messages}) from error


def _today() -> datetime.date:
    return timezone.localdate()


def _not_in_future(value: datetime.date | None, field: str, label: str) -> None:
    if value is not None and value > _today():
        raise ValidationError(
            {field: f"{label} ne peut pas être dans le futur ({long_date(value)})."}
        )


def _lock(holder: ProjectHolder) -> ProjectHolder:
    return ProjectHolder.objects.select_for_update(of=("self",)).get(pk=holder.pk)


def _check_not_merged(holder: ProjectHolder) -> None:
    """A merged holder is worked on through the kept one; an erased one is no longer followed."""
    if holder.merged_into_id:
        raise ValidationError(
            "Cette fiche a été fusionnée avec une autre : travaillez sur la fiche conservée."
        )
    if holder.erased_on:
        raise ValidationError(
            "Les données personnelles de ce porteur ont été effacées : sa fiche n'est plus suivie."
        )


def _check_contact(values: dict) -> None:
    has_contact = bool(values.get("email") or values.get("phone"))
    if has_contact and not values.get("consent_on"):
        raise ValidationError(
            {
                "consent_on": "Un courriel ou un téléphone ne peut être conservé qu'avec le "
                "consentement de la personne : indiquez la date à laquelle il a été recueilli."
            }
        )
    if values.get("consent_on") and not values.get("consent_scope"):
        raise ValidationError({"consent_scope": "Précisez ce que la personne a accepté."})
    _not_in_future(values.get("consent_on"), "consent_on", "La date du consentement")


# Fields whose values never go to the audit log (it records that they changed, not their value).
PERSONAL_FIELDS = {"name", "email", "phone", "idea"}
MASKED = "(donnée personnelle)"


def _snapshot(holder: ProjectHolder) -> dict:
    values = {field: getattr(holder, field) for field in HOLDER_FIELDS}
    values["commune"] = str(holder.commune) if holder.commune_id else None
    values["advisor"] = str(holder.advisor) if holder.advisor_id else None
    if holder.pk:
        values["sectors"] = sorted(sector.slug for sector in holder.sectors.all())
    return values


def _apply_values(holder: ProjectHolder, values: dict) -> None:
    _refuse_nir(name=values.get("name"), idea=values.get("idea"))
    for field in HOLDER_FIELDS:
        if field in values:
            value = values[field]
            setattr(holder, field, value if value is not None or field != "email" else "")
    holder.email = (holder.email or "").strip().lower()
    holder.phone = (holder.phone or "").strip()
    if not holder.consent_on:
        holder.consent_scope = ""
    holder.name_key = name_key(holder.name)
    holder.phone_key = phone_key(holder.phone)


# --- holders --------------------------------------------------------------------------------------


@transaction.atomic
def create_holder(*, actor, data: dict) -> ProjectHolder:
    """A new project holder at the idea stage (`first_contact_on`: the first contact)."""
    _check_contact(data)
    _not_in_future(data.get("first_contact_on"), "first_contact_on", "La date du premier accueil")
    holder = ProjectHolder(stage=Stage.IDEA)
    _apply_values(holder, data)
    holder.full_clean(exclude=["sectors", "stage"])
    holder.save()
    sectors = list(data.get("sectors") or [])
    if not sectors:
        raise ValidationError({"sectors": "Choisissez au moins un secteur."})
    holder.sectors.set(sectors)
    audit.record(
        actor=actor,
        action="support.holder.create",
        target=holder,
        changes=_masked(
            audit.diff({}, {k: v for k, v in _snapshot(holder).items() if v not in ("", None)})
        ),
    )
    return holder


@transaction.atomic
def update_holder(*, holder: ProjectHolder, actor, data: dict) -> dict:
    """Edit the holder's details (not its stage: see the transitions); returns the changes."""
    holder = _lock(holder)
    _check_not_merged(holder)
    merged = {**_snapshot_raw(holder), **{k: v for k, v in data.items() if k in HOLDER_FIELDS}}
    _check_contact(merged)
    _not_in_future(data.get("first_contact_on"), "first_contact_on", "La date du premier accueil")
    first_action = holder.actions.order_by("date").values_list("date", flat=True).first()
    new_first = data.get("first_contact_on") or holder.first_contact_on
    if first_action and new_first > first_action:
        raise ValidationError(
            {
                "first_contact_on": "Le premier accueil ne peut suivre la première action "
                f"({long_date(first_action)})."
            }
        )
    before = _snapshot(holder)
    _apply_values(holder, data)
    holder.full_clean(exclude=["sectors", "stage"])
    holder.save()
    if "sectors" in data:
        if not data["sectors"]:
            raise ValidationError({"sectors": "Choisissez au moins un secteur."})
        holder.sectors.set(data["sectors"])
    changes = audit.diff(before, _snapshot(holder))
    if changes:
        audit.record(
            actor=actor, action="support.holder.update", target=holder, changes=_masked(changes)
        )
    return changes


def _masked(changes: dict) -> dict:
    return {
        field: [MASKED if old not in ("", None) else old, MASKED if new not in ("", None) else new]
        if field in PERSONAL_FIELDS
        else [old, new]
        for field, (old, new) in changes.items()
    }


def _snapshot_raw(holder: ProjectHolder) -> dict:
    return {field: getattr(holder, field) for field in HOLDER_FIELDS}


# --- stages (the workflow machine `ProjectHolder.stage`) ---------------------------------------


def next_stages(holder: ProjectHolder) -> list[str]:
    """The stages the machine leads to from the holder's current stage (the table, not who may)."""
    transitions = ProjectHolder._meta.get_field("stage").get_all_transitions(ProjectHolder)
    return [t.target for t in transitions if t.source in (holder.stage, "*")]


def check_transition(holder: ProjectHolder, *, to: str, on: datetime.date | None) -> None:
    """Raise a French `ValidationError` unless the holder may go to stage `to` on date `on`."""
    _check_not_merged(holder)
    current = Stage(holder.stage)
    target = Stage(to)
    possible = next_stages(holder)
    if target not in possible:
        if not possible:
            reason = f"le projet est à l'étape finale « {current.label} »"
        else:
            expected = " ou ".join(f"« {Stage(s).label} »" for s in possible)
            reason = (
                f"le projet est à l'étape « {current.label} » ; les étapes possibles sont "
                f"{expected} (les étapes se suivent sans en sauter ni revenir en arrière)"
            )
        raise ValidationError(f"Passage à l'étape « {target.label} » impossible : {reason}.")
    if on is None:
        raise ValidationError({"on": "Indiquez la date."})
    _not_in_future(on, "on", "La date")
    previous_date = getattr(holder, STAGE_DATE_FIELDS[current])
    if previous_date and on < previous_date:
        raise ValidationError(
            {
                "on": f"La date ne peut précéder celle de l'étape « {current.label} » "
                f"({long_date(previous_date)})."
            }
        )


def _move(
    holder: ProjectHolder, *, actor, to: str, on: datetime.date, reason: str, extra: dict
) -> ProjectHolder:
    """Check and run one transition of the locked holder: its date (and `extra` fields) are set
    here, the engine checks the actor's right, saves and logs it."""
    _refuse_nir(**{"reason" if to == Stage.ABANDONED else "note": reason})
    check_transition(holder, to=to, on=on)
    date_field = STAGE_DATE_FIELDS[Stage(to)]
    setattr(holder, date_field, on)
    for field, value in extra.items():
        setattr(holder, field, value)
    holder.full_clean(exclude=["sectors", "stage"])
    workflow.perform(
        workflow.transition_to(holder, "stage", to),
        actor=actor,
        reason=reason,
        changes=audit.snapshot(holder, [date_field, *(f for f in extra if f != "abandon_reason")]),
    )
    return holder


@transaction.atomic
def advance_stage(
    *, holder: ProjectHolder, actor, to: str, on: datetime.date, note: str = ""
) -> ProjectHolder:
    """Idée → émergence, émergence → structuration."""
    if to in {Stage.CREATION, Stage.ABANDONED}:
        raise ValidationError(
            "Une création se rattache à sa structure et un abandon se motive : "
            "utilisez l'action correspondante."
        )
    return _move(_lock(holder), actor=actor, to=to, on=on, reason=note, extra={})


@transaction.atomic
def abandon(*, holder: ProjectHolder, actor, on: datetime.date, reason: str) -> ProjectHolder:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez le motif de l'abandon."})
    return _move(
        _lock(holder),
        actor=actor,
        to=Stage.ABANDONED,
        on=on,
        reason=reason,
        extra={"abandon_reason": reason.strip()},
    )


@transaction.atomic
def record_creation(
    *,
    holder: ProjectHolder,
    actor,
    on: datetime.date,
    organisation: Organisation | None = None,
    new_organisation: dict | None = None,
    note: str = "",
) -> ProjectHolder:
    """Structuration → création: the project becomes an organisation of the directory, either one
    that exists (`organisation`) or a minimal one created now (`new_organisation`: name, and
    optionally legal_category and siren)."""
    holder = _lock(holder)
    if organisation is None and not new_organisation:
        raise ValidationError(
            {
                "organisation": "Une création se rattache à la structure créée : choisissez-la "
                "dans l'annuaire ou créez sa fiche."
            }
        )
    if organisation is not None and organisation.merged_into_id:
        raise ValidationError(
            {
                "organisation": f"« {organisation.name} » a été fusionnée dans une autre fiche : "
                "choisissez la fiche conservée."
            }
        )
    # The stage and date are checked before anything is created in the directory.
    check_transition(holder, to=Stage.CREATION, on=on)
    if organisation is None:
        organisation = directory_services.create_organisation(
            actor=actor,
            data={
                "name": new_organisation["name"],
                "legal_category": new_organisation.get("legal_category") or "",
                "siren": new_organisation.get("siren") or "",
                "creation_date": on,
                "sectors": list(holder.sectors.all()),
                "is_active": True,
            },
            head_office={"commune": holder.commune},
        )
    return _move(
        holder,
        actor=actor,
        to=Stage.CREATION,
        on=on,
        reason=note,
        extra={"organisation": organisation},
    )


# --- actions --------------------------------------------------------------------------------------


def _clean_action_values(holder: ProjectHolder, values: dict) -> dict:
    values = {field: values.get(field) for field in ACTION_FIELDS if field in values}
    _not_in_future(values.get("date"), "date", "La date de l'action")
    if values.get("reminder_on") and not (values.get("next_step") or "").strip():
        raise ValidationError(
            {"next_step": "Décrivez la prochaine étape sur laquelle porte la relance."}
        )
    if values.get("reminder_on") and values.get("date") and values["reminder_on"] < values["date"]:
        raise ValidationError({"reminder_on": "La relance ne peut précéder l'action."})
    if values.get("kind") == ActionKind.REFERRAL:
        if not values.get("partner_kind"):
            raise ValidationError({"partner_kind": "Choisissez le partenaire de l'orientation."})
        shared = list(values.get("shared_fields") or [])
        unknown = sorted(set(shared) - set(SHAREABLE_FIELDS))
        if unknown:
            raise ValidationError(
                {"shared_fields": f"Informations inconnues : {', '.join(unknown)}."}
            )
        contact = set(shared) & CONTACT_FIELDS
        if contact and holder.consent_scope != ConsentScope.PARTNERS:
            raise ValidationError(
                {
                    "shared_fields": "La personne n'a pas consenti à ce que ses coordonnées "
                    "soient transmises aux partenaires : décochez le courriel et le téléphone, "
                    "ou mettez d'abord à jour son consentement."
                }
            )
        values["shared_fields"] = [field for field in SHAREABLE_FIELDS if field in shared]
    else:
        values["partner_kind"] = ""
        values["partner_name"] = ""
        values["shared_fields"] = []
    for field in ("notes", "next_step", "partner_name"):
        values[field] = (values.get(field) or "").strip()
    _refuse_nir(**{field: values[field] for field in ("notes", "next_step", "partner_name")})
    return values


@transaction.atomic
def add_action(*, holder: ProjectHolder, actor, data: dict) -> Action:
    holder = _lock(holder)
    _check_not_merged(holder)
    values = _clean_action_values(holder, data)
    if values.get("date") and values["date"] < holder.first_contact_on:
        raise ValidationError(
            {
                "date": "L'action ne peut précéder le premier accueil "
                f"({long_date(holder.first_contact_on)})."
            }
        )
    action = Action(holder=holder, staff=actor if actor and actor.pk else None, **values)
    action.full_clean()
    action.save()
    audit.record(
        actor=actor,
        action="support.action.create",
        target=holder,
        changes={
            "action": action.pk,
            "type": action.get_kind_display(),
            "date": action.date.isoformat(),
            **(
                {
                    "partenaire": action.partner_label,
                    "informations_transmises": [
                        SHAREABLE_FIELDS[field] for field in action.shared_fields
                    ],
                }
                if action.is_referral
                else {}
            ),
        },
    )
    return action


@transaction.atomic
def update_action(*, action: Action, actor, data: dict) -> dict:
    """Correct an action (same checks as when it was added); returns the changes."""
    holder = _lock(action.holder)
    _check_not_merged(holder)
    action = Action.objects.select_for_update(of=("self",)).get(pk=action.pk)
    values = _clean_action_values(holder, {**_action_values(action), **data})
    if values.get("date") and values["date"] < holder.first_contact_on:
        raise ValidationError(
            {
                "date": "L'action ne peut précéder le premier accueil "
                f"({long_date(holder.first_contact_on)})."
            }
        )
    before = _action_values(action)
    for field, value in values.items():
        setattr(action, field, value)
    if action.reminder_on != before["reminder_on"]:
        action.reminder_done_on = None  # a new reminder date is a new reminder
    action.full_clean()
    action.save()
    changes = audit.diff(before, _action_values(action))
    if changes:
        audit.record(
            actor=actor,
            action="support.action.update",
            target=holder,
            changes={"action": action.pk, **changes},
        )
    return changes


def _action_values(action: Action) -> dict:
    return {field: getattr(action, field) for field in ACTION_FIELDS}


@transaction.atomic
def complete_reminder(*, action: Action, actor, on: datetime.date | None = None) -> Action:
    action = Action.objects.select_for_update(of=("self",)).get(pk=action.pk)
    if action.reminder_on is None:
        raise ValidationError("Cette action n'a pas de relance.")
    if action.reminder_done_on is not None:
        raise ValidationError("Cette relance est déjà faite.")
    action.reminder_done_on = on or _today()
    action.save(update_fields=["reminder_done_on"])
    audit.record(
        actor=actor,
        action="support.action.complete_reminder",
        target=action.holder,
        changes={"action": action.pk, "relance": action.reminder_on.isoformat()},
    )
    return action


# --- merging duplicates ---------------------------------------------------------------------------


@transaction.atomic
def merge_holders(
    *, keep: ProjectHolder, duplicate: ProjectHolder, actor, reason: str
) -> ProjectHolder:
    """Merge `duplicate` into `keep`: its actions and sectors move to `keep`, its contact details
    fill blanks (with its consent), its earlier first contact is kept. The duplicate is never
    deleted: it is marked `merged_into`, leaves the lists and figures, and its audit log stays
    readable from the kept holder."""
    if keep.pk == duplicate.pk:
        raise ValidationError("Choisissez deux fiches différentes.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez le motif de la fusion."})
    _refuse_nir(reason=reason)
    locked = {
        holder.pk: holder
        for holder in ProjectHolder.objects.select_for_update(of=("self",))
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    if keep.merged_into_id or duplicate.merged_into_id:
        raise ValidationError("Une des deux fiches a déjà été fusionnée dans une autre.")
    if keep.erased_on or duplicate.erased_on:
        raise ValidationError(
            "Une fiche dont les données personnelles sont effacées ne se fusionne pas."
        )
    if duplicate.stage == Stage.CREATION and keep.stage != Stage.CREATION:
        raise ValidationError(
            "La fiche en double a abouti à une création : conservez plutôt celle-ci."
        )
    moved_actions = list(duplicate.actions.values_list("pk", flat=True))
    duplicate.actions.update(holder=keep)
    keep.sectors.add(*duplicate.sectors.all())
    filled = {}
    if not keep.email and not keep.phone and (duplicate.email or duplicate.phone):
        for field in ("email", "phone", "consent_on", "consent_scope"):
            filled[field] = getattr(duplicate, field)
    # The accompaniment began at the first contact with either record, whatever the stage
    # reached since (an earlier date keeps every stage date after it).
    if duplicate.first_contact_on < keep.first_contact_on:
        filled["first_contact_on"] = duplicate.first_contact_on
    for field, value in filled.items():
        setattr(keep, field, value)
    keep.phone_key = phone_key(keep.phone)
    keep.save()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    audit.record(
        actor=actor,
        action="support.holder.merge_into",
        target=duplicate,
        changes={"fusionne_dans": [None, str(keep)]},
        message=reason,
    )
    audit.record(
        actor=actor,
        action="support.holder.merge",
        target=keep,
        changes={
            "doublon": str(duplicate),
            "actions_deplacees": moved_actions,
            **_masked({field: [None, value] for field, value in filled.items()}),
        },
        message=reason,
    )
    return keep


# --- personal data reads --------------------------------------------------------------------------


def log_personal_read(*, actor, holder: ProjectHolder, what: str) -> None:
    """Every read of a holder's personal details goes to the audit log."""
    audit.record(
        actor=actor, action="support.holder.read_personal_data", target=holder, message=what
    )


# --- erasure (right to be forgotten) --------------------------------------------------------------

ERASED_NAME = "Porteur de projet (données effacées)"


def _erase_one(holder: ProjectHolder) -> int:
    """Erase one locked holder's personal details, its actions' free texts, and what the audit
    log and the transition log copied of them; returns the number of actions cleaned."""
    holder.name = ERASED_NAME
    holder.name_key = ""
    holder.email = holder.phone = holder.phone_key = ""
    holder.consent_on = None
    holder.consent_scope = ""
    holder.idea = "(effacé)"
    if holder.abandon_reason:
        holder.abandon_reason = "(effacé)"
    holder.erased_on = _today()
    holder.save()
    actions = holder.actions.update(notes="", partner_name="", shared_fields=[])
    # A reminder keeps a (neutral) next step: the database requires one.
    holder.actions.filter(reminder_on__isnull=True).update(next_step="")
    holder.actions.filter(reminder_on__isnull=False).update(next_step="(effacée)")
    holder.actions.filter(reminder_on__isnull=False, reminder_done_on__isnull=True).update(
        reminder_done_on=_today()
    )
    audit.erase_entries_for(holder)
    workflow.erase_log_for(holder)
    return actions


def _merged_into(holder: ProjectHolder) -> list[ProjectHolder]:
    """The holders merged into this one, and into those, locked."""
    found, pending = [], [holder.pk]
    while pending:
        rows = list(
            ProjectHolder.objects.select_for_update(of=("self",)).filter(merged_into__in=pending)
        )
        found += rows
        pending = [row.pk for row in rows]
    return found


@transaction.atomic
def erase_personal_data(*, holder: ProjectHolder, actor, reason: str) -> ProjectHolder:
    """Erase the holder's personal details (name, contact, idea, free-text notes) at the person's
    request or at the end of the retention period, and those of the records merged into it (the
    same person): everywhere, the audit log's reasons and changes and the transition log's
    reasons included. What the figures need stays: sectors, commune, QPV, stages and their dates,
    action kinds and dates, the organisation created, who did what and when. The reason of the
    erasure is recorded after it (it must not name the person)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez le motif de l'effacement."})
    _refuse_nir(reason=reason)
    holder = _lock(holder)
    if holder.erased_on:
        raise ValidationError("Les données personnelles de ce porteur sont déjà effacées.")
    actions = _erase_one(holder)
    merged = _merged_into(holder)
    for duplicate in merged:
        actions += _erase_one(duplicate)
    audit.record(
        actor=actor,
        action="support.holder.erase",
        target=holder,
        changes={
            "actions nettoyées": actions,
            **({"fiches fusionnées effacées": [str(d) for d in merged]} if merged else {}),
        },
        message=reason,
    )
    return holder
