import datetime
from decimal import Decimal

import pytest

from essor.core.indicators import get
from tests.foodlink.factories import BuyerProfileFactory, ProductFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


def test_egalim_by_sector_is_published_to_the_observatory():
    buyer = BuyerProfileFactory(sector="school")
    PurchaseFactory(
        buyer=buyer, price_ht=Decimal("30"), egalim_group="bio", date=datetime.date(2025, 3, 1)
    )
    PurchaseFactory(
        buyer=buyer, price_ht=Decimal("70"), egalim_group="none", date=datetime.date(2025, 3, 1)
    )
    table = get("foodlink.egalim_by_sector").compute(2025)
    assert table.row_keys == ["school"]
    assert table.rows == [
        ["Restauration scolaire", 1, Decimal("100.00"), Decimal("30.0"), Decimal("30.0")]
    ]


def test_producers_by_family_counts_published_producers():
    ProductFactory(family="BOISSONS")
    ProductFactory(family="BOISSONS", producer__is_published=False)
    table = get("foodlink.producers_by_family").compute(2025)
    assert dict(zip(table.row_keys, (row[1] for row in table.rows), strict=True))["BOISSONS"] == 1
