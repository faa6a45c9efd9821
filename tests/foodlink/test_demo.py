"""The foodlink demo step: 60 producers, 15 canteens, consultations in every state, two years of
purchases, all removed with the demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from stdnum.fr import siren as siren_check
from stdnum.fr import siret as siret_check

from essor.foodlink.models import BuyerProfile, Consultation, ProducerProfile, Purchase


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def test_sixty_producers_in_the_cud_and_the_partner_territory(demo):
    producers = ProducerProfile.objects.select_related("organisation", "territory")
    assert producers.count() == 60
    assert all(
        p.organisation.is_demo and siren_check.is_valid(p.organisation.siren) for p in producers
    )
    assert len({p.territory_id for p in producers}) == 2
    assert "Circuits courts : 60 producteurs, 15 cantines" in demo


def test_fifteen_canteens_with_valid_sirets(demo):
    sirets = list(BuyerProfile.objects.values_list("siret", flat=True))
    assert len(sirets) == 15 and all(siret_check.is_valid(siret) for siret in sirets)


def test_consultations_in_every_state(demo):
    states = set(Consultation.objects.values_list("status", flat=True))
    assert states == set(Consultation.Status.values)


def test_two_years_of_purchases(demo):
    years = {date.year for date in Purchase.objects.dates("date", "year")}
    assert len(years) == 2


def test_demo_accounts_are_listed(demo):
    assert "producteur@demo.essor.fr" in demo and "cantine@demo.essor.fr" in demo


def test_removing_the_demo_removes_the_foodlink_data(demo):
    from essor.demo.loader import remove_demo_data

    remove_demo_data()
    assert not ProducerProfile.objects.exists() and not Purchase.objects.exists()
