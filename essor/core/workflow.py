"""The workflow engine: every status of every model is a state machine written the same way.

A machine is a `django_fsm.FSMField` (django-fsm-2) declared `protected=True` on a model that
inherits `django_fsm.FSMModelMixin`, so that no code can set the status by hand. Its transitions are
the model's methods decorated with `django_fsm.transition`, grouped in one block of the model, and
each declares in one place:

- `source` and `target`;
- `permission=`: who may do it, a predicate `(instance, user) -> bool` that `perform` checks and
  that the views and templates use (`available_actions`) to offer only the allowed actions;
- `custom=step(...)`: the action's audit code (`module.object.verb`), its French labels (the
  button, and the journal's past tense), whether a reason is required, and whether Essor itself
  performs it (`system=True`: derived states, never offered to people).

`perform(instance.method, actor=…, reason=…)` runs one transition: it locks the row, checks that
the state it read is still the state in the database, checks the table and the actor's right,
requires the reason, runs the method, saves the instance, and writes one transition-log row
(django-fsm-log's `StateLog`, written by its `post_transition` receiver with `by` and
`description`) and one audit entry. Services prepare the instance's other fields (an amount, a
date) before calling `perform`, which saves them with the new state.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django_fsm import FSMFieldMixin, Transition
from django_fsm_log.helpers import FSMLogDescriptor

from essor.core import audit
from essor.core.steps import Step, step  # noqa: F401 (models declare their steps through here)


@dataclasses.dataclass(frozen=True)
class Action:
    """A transition offered to someone from the current state (see `available_actions`)."""

    name: str
    target: str
    step: Step

    @property
    def label(self) -> str:
        return self.step.label

    @property
    def reason_required(self) -> bool:
        return self.step.reason


@dataclasses.dataclass(frozen=True)
class Machine:
    """One FSM field of one model, with its transitions (for tests, docs and registries)."""

    model: type[models.Model]
    field: FSMFieldMixin
    transitions: tuple[Transition, ...]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    def state_label(self, value) -> str:
        return state_label(self.field, value)


# --- introspection ---------------------------------------------------------------------------


def machines() -> list[Machine]:
    """Every state machine of the project (each concrete model's FSM fields)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, FSMFieldMixin) and model in field.transitions:
                order = {value: index for index, (value, _) in enumerate(field.flatchoices)}
                transitions = tuple(
                    sorted(
                        field.get_all_transitions(model),
                        key=lambda t, order=order: (
                            order.get(t.source, -1),
                            order.get(t.target, -1),
                        ),
                    )
                )
                found.append(Machine(model=model, field=field, transitions=transitions))
    return found


def step_of(transition: Transition) -> Step:
    declared = (transition.custom or {}).get("step")
    if not isinstance(declared, Step):
        raise TypeError(
            f"La transition {transition.name} n'a pas de `custom=step(...)` (workflow.step)."
        )
    return declared


def state_label(field: models.Field, value) -> str:
    """The French label of a state (« — » for none)."""
    if value in (None, ""):
        return "—"
    return str(dict(field.flatchoices).get(value, value))


def register_audit_actions() -> None:
    """Every transition's audit code is an audit action with its French label."""
    for machine in machines():
        for transition in machine.transitions:
            declared = step_of(transition)
            audit.register_actions({declared.action: declared.done})


# --- running a transition --------------------------------------------------------------------


def _meta(bound_method):
    meta = getattr(bound_method, "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{bound_method!r} n'est pas une transition (django_fsm.transition).")
    return meta


def _describe(instance: models.Model) -> str:
    return f"« {instance} »"


def perform(
    bound_method: Callable,
    *,
    actor,
    reason: str = "",
    changes: dict | None = None,
    reason_field: str = "reason",
    save_fields: tuple[str, ...] | None = None,
    audit_target: models.Model | None = None,
    **kwargs,
):
    """Runs the transition `bound_method` (e.g. `share.start_instruction`) for `actor`.

    Raises `ValidationError` (French) when the transition is not allowed from the current state,
    when the state changed in the meantime, or when a required reason is missing (keyed by
    `reason_field`, the form's field); `PermissionDenied` when `actor` may not do it. The whole
    instance is saved, or only the state and `save_fields` when given (other processes may be
    writing the row's other columns). The audit entry targets the instance, or `audit_target` when
    a record's history is read on another object (a revision on its organisation). Returns what
    the method returns."""
    meta = _meta(bound_method)
    instance = bound_method.__self__
    field = meta.field
    model = type(instance)
    with transaction.atomic():
        current = (
            model._base_manager.select_for_update(of=("self",))
            .filter(pk=instance.pk)
            .values_list(field.attname, flat=True)
            .get()
        )
        seen = field.value_from_object(instance)
        if current != seen:
            raise ValidationError(
                f"{_describe(instance)} a changé entre-temps : son état est désormais "
                f"« {state_label(field, current)} ». Rechargez la page."
            )
        transition = meta.get_transition(current)
        if transition is None or not meta.conditions_met(instance, current):
            wanted = step_of(next(iter(meta.transitions.values()))).label
            raise ValidationError(
                f"« {wanted} » est impossible : {_describe(instance)} est à l'état "
                f"« {state_label(field, current)} »."
            )
        declared = step_of(transition)
        if not declared.system and not transition.has_perm(instance, actor):
            raise PermissionDenied(
                f"Vous n'avez pas le droit de faire cette action (« {declared.label} »)."
            )
        reason = (reason or "").strip()
        if declared.reason and not reason:
            raise ValidationError({reason_field: f"Indiquez le motif ({declared.label.lower()})."})
        by = actor if getattr(actor, "is_authenticated", False) else None
        with (
            FSMLogDescriptor(instance, "by", by),
            FSMLogDescriptor(instance, "description", reason),
        ):
            result = bound_method(**kwargs)
        if save_fields is None:
            instance.save()
        else:
            instance.save(update_fields=[field.name, *save_fields])
        audit.record(
            actor=actor,
            action=declared.action,
            target=audit_target if audit_target is not None else instance,
            changes={
                str(field.verbose_name): [
                    state_label(field, current),
                    state_label(field, transition.target),
                ],
                **(changes or {}),
            },
            message=reason,
        )
    return result


def transition_to(instance: models.Model, field_name: str, target) -> Callable | None:
    """The bound transition method leading from the current state of `field_name` to `target`,
    or None (used by derived states: the service computes the state, the machine moves to it)."""
    field = instance._meta.get_field(field_name)
    current = field.value_from_object(instance)
    for transition in field.get_all_transitions(type(instance)):
        if transition.target == target and transition.source in (current, "*"):
            return getattr(instance, transition.name)
    return None


# --- what people may do, and what happened ---------------------------------------------------


def available_actions(instance: models.Model, user, field_name: str = "status") -> list[Action]:
    """The transitions `user` may perform from the instance's current state, in declaration
    order of their targets (system transitions are never offered)."""
    field = instance._meta.get_field(field_name)
    current = field.value_from_object(instance)
    offered = []
    for transition in field.get_all_transitions(type(instance)):
        if transition.source not in (current, "*"):
            continue
        declared = step_of(transition)
        if declared.system:
            continue
        meta = getattr(instance, transition.name)._django_fsm
        if not meta.conditions_met(instance, current):
            continue
        if not transition.has_perm(instance, user):
            continue
        offered.append(Action(name=transition.name, target=transition.target, step=declared))
    return offered


def may(bound_method: Callable, user) -> bool:
    """Whether `user` may perform this transition now (a view's guard, a template's test)."""
    meta = _meta(bound_method)
    instance = bound_method.__self__
    current = meta.field.value_from_object(instance)
    transition = meta.get_transition(current)
    if transition is None or not meta.conditions_met(instance, current):
        return False
    return not step_of(transition).system and transition.has_perm(instance, user)


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    at: object
    by: object
    label: str
    source: str
    target: str
    reason: str


def history(instance: models.Model, field_name: str = "status") -> list[HistoryRow]:
    """The transition log of one record, oldest first, with French labels."""
    from django_fsm_log.models import StateLog

    field = instance._meta.get_field(field_name)
    steps = {t.name: step_of(t) for t in field.get_all_transitions(type(instance))}
    rows = []
    for log in StateLog.objects.for_(instance).select_related("by").order_by("timestamp", "pk"):
        declared = steps.get(log.transition)
        rows.append(
            HistoryRow(
                at=log.timestamp,
                by=log.by,
                label=declared.done if declared else log.transition,
                source=state_label(field, log.source_state),
                target=state_label(field, log.state),
                reason=log.description or "",
            )
        )
    return rows


def erase_log_for(instance: models.Model) -> int:
    """When a person's data is erased: blanks the reasons the transition log kept for this record
    (a reason may be health data); the moves, their dates and authors stay."""
    from django_fsm_log.models import StateLog

    return StateLog.objects.for_(instance).update(description="")


def table_rows(machine: Machine) -> list[dict]:
    """A machine's table as rows: from, to, action code, button, reason required, who."""
    rows = []
    for transition in machine.transitions:
        declared = step_of(transition)
        if declared.system:
            who = "Essor, automatiquement"
        else:
            who = (transition.permission.__doc__ or transition.permission.__name__).strip()
        rows.append(
            {
                "from": "(tout état)"
                if transition.source == "*"
                else machine.state_label(transition.source),
                "to": machine.state_label(transition.target),
                "action": declared.action,
                "label": declared.label,
                "reason": "oui" if declared.reason else "non",
                "who": who.splitlines()[0],
            }
        )
    return rows


def markdown_table(machine: Machine) -> str:
    """The table as the modules' READMEs show it (`manage.py workflow_tables` prints them)."""
    lines = [
        f"`{machine.label}` ({machine.model._meta.verbose_name}) :",
        "",
        "| De | Vers | Action | Bouton | Motif exigé | Qui |",
        "|---|---|---|---|---|---|",
    ]
    for row in table_rows(machine):
        lines.append(
            f"| {row['from']} | {row['to']} | `{row['action']}` | {row['label']} | "
            f"{row['reason']} | {row['who']} |"
        )
    return "\n".join(lines) + "\n"
