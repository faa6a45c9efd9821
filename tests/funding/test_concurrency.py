"""Envelope safety: simultaneous decisions never make the granted total exceed the envelope
(row lock on the envelope, balance checked inside the transaction), on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from essor.funding import services
from essor.funding.models import Envelope, Share, ShareStatus
from tests.concurrency import OK, run_together
from tests.funding.factories import (
    EnvelopeFactory,
    ProgrammeFactory,
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
