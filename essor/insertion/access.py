"""Who sees what in the insertion module.

- An SIAE's staff (admins and members of its organisation) see its participants by name.
- The agency sees every SIAE's aggregates; a funder's instructors see the aggregates of the
  SIAE their organisation funds. Nobody but the staff sees a participant.
"""

from django.db.models import Q, QuerySet

from essor.accounts.memberships import memberships_of_user
from essor.core.permissions import is_agency_member, is_funder_instructor
from essor.insertion.models import Siae


def staff_organisation_ids(user) -> set[int]:
    return memberships_of_user(user).member_organisation_ids


def admin_organisation_ids(user) -> set[int]:
    return memberships_of_user(user).administered_organisation_ids


def funder_organisation_ids(user) -> set[int]:
    return memberships_of_user(user).funder_organisation_ids


def is_siae_staff(user, siae: Siae) -> bool:
    return siae.organisation_id in staff_organisation_ids(user)


def is_siae_admin(user, siae: Siae) -> bool:
    return siae.organisation_id in admin_organisation_ids(user)


def can_manage_siae(user, siae: Siae) -> bool:
    """Edit the profile and the annexes: the SIAE's admins and the agency."""
    return is_agency_member(user) or is_siae_admin(user, siae)


def aggregate_siaes(user) -> QuerySet[Siae]:
    """The SIAE whose aggregates the user may read."""
    if is_agency_member(user):
        return Siae.objects.all()
    staff = staff_organisation_ids(user)
    funders = funder_organisation_ids(user)
    if not staff and not funders:
        return Siae.objects.none()
    funded = Siae.funders.through.objects.filter(organisation_id__in=funders)
    return Siae.objects.filter(Q(organisation_id__in=staff) | Q(pk__in=funded.values("siae_id")))


def can_see_aggregates(user, siae: Siae) -> bool:
    if is_agency_member(user) or is_siae_staff(user, siae):
        return True
    funders = funder_organisation_ids(user)
    return bool(funders) and siae.funders.filter(pk__in=funders).exists()


def may_use_module(user) -> bool:
    """Cheap check for the navigation: agency, funders' instructors, members of an SIAE."""
    if not user.is_authenticated:
        return False
    if is_agency_member(user) or is_funder_instructor(user):
        return True
    staff = staff_organisation_ids(user)
    return bool(staff) and Siae.objects.filter(organisation_id__in=staff).exists()
