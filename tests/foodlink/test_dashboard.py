import datetime
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from essor.foodlink import selectors, services
from essor.foodlink.models import Consultation
from tests.foodlink.factories import (
    AlertFactory,
    BuyerProfileFactory,
    ConsultationFactory,
    OfferFactory,
    PurchaseFactory,
    make_buyer,
)
from tests.foodlink.queries import queries_of

pytestmark = pytest.mark.django_db
YEAR = 2025
FAMILIES = ["FRUITS_ET_LEGUMES", "PRODUITS_LAITIERS", "BOISSONS", "AUTRES"]


def _purchase(buyer, amount, group="none", family="FRUITS_ET_LEGUMES", **kwargs):
    return PurchaseFactory(
        buyer=buyer,
        price_ht=Decimal(amount),
        egalim_group=group,
        family=family,
        date=datetime.date(YEAR, 5, 1),
        **kwargs,
    )


def test_rates_follow_the_egalim_grouping():
    buyer = BuyerProfileFactory()
    _purchase(buyer, "250", "bio", is_local=True)
    _purchase(buyer, "150", "siqo", is_short_chain=True)
    _purchase(buyer, "100", "externalities")
    _purchase(buyer, "500", "none")
    figures = selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=YEAR)
    assert figures["bio_rate"] == Decimal("25.0")
    assert figures["egalim_rate"] == Decimal("50.0")
    assert figures["local_rate"] == Decimal("25.0")
    assert figures["short_chain_rate"] == Decimal("15.0")
    assert figures["bio_reached"] and figures["egalim_reached"]


def test_purchases_of_another_year_or_canteen_do_not_count():
    buyer = BuyerProfileFactory()
    _purchase(buyer, "100", "none")
    PurchaseFactory(buyer=buyer, egalim_group="bio", date=datetime.date(YEAR - 1, 12, 31))
    _purchase(BuyerProfileFactory(), "100", "bio")
    figures = selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=YEAR)
    assert figures["bio_rate"] == Decimal("0.0")
    assert not figures["bio_reached"]


def test_figures_by_family():
    buyer = BuyerProfileFactory()
    _purchase(buyer, "100", "bio", family="PRODUITS_LAITIERS")
    _purchase(buyer, "300", "none", family="PRODUITS_LAITIERS")
    _purchase(buyer, "50", "siqo", family="VIANDES_VOLAILLES")
    families = {
        row["code"]: row
        for row in selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=YEAR)["families"]
    }
    assert families["PRODUITS_LAITIERS"]["bio_rate"] == Decimal("25.0")
    assert families["VIANDES_VOLAILLES"]["egalim_rate"] == Decimal("100.0")
    assert "BOISSONS" not in families


def test_dashboard_page_takes_constant_queries(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    url = f"/circuits-courts/cantines/{buyer.pk}/egalim/?annee={YEAR}"
    counts = []
    for size in (3, 30):
        for index in range(size):
            _purchase(buyer, "10", ["bio", "none", "siqo"][index % 3], family=FAMILIES[index % 4])
        counts.append(queries_of(client, url))
    assert counts[0] == counts[1]


def test_dashboard_page_shows_rates_against_targets(client, world):
    buyer = make_buyer(world.structure)
    _purchase(buyer, "100", "bio")
    client.force_login(world.users["organisation_member"])
    body = client.get(f"/circuits-courts/cantines/{buyer.pk}/egalim/?annee={YEAR}").content.decode()
    assert "100,0" in body and "objectif 20" in body


@override_settings(ESSOR_FOODLINK_PROCUREMENT_THRESHOLD=Decimal("1000"))
def test_guard_warns_from_80_percent_of_the_threshold():
    buyer = BuyerProfileFactory()
    PurchaseFactory(buyer=buyer, price_ht=Decimal("850"), family="PRODUITS_LAITIERS")
    rows = {
        row["code"]: row
        for row in selectors.procurement_guard(buyer_id=buyer.pk, year=timezone.localdate().year)
    }
    assert rows["PRODUITS_LAITIERS"]["level"] == "warning"
    assert rows["FRUITS_ET_LEGUMES"]["level"] == "ok"


@override_settings(ESSOR_FOODLINK_PROCUREMENT_THRESHOLD=Decimal("1000"))
def test_guard_counts_awarded_offers_not_yet_delivered():
    buyer = BuyerProfileFactory()
    consultation = ConsultationFactory(
        buyer=buyer, status=Consultation.Status.AWARDED, awarded_at=timezone.now()
    )
    OfferFactory(
        consultation=consultation,
        status="retained",
        awarded_quantity=Decimal("100"),
        unit_price=Decimal("10"),
    )
    spend = selectors.family_spend(buyer_id=buyer.pk, year=timezone.localdate().year)
    assert spend["FRUITS_ET_LEGUMES"] == Decimal("1000.00")


@override_settings(ESSOR_FOODLINK_PROCUREMENT_THRESHOLD=Decimal("1000"))
def test_award_crossing_the_threshold_needs_an_explicit_confirmation(world):
    buyer = make_buyer(world.structure)
    PurchaseFactory(buyer=buyer, price_ht=Decimal("900"))
    consultation = ConsultationFactory(buyer=buyer, status=Consultation.Status.CLOSED)
    offer = OfferFactory(consultation=consultation, unit_price=Decimal("2"))
    AlertFactory(consultation=consultation, producer=offer.producer)
    with pytest.raises(services.FoodlinkError) as error:
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={offer.pk: Decimal("100")},
        )
    assert (
        "à 1\u202f100,00\u00a0€ HT, au-delà du seuil de 1\u202f000\u00a0€ HT"
        in (error.value.messages[0])
    )
    outcome = services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={offer.pk: Decimal("100")},
        confirm_threshold=True,
    )
    assert outcome.award.crosses_threshold


@override_settings(ESSOR_FOODLINK_PROCUREMENT_THRESHOLD=Decimal("1000"))
def test_an_award_on_new_years_eve_in_utc_counts_in_the_year_of_paris(world, monkeypatch):
    # 23:30 UTC on 31 December 2026 is 2027 in Paris: the award adds to the 2027 purchases.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    )
    buyer = make_buyer(world.structure)
    PurchaseFactory(buyer=buyer, price_ht=Decimal("900"), date=datetime.date(2027, 1, 1))
    consultation = ConsultationFactory(buyer=buyer, status=Consultation.Status.CLOSED)
    offer = OfferFactory(consultation=consultation, unit_price=Decimal("2"))
    AlertFactory(consultation=consultation, producer=offer.producer)
    with pytest.raises(services.FoodlinkError, match="au-delà du seuil"):
        services.award_consultation(
            actor=None, consultation=consultation, quantities={offer.pk: Decimal("100")}
        )


def test_default_threshold_is_40000():
    assert selectors.procurement_threshold() == Decimal("40000")


def test_a_rate_on_the_edge_rounds_half_up():
    # 12.25 € of bio in 100 € is 12.25 %: half to even would say 12.2.
    buyer = BuyerProfileFactory()
    _purchase(buyer, "12.25", "bio")
    _purchase(buyer, "87.75", "none")
    figures = selectors.egalim_dashboard(buyer_ids=[buyer.pk], year=YEAR)
    assert figures["bio_rate"] == Decimal("12.3")
    assert figures["families"][0]["bio_rate"] == Decimal("12.3")
