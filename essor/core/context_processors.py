from django.conf import settings

from essor import __version__ as essor_version
from essor.core.navigation import entries_for
from essor.core.permissions import is_agency_member


def essor(request):
    user = getattr(request, "user", None)
    is_agency = bool(user and user.is_authenticated and is_agency_member(user))
    return {
        "platform_name": settings.ESSOR_PLATFORM_NAME,
        "agency_name": settings.ESSOR_AGENCY_NAME,
        "essor_version": essor_version,
        "is_agency_member": is_agency,
        "module_nav": entries_for(user, is_agency=is_agency),
    }
