"""Reads of accounts data: memberships, members and invitations."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from essor.accounts.memberships import ORGANISATION_ROLES, memberships_of_user
from essor.accounts.models import Invitation, Membership, Role, User


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


SIGN_UP_LINK_SALT = "essor.accounts.sign-up"


def email_for_sign_up_token(token: str) -> str:
    """The address a sign-up link was sent to. Raises signing.SignatureExpired once the link is
    older than SIGNUP_LINK_VALID_HOURS, signing.BadSignature when it was not made by Essor."""
    return signing.loads(
        token, salt=SIGN_UP_LINK_SALT, max_age=timedelta(hours=settings.SIGNUP_LINK_VALID_HOURS)
    )


def memberships_of(user):
    """The person's own memberships with their organisation (one query)."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    )


def claims_of(user):
    """The person's requests to manage an organisation, newest first (one query)."""
    return user.organisation_claims.select_related("organisation").order_by("-created_at", "-pk")


_ROLE_ORDER = Case(
    *(When(role=role, then=Value(position)) for position, role in enumerate(Role.values)),
    output_field=IntegerField(),
)


def people_of(organisation_ids, roles) -> list[User]:
    """The active people holding one of `roles` in any of these organisations (to notify them)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=organisation_ids,
            memberships__role__in=roles,
        ).distinct()
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
