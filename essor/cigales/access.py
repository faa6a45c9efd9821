"""Who sees which club. A member sees their club; its officers edit its ledger and meetings; the
regional association (the administrators of the organisation a club names as its association)
and the agency see every club; the CUD and the other funders see the pole's aggregates only."""

from essor.cigales.models import Club, Member, is_officer
from essor.core.permissions import (
    administered_organisation_ids,
    is_agency_member,
    is_funder_instructor,
)


def is_association_staff(user) -> bool:
    """Administrators of a regional association that some club names."""
    if not user.is_authenticated:
        return False
    administered = administered_organisation_ids(user)
    return bool(administered) and Club.objects.filter(association_id__in=administered).exists()


def sees_every_club(user) -> bool:
    return user.is_authenticated and (is_agency_member(user) or is_association_staff(user))


def sees_dashboard(user) -> bool:
    """The pole's dashboard (aggregates): the agency, the association and the funders (the CUD)."""
    return sees_every_club(user) or (user.is_authenticated and is_funder_instructor(user))


def member_of(user, club: Club) -> Member | None:
    """The user's current membership of the club, if any."""
    if not user.is_authenticated:
        return None
    return Member.objects.filter(club=club, user=user, left_on__isnull=True).order_by("pk").first()


def can_view_club(user, club: Club) -> bool:
    return sees_every_club(user) or member_of(user, club) is not None


def can_edit_club(user, club: Club) -> bool:
    """Officers edit their club's ledger, meetings and investments; so does the agency."""
    return user.is_authenticated and (is_agency_member(user) or is_officer(user, club))


def clubs_of(user):
    """The clubs a person sees in their list."""
    if sees_every_club(user):
        return Club.objects.all()
    if not user.is_authenticated:
        return Club.objects.none()
    return Club.objects.filter(members__user=user, members__left_on__isnull=True).distinct()
