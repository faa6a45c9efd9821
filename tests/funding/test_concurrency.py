"""Envelope safety: simultaneous decisions never make the granted total exceed the envelope
(row lock on the envelope, balance checked inside the transaction), on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from essor.funding import services
from essor.funding.models import Application, Envelope, Share, ShareStatus
from tests.concurrency import OK, run_together
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
    instructor_of,
    share_in_instruction,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _decide_all(shares, amount):
    instructor = instructor_of(shares[0].programme.funder)

    def decide(share):
        return lambda: services.decide(
            share=share,
            actor=instructor,
            outcome=ShareStatus.ACCEPTED,
            amount=amount,
            motivation="Décision simultanée.",
        )

    outcomes = run_together(*[decide(share) for share in shares], expected=(ValidationError,))
    return ["accepted" if outcome == OK else "refused" for outcome in outcomes]


def test_two_instructors_deciding_at_once_cannot_exceed_the_envelope():
    programme = ProgrammeFactory()
    EnvelopeFactory(programme=programme, amount=Decimal("15000"))
    shares = [share_in_instruction(programme=programme, amount=Decimal("10000")) for _ in range(2)]
    outcomes = _decide_all(shares, "10000")
    assert sorted(outcomes) == ["accepted", "refused"]
    assert Envelope.objects.get(programme=programme).granted == Decimal("10000")


def test_twenty_concurrent_decisions_never_exceed_the_envelope():
    programme = ProgrammeFactory()
    EnvelopeFactory(programme=programme, amount=Decimal("50000"))
    shares = [share_in_instruction(programme=programme, amount=Decimal("5000")) for _ in range(20)]
    outcomes = _decide_all(shares, "5000")
    assert outcomes.count("accepted") == 10
    assert outcomes.count("refused") == 10
    envelope = Envelope.objects.get(programme=programme)
    assert envelope.granted == Decimal("50000")
    accepted = Share.objects.filter(programme=programme, status=ShareStatus.ACCEPTED)
    assert sum(share.amount_granted for share in accepted) == envelope.granted


def test_two_funders_deciding_one_application_at_once_leave_it_decided():
    # Each decision locks the application before its share: the second one derives the
    # application's state from the first's result, not from what it read before.
    application = ApplicationFactory()
    balanced_budget(application)
    shares, instructors = [], []
    for _ in range(2):
        programme = ProgrammeFactory()
        EnvelopeFactory(programme=programme)
        shares.append(
            ShareFactory(
                application=application,
                programme=programme,
                amount_requested=Decimal("5000"),
                status=ShareStatus.INSTRUCTION,
            )
        )
        instructors.append(instructor_of(programme.funder))

    outcomes = run_together(
        *[
            lambda share=share, instructor=instructor: services.decide(
                share=share,
                actor=instructor,
                outcome=ShareStatus.REFUSED,
                motivation="Décision simultanée.",
            )
            for share, instructor in zip(shares, instructors, strict=True)
        ]
    )

    assert outcomes == [OK, OK]
    assert Application.objects.get(pk=application.pk).status == Application.Status.DECIDED
