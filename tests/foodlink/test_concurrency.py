"""Two buyers click « Attribuer » at the same moment: the consultation is awarded once."""

from decimal import Decimal

import pytest

from essor.foodlink import services
from essor.foodlink.models import Award, Consultation, Offer
from tests.concurrency import OK, run_together
from tests.factories import MembershipFactory
from tests.foodlink.factories import AlertFactory, ConsultationFactory, OfferFactory


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_awards_award_once():
    consultation = ConsultationFactory(status=Consultation.Status.CLOSED)
    manager = MembershipFactory(organisation=consultation.buyer.organisation).user
    offers = []
    for price in ("1.00", "1.20"):
        offer = OfferFactory(consultation=consultation, unit_price=Decimal(price))
        AlertFactory(consultation=consultation, producer=offer.producer)
        offers.append(offer)
    outcomes = run_together(
        *[
            lambda offer=offer: services.award_consultation(
                actor=manager, consultation=consultation, quantities={offer.pk: Decimal("100")}
            )
            for offer in offers
        ],
        expected=(services.FoodlinkError,),
    )
    outcomes = ["awarded" if outcome == OK else outcome.messages[0] for outcome in outcomes]

    assert sorted(outcomes) == ["Cette consultation a déjà été attribuée.", "awarded"]
    assert Award.objects.filter(consultation=consultation).count() == 1
    assert Offer.objects.filter(status=Offer.Status.RETAINED).count() == 1
