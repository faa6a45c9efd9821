"""Indicators published to the observatory: requested, granted and paid by funder, programme,
sector and commune."""

from decimal import Decimal

import pytest
from django.utils import timezone

from essor.core.indicators import registered
from essor.funding import services
from tests.funding import helpers

pytestmark = pytest.mark.django_db


def test_funding_registers_four_indicators():
    keys = {indicator.key for indicator in registered(module="funding")}
    assert keys == {
        "funding.amounts_by_funder",
        "funding.amounts_by_programme",
        "funding.amounts_by_sector",
        "funding.amounts_by_commune",
    }


def test_amounts_by_funder_counts_requested_granted_and_paid(world):
    share = helpers.accepted_share(world, amount="15000")
    services.set_payment_status(
        payment=share.agreement.payments.get(),
        actor=world.users["funder_instructor"],
        status="paid",
        paid_on=timezone.localdate(),
    )
    helpers.share_in_instruction(world)
    indicator = next(i for i in registered(module="funding") if i.key.endswith("by_funder"))
    table = indicator.compute(timezone.localdate().year)
    assert table.rows == [
        [world.funder.name, Decimal("40000"), Decimal("15000"), Decimal("15000"), 1]
    ]
