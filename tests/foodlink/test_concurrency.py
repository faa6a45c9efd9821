"""Two buyers click « Attribuer » at the same moment: the consultation is awarded once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from essor.foodlink import services
from essor.foodlink.models import Award, Consultation, Offer
from tests.foodlink.factories import AlertFactory, ConsultationFactory, OfferFactory


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_awards_award_once():
    consultation = ConsultationFactory(status=Consultation.Status.CLOSED)
    offers = []
    for price in ("1.00", "1.20"):
        offer = OfferFactory(consultation=consultation, unit_price=Decimal(price))
        AlertFactory(consultation=consultation, producer=offer.producer)
        offers.append(offer)
    barrier = threading.Barrier(2)
    outcomes = []

    def click(offer):
        try:
            barrier.wait(timeout=10)
            services.award_consultation(
                actor=None, consultation=consultation, quantities={offer.pk: Decimal("100")}
            )
            outcomes.append("awarded")
        except services.FoodlinkError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["Cette consultation a déjà été attribuée.", "awarded"]
    assert Award.objects.filter(consultation=consultation).count() == 1
    assert Offer.objects.filter(status=Offer.Status.RETAINED).count() == 1
