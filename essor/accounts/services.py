"""Writes of accounts data: sign-in lockouts, sign-up, invitations, memberships and the e-mails
each person chooses to receive."""

import secrets
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from essor.accounts import selectors
from essor.accounts.models import Invitation, Membership, Role, User, organisation_model
from essor.core import notifications
from essor.core.audit import record
from essor.core.mail import send_later
from essor.core.models import EmailOptOut

# --- Failed sign-ins (counted by django-axes) -----------------------------------------------------


def clear_login_lockouts(*, email: str) -> int:
    """Forget an account's failed sign-ins from every address: its owner has just proved they hold
    the mailbox (by choosing a new password from the e-mailed link)."""
    return axes_reset(username=selectors.normalize_email(email))


# --- Sign-up -----------------------------------------------------------------------------------


def request_sign_up(*, email: str) -> None:
    """Answer a sign-up by e-mail only, so that the page says the same whether or not the address
    has an account: a new address gets a link to create the account (nothing is stored before it
    is followed, so nobody can create an account on someone else's address), a known one a warning
    with a link to choose a new password."""
    email = selectors.normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    context = _account_email_context()
    if user is None:
        path = reverse("accounts:signup_confirm", kwargs={"token": _sign_up_token(email)})
        subject = f"Créer votre compte sur {settings.ESSOR_PLATFORM_NAME}"
        template = "accounts/email/sign_up.txt"
        context.update(
            link=context["site_url"] + path, valid_hours=settings.SIGNUP_LINK_VALID_HOURS
        )
    else:
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        subject = f"Tentative d'inscription avec votre adresse sur {settings.ESSOR_PLATFORM_NAME}"
        template = "accounts/email/sign_up_existing.txt"
        context.update(
            reset_url=context["site_url"] + path,
            login_url=context["site_url"] + reverse("accounts:login"),
        )
    with translation.override("fr"):
        body = render_to_string(template, {**context, "email": email})
    send_later(subject=subject, body=body, to=[email])


def _sign_up_token(email: str) -> str:
    return signing.dumps(email, salt=selectors.SIGN_UP_LINK_SALT)


def _account_email_context() -> dict:
    return {
        "site_url": settings.SITE_URL.rstrip("/"),
        "platform_name": settings.ESSOR_PLATFORM_NAME,
        "agency_name": settings.ESSOR_AGENCY_NAME,
    }


def sign_up(*, email: str, full_name: str, password: str) -> User:
    with transaction.atomic():
        email = selectors.normalize_email(email)
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"email": "Un compte existe déjà avec cette adresse électronique."}
            )
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
        record(actor=user, action="accounts.user.sign_up", target=user)
        return user


# --- Invitations -------------------------------------------------------------------------------


