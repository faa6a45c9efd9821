"""Who may do what. Access is denied by default: views declare what they require."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from essor.accounts.models import AGENCY_ROLES, Role


def _roles(user) -> set[str]:
    """Roles of a user across its memberships, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_essor_roles", None)
    if cached is None:
        cached = set(user.memberships.values_list("role", flat=True))
        user._essor_roles = cached
    return cached


def is_agency_member(user) -> bool:
    return bool(_roles(user) & AGENCY_ROLES)


def is_agency_admin(user) -> bool:
    return Role.AGENCY_ADMIN in _roles(user)


def is_funder_instructor(user) -> bool:
    return Role.FUNDER_INSTRUCTOR in _roles(user)


def administered_organisation_ids(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        user.memberships.filter(role=Role.ORGANISATION_ADMIN).values_list(
            "organisation_id", flat=True
        )
    )


def can_admin_organisation(user, organisation) -> bool:
    """Organisation admins of that structure, and the agency."""
    return is_agency_member(user) or organisation.pk in administered_organisation_ids(user)


def require(predicate):
    """View decorator: anonymous users go to the login page, others without `predicate` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied("Vous n'avez pas accès à cette page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agency_required = require(is_agency_member)
agency_admin_required = require(is_agency_admin)
login_required = require(lambda user: True)


def agency_decides(instance, user) -> bool:
    """L'agence (ses administrateurs et chargés de mission)."""
    return is_agency_member(user)
