"""The third places' demo step: Work&Co replayed through the services, then removed."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from essor.demo import registry
from essor.demo.loader import remove_demo_data
from essor.tierslieu import selectors, selectors_creche
from essor.tierslieu.creche_models import CafeTally, CommissionSession, CrecheApplication
from essor.tierslieu.models import Booking, Invoice, Member, Place, SpaceKind


@pytest.fixture(scope="module")
def tierslieu_demo(django_db_setup, django_db_blocker):
    """The directory's demo data and the tierslieu step only, loaded once."""
    from essor.demo.tierslieu import load, remove

    saved = dict(registry._STEPS)
    registry._STEPS.clear()
    registry.register_step(registry.DemoStep("tierslieu", 70, load=load, remove=remove))
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            out = StringIO()
            call_command("load_demo", stdout=out, stderr=StringIO())
            yield out.getvalue()
            transaction.set_rollback(True)
    finally:
        registry._STEPS.clear()
        registry._STEPS.update(saved)


@pytest.fixture
def demo(tierslieu_demo, db):
    return tierslieu_demo


def test_work_and_co_has_its_spaces_in_a_tree(demo):
    place = Place.objects.get(slug="work-and-co")
    kinds = dict(place.spaces.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    assert kinds[SpaceKind.OFFICE] == 6
    assert kinds[SpaceKind.MEETING_ROOM] == 4
    assert place.spaces.get(kind=SpaceKind.HOT_DESKS).capacity == 20
    hall = place.spaces.get(kind=SpaceKind.HALL)
    assert set(hall.children.values_list("kind", flat=True)) == {SpaceKind.MEETING_ROOM}
    assert "Tiers-lieux : Work&Co, 60 membres" in demo


def test_sixty_members_some_at_solidarity_prices(demo):
    place = Place.objects.get(slug="work-and-co")
    assert Member.objects.filter(place=place).count() == 60
    assert place.members.filter(subscriptions__is_solidarity=True).distinct().count() >= 5


def test_a_year_of_bookings_never_overlapping(demo):
    confirmed = Booking.objects.filter(status=Booking.Status.CONFIRMED, exclusive=True)
    assert confirmed.count() > 500
    assert confirmed.filter(starts_at__gt=timezone.now()).exists()  # booked ahead
    for booking in confirmed.order_by("pk")[::10]:
        assert not (
            confirmed.filter(
                space=booking.space, starts_at__lt=booking.ends_at, ends_at__gt=booking.starts_at
            )
            .exclude(pk=booking.pk)
            .exists()
        )


def test_a_year_of_invoices_in_an_intact_chain_with_a_credit_note(demo):
    place = Place.objects.get(slug="work-and-co")
    assert Invoice.objects.filter(place=place).count() > 100
    assert Invoice.objects.filter(place=place, kind="credit_note").count() == 1
    assert selectors.chain_problems(place) == []


def test_a_creche_of_eleven_places_with_forty_applications_and_two_commissions(demo):
    place = Place.objects.get(slug="work-and-co")
    assert place.creche_places == 11
    assert CrecheApplication.objects.filter(place=place).count() == 40
    assert CommissionSession.objects.filter(place=place).count() == 2
    statuses = set(CrecheApplication.objects.values_list("status", flat=True))
    assert {"waiting", "accepted", "declined"} <= statuses
    assert selectors_creche.avip_share(place).places == 11


def test_the_cafe_counter_is_public(demo, client):
    tally = CafeTally.objects.get()
    assert tally.waiting > 0

    page = client.get(reverse("tierslieu:place", args=["work-and-co"])).content.decode()

    assert "cafés suspendus en attente" in page


def test_the_demo_is_removed_with_the_rest(demo):
    remove_demo_data()

    assert not Place.objects.exists()
    assert not Invoice.objects.exists()