def _check_can_grant(actor, organisation, role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": "Rôle inconnu."})
    if role not in selectors.grantable_roles(actor, organisation):
        raise ValidationError(
            {"role": "Vous ne pouvez pas attribuer ce rôle dans cette structure."}
        )


def invite(*, actor: User, organisation, email: str, role: str) -> Invitation:
    """Create an invitation and e-mail its link; the raw token exists only in that e-mail (and in
    the queue until the e-mail is sent: `core.mail` then erases its body)."""
    email = selectors.normalize_email(email)
    _check_can_grant(actor, organisation, role)
    with transaction.atomic():
        organisation_model().objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise ValidationError({"email": "Cette personne est déjà membre de cette structure."})
        now = timezone.now()
        unfinished = Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        if unfinished.filter(expires_at__gt=now).exists():
            raise ValidationError(
                {"email": "Une invitation est déjà en attente pour cette adresse."}
            )
        # An expired invitation still blocks the "one pending per address" constraint: close it.
        unfinished.update(revoked_at=now)
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            token_hash=selectors.hash_token(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        record(
            actor=actor,
            action="accounts.invitation.send",
            target=invitation,
            changes={"email": email, "role": role, "organisation": organisation.pk},
        )
        _send_invitation_email(invitation, token)
    return invitation


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    path = reverse("accounts:accept_invitation", kwargs={"token": token})
    with translation.override("fr"):
        context = {
            "invitation": invitation,
            "accept_url": settings.SITE_URL.rstrip("/") + path,
            "platform_name": settings.ESSOR_PLATFORM_NAME,
            "agency_name": settings.ESSOR_AGENCY_NAME,
            "expires_at": timezone.localtime(invitation.expires_at),
        }
        subject = (
            f"Invitation à rejoindre {invitation.organisation} sur {settings.ESSOR_PLATFORM_NAME}"
        )
        body = render_to_string("accounts/email/invitation.txt", context)
    send_later(subject=subject, body=body, to=[invitation.email])


def revoke_invitation(*, actor: User, invitation: Invitation) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        if not selectors.can_manage_members(actor, invitation.organisation):
            raise ValidationError("Vous ne pouvez pas gérer les invitations de cette structure.")
        if selectors.invitation_state(invitation) != "pending":
            raise ValidationError("Cette invitation n'est plus en attente.")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(actor=actor, action="accounts.invitation.revoke", target=invitation)
        return invitation


INVALID_INVITATION_MESSAGES = {
    "accepted": "Cette invitation a déjà été utilisée.",
    "revoked": "Cette invitation a été annulée.",
    "expired": "Cette invitation a expiré.",
}


def accept_invitation(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Accept as the logged-in `user` (same e-mail), or create the account from name + password."""
    with transaction.atomic():
        # Locked so that one token gives one membership, even when clicked twice at once.
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=invitation.pk)
        )
        state = selectors.invitation_state(invitation)
        if state != "pending":
            raise ValidationError(INVALID_INVITATION_MESSAGES[state])
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(
                    "Un compte existe déjà pour cette adresse : connectez-vous pour accepter."
                )
            user = User.objects.create_user(
                email=invitation.email, password=password, full_name=full_name
            )
            record(actor=user, action="accounts.user.sign_up", target=user)
        elif selectors.normalize_email(user.email) != invitation.email.lower():
            raise ValidationError(
                "Cette invitation est adressée à une autre adresse électronique que la vôtre."
            )
        if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
            raise ValidationError("Vous êtes déjà membre de cette structure.")
        membership = Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record(
            actor=user,
            action="accounts.invitation.accept",
            target=invitation,
            changes={"membership": membership.pk, "role": invitation.role},
        )
        return membership


# --- Memberships -------------------------------------------------------------------------------


def _lock_and_check_admin_kept(membership: Membership, *, new_role: str | None) -> None:
    """Refuse a change that would leave the organisation without an admin.

    The organisation row is locked (PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE
    transaction holds the write lock) so two admins cannot demote each other at the same time.
    """
    organisation = (
        organisation_model()
        .objects.select_for_update(of=("self",))
        .get(pk=membership.organisation_id)
    )
    admin_role = selectors.admin_role_of(organisation)
    if membership.role != admin_role or new_role == admin_role:
        return
    others = (
        Membership.objects.filter(organisation=organisation, role=admin_role)
        .exclude(pk=membership.pk)
        .count()
    )
    if others == 0:
        raise ValidationError(
            "La structure doit garder au moins un administrateur : "
            "nommez d'abord un autre administrateur."
        )


def change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .get(pk=membership.pk)
        )
        organisation = membership.organisation
        _check_can_grant(actor, organisation, role)
        _check_can_grant(actor, organisation, membership.role)
        if membership.role == role:
            return membership
        _lock_and_check_admin_kept(membership, new_role=role)
        old_role = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            actor=actor,
            action="accounts.membership.change_role",
            target=membership,
            changes={"role": [old_role, role]},
        )
        return membership


def remove_member(*, actor: User, membership: Membership) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("organisation", "user")
            .get(pk=membership.pk)
        )
        if membership.role not in selectors.grantable_roles(actor, membership.organisation):
            raise ValidationError("Vous ne pouvez pas retirer ce membre de cette structure.")
        _lock_and_check_admin_kept(membership, new_role=None)
        record(
            actor=actor,
            action="accounts.membership.remove",
            target=membership,
            changes={
                "user": membership.user.email,
                "organisation": membership.organisation_id,
                "role": membership.role,
            },
        )
        membership.delete()


# --- E-mails received ------------------------------------------------------------------------


@transaction.atomic
def set_email_preferences(*, user, received) -> set[str]:
    """Keeps the optional kinds of e-mail in `received` (codes) and refuses the others; mandatory
    e-mails are not the person's choice. Returns the refused codes."""
    optional = {category.code: category for category in notifications.optional_categories()}
    received = set(received)
    unknown = sorted(received - set(optional))
    if unknown:
        raise ValidationError(
            {"received": f"Type de courriel inconnu ou obligatoire : {', '.join(unknown)}."}
        )
    refused = set(optional) - received
    before = notifications.refused_categories(user)
    EmailOptOut.objects.filter(user=user).exclude(category__in=refused).delete()
    EmailOptOut.objects.bulk_create(
        [EmailOptOut(user=user, category=code) for code in sorted(refused - before)]
    )
    if before != refused:

        def labels(codes):
            return sorted(optional[code].label for code in codes if code in optional)

        record(
            actor=user,
            action="accounts.email_preferences.update",
            target=user,
            changes={"courriels refusés": [labels(before), labels(refused)]},
        )
    return refused
