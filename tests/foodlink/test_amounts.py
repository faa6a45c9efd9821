"""Amounts in euros are rounded half up to the cent first; every check (strictly positive,
maximum, totals, threshold) applies to the rounded amount, in forms, services and imports."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from essor.core.formats import euros
from essor.foodlink import selectors, services
from essor.foodlink.forms import OfferForm, ProducerProfileForm, PurchaseForm
from essor.foodlink.models import Consultation, Offer, Purchase
from tests.foodlink.factories import (
    AlertFactory,
    ConsultationFactory,
    OfferFactory,
    ProducerProfileFactory,
    PurchaseFactory,
    commune,
    make_buyer,
    make_producer,
)

pytestmark = pytest.mark.django_db
S = Consultation.Status
MAX_PRICE = f"ne peut pas dépasser {euros(Decimal('99999999.99'))}"


def _published_with_producer(world):
    producer = make_producer(world.other_structure)
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    AlertFactory(consultation=consultation, producer=producer)
    return consultation, producer


def _offer(world, price: str) -> Offer:
    consultation, producer = _published_with_producer(world)
    return services.submit_offer(
        actor=None,
        consultation=consultation,
        producer=producer,
        unit_price=Decimal(price),
        quantity=Decimal("10"),
    )


# --- Offers ----------------------------------------------------------------------------------


def test_an_offer_price_is_rounded_half_up_to_the_cent(world):
    offer = _offer(world, "12.345")

    assert Offer.objects.get(pk=offer.pk).unit_price == Decimal("12.35")


def test_an_offer_price_rounding_to_zero_is_refused_as_not_positive(world):
    with pytest.raises(services.FoodlinkError) as error:
        _offer(world, "0.004")

    assert "strictement positif" in error.value.message_dict["unit_price"][0]
    assert not Offer.objects.exists()


def test_an_offer_price_rounding_above_the_maximum_is_refused(world):
    with pytest.raises(services.FoodlinkError) as error:
        _offer(world, "99999999.995")

    assert MAX_PRICE in error.value.message_dict["unit_price"][0]


def _offer_form(price: str) -> OfferForm:
    return OfferForm(
        {"unit_price": price, "quantity": "10", "comment": ""},
        consultation=ConsultationFactory(),
    )


def test_the_offer_form_rounds_the_price_half_up():
    form = _offer_form("12.345")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit_price"] == Decimal("12.35")


def test_the_offer_form_refuses_a_price_rounding_to_zero_as_not_positive():
    form = _offer_form("0.004")

    assert not form.is_valid()
    assert "strictement positif" in form.errors["unit_price"][0]


def test_the_offer_form_refuses_a_price_rounding_above_the_maximum():
    form = _offer_form("99999999.995")

    assert not form.is_valid()
    assert MAX_PRICE in form.errors["unit_price"][0]


# --- Purchases typed in ----------------------------------------------------------------------


def _purchase_data(price) -> dict:
    return {
        "description": "Comté",
        "supplier": "Fromagerie",
        "date": timezone.localdate(),
        "price_ht": price,
        "family": "PRODUITS_LAITIERS",
        "characteristics": [],
    }


def test_a_purchase_price_is_rounded_half_up_to_the_cent(world):
    purchase = services.record_purchase(
        actor=None, buyer=make_buyer(world.structure), **_purchase_data(Decimal("12.345"))
    )

    assert Purchase.objects.get(pk=purchase.pk).price_ht == Decimal("12.35")


def test_a_purchase_price_rounding_to_zero_is_refused_as_not_positive(world):
    with pytest.raises(services.FoodlinkError) as error:
        services.record_purchase(
            actor=None, buyer=make_buyer(world.structure), **_purchase_data(Decimal("0.004"))
        )

    assert "strictement positif" in error.value.message_dict["price_ht"][0]
    assert not Purchase.objects.exists()


def _purchase_form(world, price: str) -> PurchaseForm:
    buyer = make_buyer(world.structure)
    data = {**_purchase_data(price), "buyer": buyer.pk, "date": timezone.localdate().isoformat()}
    return PurchaseForm(data, buyers=type(buyer).objects.filter(pk=buyer.pk))


def test_the_purchase_form_rounds_the_price_half_up(world):
    form = _purchase_form(world, "12.345")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["price_ht"] == Decimal("12.35")


def test_the_purchase_form_refuses_a_price_rounding_to_zero_as_not_positive(world):
    form = _purchase_form(world, "0.004")

    assert not form.is_valid()
    assert "strictement positif" in form.errors["price_ht"][0]


# --- A producer's minimum order ----------------------------------------------------------------


def _profile_form(minimum: str) -> ProducerProfileForm:
    return ProducerProfileForm(
        {"commune": commune().insee_code, "delivery_radius_km": "30", "minimum_order": minimum}
    )


def test_the_minimum_order_is_rounded_half_up_to_the_cent():
    form = _profile_form("12.345")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["minimum_order"] == Decimal("12.35")


def test_a_proposed_minimum_order_is_stored_rounded_half_up(world):
    producer = ProducerProfileFactory(organisation=world.structure)
    revision = services.propose_producer_changes(
        actor=world.users["organisation_admin"],
        producer=producer,
        data={"profile": {"minimum_order": "12.345"}},
    )
    services.review_producer_revision(
        actor=world.users["agency_staff"], revision=revision, approve=True
    )

    producer.refresh_from_db()
    assert producer.minimum_order == Decimal("12.35")


# --- Awards: line amounts, totals and the threshold ----------------------------------------------


def _closed_with_offer(world, price: str) -> Offer:
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.CLOSED)
    offer = OfferFactory(consultation=consultation, unit_price=Decimal(price))
    AlertFactory(consultation=consultation, producer=offer.producer)
    return offer


def test_an_awarded_line_is_rounded_half_up_and_the_total_is_the_sum_of_the_lines(world):
    offer = _closed_with_offer(world, "0.25")

    outcome = services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=offer.consultation,
        quantities={offer.pk: Decimal("0.5")},
    )

    assert Offer.objects.get(pk=offer.pk).awarded_amount == Decimal("0.13")
    assert outcome.award.total_amount == Decimal("0.13")


@override_settings(ESSOR_FOODLINK_PROCUREMENT_THRESHOLD=Decimal("100"))
def test_the_threshold_applies_to_the_rounded_award(world):
    offer = _closed_with_offer(world, "0.25")
    PurchaseFactory(buyer=offer.consultation.buyer, price_ht=Decimal("99.87"))

    # 0.25 × 0.5 = 0.125, 0.13 once rounded half up: 99.87 + 0.13 reaches the threshold.
    with pytest.raises(services.FoodlinkError, match="au-delà du seuil"):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=offer.consultation,
            quantities={offer.pk: Decimal("0.5")},
        )


def test_the_yearly_spend_counts_each_awarded_line_rounded_half_up():
    consultation = ConsultationFactory(status=S.AWARDED, awarded_at=timezone.now())
    for _ in range(2):
        OfferFactory(
            consultation=consultation,
            status=Offer.Status.RETAINED,
            awarded_quantity=Decimal("0.5"),
            unit_price=Decimal("0.25"),
        )

    spend = selectors.family_spend(buyer_id=consultation.buyer_id, year=timezone.localdate().year)

    assert spend["FRUITS_ET_LEGUMES"] == Decimal("0.26")


def test_a_delivered_line_becomes_a_purchase_of_the_rounded_amount(world):
    offer = _closed_with_offer(world, "0.25")
    consultation = offer.consultation
    actor = world.users["organisation_admin"]
    services.award_consultation(
        actor=actor, consultation=consultation, quantities={offer.pk: Decimal("0.5")}
    )
    services.issue_purchase_orders(actor=actor, consultation=consultation)
    services.confirm_delivery(
        actor=actor,
        consultation=consultation,
        delivered_on=timezone.localdate(),
    )

    assert Purchase.objects.get().price_ht == Decimal("0.13")
