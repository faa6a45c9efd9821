"""Reads of accounts data: lock-out state, memberships, members and invitations."""

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from essor.accounts.memberships import ORGANISATION_ROLES, memberships_of_user
from essor.accounts.models import Invitation, LoginFailure, Membership, Role, User
from essor.directory.models import OrganisationClaim


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lockout_minutes_remaining(*, email: str, ip_address: str | None) -> int:
    """Minutes before a new attempt is allowed for that e-mail or IP (0: not locked).

    A key is locked while it has LOGIN_MAX_FAILURES failures within LOGIN_LOCKOUT_MINUTES; the lock
    lifts when the oldest of the most recent N failures leaves the window.
    """
    limit = settings.LOGIN_MAX_FAILURES
    window = timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    recent = LoginFailure.objects.filter(created_at__gt=now - window)
    remaining = timedelta(0)
    filters = [{"email": normalize_email(email)}]
    if ip_address:
        filters.append({"ip_address": ip_address})
    for lookup in filters:
        times = list(
            recent.filter(**lookup)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            remaining = max(remaining, times[-1] + window - now)
    if remaining <= timedelta(0):
        return 0
    return max(1, math.ceil(remaining.total_seconds() / 60))


def memberships_of(user):
    """The person's own memberships with their organisation (one query)."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def claims_of(user):
    """The person's requests to manage an organisation, newest first (one query)."""
    return (
        OrganisationClaim.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-created_at", "-pk")
    )


_ROLE_ORDER = Case(
    *(When(role=role, then=Value(position)) for position, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


def members_of(organisation):
    """Memberships of an organisation, admins first, with their person (one query)."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by(_ROLE_ORDER, "user__full_name", "user__email")
    )


def pending_invitations(organisation):
    """Invitations not yet accepted, revoked or expired (one query)."""
    return (
        Invitation.objects.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def invitation_state(invitation: Invitation) -> str:
    """'accepted', 'revoked', 'expired' or 'pending'."""
    if invitation.accepted_at:
        return "accepted"
    if invitation.revoked_at:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


AGENCY_ORGANISATION_ROLES = (Role.AGENCY_ADMIN, Role.AGENCY_STAFF)


def grantable_roles(user, organisation) -> tuple[str, ...]:
    """Roles `user` may grant (invite with, change to, or take away) in `organisation`.

    Agency roles exist only in the agency organisation and only agency admins grant them; agency
    admins also grant funder_instructor and the organisation roles anywhere else; an organisation's
    own admins grant the organisation roles only.
    """
    memberships = memberships_of_user(user)
    if memberships.is_agency_admin:
        if organisation.is_agency:
            return AGENCY_ORGANISATION_ROLES
        return (*ORGANISATION_ROLES, Role.FUNDER_INSTRUCTOR)
    if not organisation.is_agency and organisation.pk in memberships.administered_organisation_ids:
        return ORGANISATION_ROLES
    return ()


def can_manage_members(user, organisation) -> bool:
    return bool(grantable_roles(user, organisation))


def admin_role_of(organisation) -> str:
    """The role an organisation must always keep at least one holder of."""
    return Role.AGENCY_ADMIN if organisation.is_agency else Role.ORGANISATION_ADMIN


def user_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=normalize_email(email)).exists()
