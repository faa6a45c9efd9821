"""Who may do what. Access is denied by default: views declare what they require.

The roles are the `accounts` module's: it hands core, from its `AppConfig.ready()`, the function
that reads a person's memberships once per request (`use_memberships`), so that core imports no
module above it. That function returns an object answering `is_agency_member`,
`is_agency_admin`, `is_funder_instructor` and `administered_organisation_ids`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

_memberships_reader = None


def use_memberships(reader) -> None:
    global _memberships_reader
    _memberships_reader = reader


def memberships_of_user(user):
    if _memberships_reader is None:
        raise ImproperlyConfigured("Aucun lecteur des rôles : l'application accounts est absente.")
    return _memberships_reader(user)


def is_agency_member(user) -> bool:
    return memberships_of_user(user).is_agency_member


def is_agency_admin(user) -> bool:
    return memberships_of_user(user).is_agency_admin


def is_funder_instructor(user) -> bool:
    return memberships_of_user(user).is_funder_instructor


def administered_organisation_ids(user) -> set[int]:
    return memberships_of_user(user).administered_organisation_ids


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
