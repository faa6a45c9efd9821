"""The audit log: every service that changes data calls `record`.

Action codes follow one grammar, `module.object.verb` (`funding.share.accept`), and each has a
French label (`core.actions`: modules declare their codes in their `audit_actions.py`, the
workflow engine every transition's code). `record` refuses a code that breaks the grammar or has
no label, so that the journal never shows a bare code.

`changes` holds `{label: [old, new]}` or `{label: value}`; `snapshot` builds French labels and
French values from a model's fields (a choice's label, not its code; « Oui », not `True`), and
`display_value` prints whatever an older entry holds in French (« — » for nothing, never `None`).
"""

import datetime
import re
from decimal import Decimal

from django.db import models

from essor.core.actions import (  # noqa: F401 (the modules declare their codes through audit)
    ACTION_GRAMMAR,
    action_label,
    is_registered,
    register_actions,
    registered_actions,
)
from essor.core.models import AuditLogEntry


def record(
    *, actor, action: str, target: models.Model, changes=None, message: str = ""
) -> AuditLogEntry:
    if not is_registered(action):
        raise ValueError(
            f"Code d'action « {action} » inconnu : déclarez-le avec son libellé "
            "(audit.register_actions) dans le ready() du module."
        )
    return AuditLogEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        changes=_jsonable(changes or {}),
        message=message,
    )


def erase_entries_for(target: models.Model) -> int:
    """When a person's data is erased: blanks what the entries about `target` copied of it (the
    reason, the changes, the object's label, which becomes « <kind> n° <id> »); who did what and
    when stays. Returns the number of entries."""
    return AuditLogEntry.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).update(
        message="",
        changes={},
        target_label=f"{target._meta.verbose_name} n° {target.pk}"[:255],
    )


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


# --- French labels and values ----------------------------------------------------------------


def field_text(instance: models.Model, name: str) -> str:
    """The French text of one field's value: a choice's label, a related object's name, « Oui »
    or « Non », a French date or number, « — » for nothing."""
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(instance, name).all()) or "—"
    if field.is_relation:
        related = getattr(instance, name)
        return str(related) if related is not None else "—"
    value = getattr(instance, field.attname)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return display_value(value)


def snapshot(instance: models.Model, names) -> dict[str, str]:
    """{French field label: French value} of the named fields, for `diff` and `record`."""
    return {
        str(instance._meta.get_field(name).verbose_name): field_text(instance, name)
        for name in names
    }


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def display_value(value) -> str:
    """A stored value as French text (also for entries written before labels were stored)."""
    from essor.core import formats

    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, datetime.datetime):
        return formats.long_datetime(value)
    if isinstance(value, datetime.date):
        return formats.long_date(value)
    if isinstance(value, int | float | Decimal):
        return formats.number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, list | tuple):
        return ", ".join(display_value(item) for item in value)
    if isinstance(value, dict):
        return " ; ".join(f"{key} : {display_value(item)}" for key, item in value.items())
    text = str(value)
    if text in {"None", "True", "False"}:
        return {"None": "—", "True": "Oui", "False": "Non"}[text]
    if _DECIMAL.match(text):
        return display_value(Decimal(text))
    if _ISO_DATE.match(text):
        try:
            return formats.long_date(datetime.date.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATETIME.match(text):
        try:
            return formats.long_datetime(datetime.datetime.fromisoformat(text))
        except ValueError:
            return text
    return text
