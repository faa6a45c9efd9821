"""Shared helpers of the back-office tests."""

from essor.core.models import AuditLogEntry
from essor.directory.models import Organisation
from essor.directory.services import PUBLIC_PROFILE_FIELDS, snapshot


def profile_post(organisation: Organisation, **overrides) -> dict:
    """The profile form's POST data with the organisation's current values, then `overrides`."""
    values = snapshot(organisation, PUBLIC_PROFILE_FIELDS)
    values.update(overrides)
    data = {}
    for field, value in values.items():
        if field == "has_ess_statutes":
            if value:
                data[field] = "on"
        elif field == "sectors":
            data[field] = list(value)
        else:
            data[field] = "" if value is None else value
    return data


def audit_actions(organisation: Organisation) -> list[str]:
    return list(
        AuditLogEntry.objects.filter(
            target_type="directory.organisation", target_id=str(organisation.pk)
        ).values_list("action", flat=True)
    )
