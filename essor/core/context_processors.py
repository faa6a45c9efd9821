from django.conf import settings

from essor.core.permissions import is_agency_member


def essor(request):
    user = getattr(request, "user", None)
    return {
        "platform_name": settings.ESSOR_PLATFORM_NAME,
        "agency_name": settings.ESSOR_AGENCY_NAME,
        "is_agency_member": bool(user and user.is_authenticated and is_agency_member(user)),
    }
