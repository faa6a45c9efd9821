"""Factories and helpers of the accounts tests."""

from datetime import timedelta

from django.utils import timezone

from essor.accounts.models import Invitation, Role
from essor.accounts.selectors import hash_token

TEST_TOKEN = "jeton-de-test"


def make_invitation(
    organisation,
    *,
    email="invitee@example.org",
    role=Role.ORGANISATION_MEMBER,
    token=TEST_TOKEN,
    invited_by=None,
    **fields,
) -> Invitation:
    fields.setdefault("expires_at", timezone.now() + timedelta(days=7))
    return Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by=invited_by,
        **fields,
    )
