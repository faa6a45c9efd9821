"""Reads of the directory."""

from essor.directory.models import Organisation


def public_organisations():
    """Organisations shown in the public directory: ESS, active, not merged."""
    return Organisation.objects.filter(is_ess=True, is_active=True, merged_into__isnull=True)


def home_figures() -> dict:
    return {"organisation_count": public_organisations().count()}
