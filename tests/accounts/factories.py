"""Factories and helpers of the accounts tests."""

from datetime import timedelta

from django.utils import timezone

from essor.accounts.models import Invitation, LoginFailure, Role
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


def make_failures(count: int, *, email="x@example.org", ip_address=None, age=timedelta(0)):
    failures = [LoginFailure(email=email, ip_address=ip_address) for _ in range(count)]
    LoginFailure.objects.bulk_create(failures)
    # created_at is auto_now_add: move it afterwards to simulate older failures.
    LoginFailure.objects.filter(pk__in=[f.pk for f in failures]).update(
        created_at=timezone.now() - age
    )
    return failures
