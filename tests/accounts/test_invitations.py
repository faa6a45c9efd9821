import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from essor.accounts import services
from essor.accounts.models import Invitation, Membership, Role, User
from essor.accounts.selectors import hash_token
from essor.core.models import AuditLogEntry
from tests.accounts.factories import TEST_TOKEN, make_invitation
from tests.conftest import PASSWORD, committed
from tests.factories import UserFactory


def _accept_url(token=TEST_TOKEN):
    return reverse("accounts:accept_invitation", kwargs={"token": token})


def _invite(client, organisation, email="nouvelle@example.org", role=Role.ORGANISATION_MEMBER):
    with committed():
        return client.post(
            reverse("accounts:invite", kwargs={"pk": organisation.pk}),
            {"email": email, "role": role},
        )


def test_organisation_admin_invites_by_email_with_a_hashed_token(client, world):
    client.force_login(world.users["organisation_admin"])
    response = _invite(client, world.structure, email="Nouvelle@Example.org")
    assert response["Location"] == reverse("accounts:members", kwargs={"pk": world.structure.pk})
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("nouvelle@example.org", "organisation_member")
    assert invitation.invited_by == world.users["organisation_admin"]
    assert mail.outbox[0].to == ["nouvelle@example.org"]
    token = re.search(r"/compte/invitations/accepter/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash


def test_invitation_expires_after_the_configured_days(world, settings):
    settings.INVITATION_VALID_DAYS = 3
    invitation = services.invite(
        actor=world.users["organisation_admin"],
        organisation=world.structure,
        email="nouvelle@example.org",
        role=Role.ORGANISATION_ADMIN,
    )
    delay = invitation.expires_at - invitation.created_at
    assert timedelta(days=3) - timedelta(seconds=5) < delay <= timedelta(days=3)


def test_invitation_sent_is_in_the_audit_log(world):
    invitation = services.invite(
        actor=world.users["organisation_admin"],
        organisation=world.structure,
        email="nouvelle@example.org",
        role=Role.ORGANISATION_MEMBER,
    )
    entry = AuditLogEntry.objects.get(action="accounts.invitation.send")
    assert entry.target_id == str(invitation.pk)
    assert entry.actor == world.users["organisation_admin"]


@pytest.mark.parametrize("role", [Role.AGENCY_STAFF, Role.AGENCY_ADMIN, Role.FUNDER_INSTRUCTOR])
def test_organisation_admin_cannot_grant_agency_or_funder_roles(world, role):
    with pytest.raises(ValidationError, match="Vous ne pouvez pas attribuer ce rôle"):
        services.invite(
            actor=world.users["organisation_admin"],
            organisation=world.structure,
            email="nouvelle@example.org",
            role=role,
        )
    assert not Invitation.objects.exists()


def test_invite_form_offers_an_organisation_admin_only_organisation_roles(client, world):
    client.force_login(world.users["organisation_admin"])
    response = client.get(reverse("accounts:invite", kwargs={"pk": world.structure.pk}))
    choices = [value for value, _ in response.context["form"].fields["role"].choices]
    assert choices == [Role.ORGANISATION_ADMIN, Role.ORGANISATION_MEMBER]


def test_posting_an_agency_role_as_organisation_admin_is_refused(client, world):
    client.force_login(world.users["organisation_admin"])
    response = _invite(client, world.structure, role=Role.AGENCY_ADMIN)
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not Invitation.objects.exists()


def test_organisation_admin_cannot_invite_into_another_organisation(client, world):
    client.force_login(world.users["organisation_admin"])
    assert _invite(client, world.other_structure).status_code == 403


def test_agency_admin_invites_agency_staff_into_the_agency_only(world):
    actor = world.users["agency_admin"]
    services.invite(
        actor=actor, organisation=world.agency, email="a@example.org", role=Role.AGENCY_STAFF
    )
    with pytest.raises(ValidationError):
        services.invite(
            actor=actor, organisation=world.structure, email="b@example.org", role=Role.AGENCY_STAFF
        )
    with pytest.raises(ValidationError):
        services.invite(
            actor=actor,
            organisation=world.agency,
            email="c@example.org",
            role=Role.ORGANISATION_ADMIN,
        )


def test_agency_admin_invites_a_funder_instructor_and_organisation_admins(world):
    actor = world.users["agency_admin"]
    services.invite(
        actor=actor, organisation=world.funder, email="a@example.org", role=Role.FUNDER_INSTRUCTOR
    )
    services.invite(
        actor=actor,
        organisation=world.other_structure,
        email="b@example.org",
        role=Role.ORGANISATION_ADMIN,
    )
    assert Invitation.objects.count() == 2


def test_agency_staff_cannot_invite(world):
    with pytest.raises(ValidationError):
        services.invite(
            actor=world.users["agency_staff"],
            organisation=world.structure,
            email="a@example.org",
            role=Role.ORGANISATION_MEMBER,
        )


def test_a_second_pending_invitation_for_the_same_address_is_refused(world):
    make_invitation(world.structure, email="nouvelle@example.org")
    with pytest.raises(ValidationError, match="déjà en attente"):
        services.invite(
            actor=world.users["organisation_admin"],
            organisation=world.structure,
            email="Nouvelle@example.org",
            role=Role.ORGANISATION_MEMBER,
        )


def test_an_expired_invitation_does_not_block_a_new_one(world):
    old = make_invitation(world.structure, expires_at=timezone.now() - timedelta(days=1))
    services.invite(
        actor=world.users["organisation_admin"],
        organisation=world.structure,
        email=old.email,
        role=Role.ORGANISATION_MEMBER,
    )
    old.refresh_from_db()
    assert old.revoked_at is not None


def test_inviting_an_existing_member_is_refused(world):
    with pytest.raises(ValidationError, match="déjà membre"):
        services.invite(
            actor=world.users["organisation_admin"],
            organisation=world.structure,
            email=world.users["organisation_member"].email,
            role=Role.ORGANISATION_ADMIN,
        )


def test_new_person_accepts_with_name_and_password(client, world):
    invitation = make_invitation(world.structure, role=Role.ORGANISATION_ADMIN)
    response = client.post(
        _accept_url(), {"full_name": "Nina Martin", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:dashboard")
    user = User.objects.get(email=invitation.email)
    assert user.full_name == "Nina Martin"
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == Role.ORGANISATION_ADMIN
    assert client.session["_auth_user_id"] == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditLogEntry.objects.filter(
        action="accounts.invitation.accept", target_id=str(invitation.pk)
    ).exists()


def test_new_person_with_a_weak_password_gets_nothing(client, world):
    make_invitation(world.structure)
    response = client.post(
        _accept_url(), {"full_name": "Nina", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_existing_user_logged_in_with_that_email_accepts(client, world):
    person = UserFactory(email="invitee@example.org")
    make_invitation(world.structure)
    client.force_login(person)
    assert client.get(_accept_url()).status_code == 200
    response = client.post(_accept_url())
    assert response["Location"] == reverse("accounts:dashboard")
    assert Membership.objects.get(user=person).organisation == world.structure


def test_existing_user_not_logged_in_is_asked_to_log_in(client, world):
    UserFactory(email="invitee@example.org")
    make_invitation(world.structure)
    response = client.post(
        _accept_url(), {"full_name": "X", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.context["must_log_in"]
    assert not Membership.objects.filter(user__email="invitee@example.org").exists()


def test_user_logged_in_with_another_email_cannot_accept(client, world):
    make_invitation(world.structure)
    intruder = world.users["authenticated"]
    client.force_login(intruder)
    response = client.post(_accept_url())
    assert response.context["wrong_account"]
    assert not Membership.objects.filter(user=intruder).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "Cette invitation a expiré."),
        ({"revoked_at": timezone.now()}, "Cette invitation a été annulée."),
        ({"accepted_at": timezone.now()}, "Cette invitation a déjà été utilisée."),
    ],
    ids=["expired", "revoked", "used"],
)
def test_expired_revoked_or_used_token_gets_a_clear_page(client, world, fields, message):
    make_invitation(world.structure, **fields)
    response = client.post(
        _accept_url(), {"full_name": "X", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 410
    assert message in response.content.decode()
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_unknown_token_gets_a_french_404_page(client, world):
    response = client.get(_accept_url("jeton-inconnu"))
    assert response.status_code == 404
    assert "Ce lien d'invitation n'existe pas" in response.content.decode()


def test_a_token_accepted_once_cannot_be_accepted_again(world):
    invitation = make_invitation(world.structure)
    services.accept_invitation(invitation=invitation, full_name="Nina", password=PASSWORD)
    with pytest.raises(ValidationError, match="déjà été utilisée"):
        services.accept_invitation(
            invitation=invitation, user=User.objects.get(email="invitee@example.org")
        )
    assert Membership.objects.filter(user__email="invitee@example.org").count() == 1


def test_admin_revokes_a_pending_invitation(client, world):
    invitation = make_invitation(world.structure)
    client.force_login(world.users["organisation_admin"])
    client.post(reverse("accounts:revoke_invitation", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditLogEntry.objects.filter(
        action="accounts.invitation.revoke", target_id=str(invitation.pk)
    ).exists()


def test_admin_of_another_organisation_cannot_revoke(client, world):
    invitation = make_invitation(world.other_structure)
    client.force_login(world.users["organisation_admin"])
    response = client.post(reverse("accounts:revoke_invitation", kwargs={"pk": invitation.pk}))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
