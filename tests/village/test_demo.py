"""The village module's demo step: an edition with its call open, 3 zones, 40 exhibitors."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from essor.demo import registry
from essor.village.models import Edition, ExhibitorApplication

Status = ExhibitorApplication.Status


@pytest.fixture(scope="module")
def village_demo(django_db_setup, django_db_blocker):
    """The directory's demo data and the village step only, loaded once."""
    from essor.demo.village import load, remove

    saved = dict(registry._STEPS)
    registry._STEPS.clear()
    registry.register_step(registry.DemoStep("village", 60, load=load, remove=remove))
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
def demo(village_demo, db):
    return village_demo


def _upcoming():
    return Edition.objects.order_by("-starts_on").first()


def test_one_edition_with_three_zones_and_forty_exhibitors(demo):
    edition = _upcoming()
    assert edition.zones.count() == 3
    assert edition.applications.count() == 40
    assert "40 candidatures d'exposants, 31 animations au programme" in demo
    assert edition.routes.count() == 2


def test_every_step_of_the_call_is_shown_and_every_accepted_exhibitor_has_a_stand(demo):
    applications = ExhibitorApplication.objects.filter(edition=_upcoming())
    assert set(applications.values_list("status", flat=True)) == set(Status.values) - {
        Status.WITHDRAWN
    }
    accepted = applications.filter(status__in=[Status.ACCEPTED, Status.CONFIRMED])
    assert accepted.count() == 30
    assert not accepted.filter(stand__isnull=True).exists()


def test_the_demo_structures_admin_may_apply_to_the_open_call(demo, client):
    from essor.accounts.models import Membership, Role

    admin = (
        Membership.objects.filter(role=Role.ORGANISATION_ADMIN, user__email__contains="@demo.")
        .select_related("user", "organisation")
        .first()
    )
    client.force_login(admin.user)
    body = client.get(reverse("village:my_applications")).content.decode()
    edition = _upcoming()
    assert reverse("village:application_create", args=[edition.pk, admin.organisation.pk]) in body


def test_last_years_village_has_500_passports_their_stamps_and_a_done_draw(demo):
    from essor.village.models import Passport, Stamp

    past = Edition.objects.order_by("starts_on").first()
    assert Passport.objects.filter(edition=past).count() == 500
    stamps = Stamp.objects.filter(stand__edition=past)
    assert stamps.count() > 2000
    assert all(past.starts_on <= stamp.stamped_at.date() <= past.ends_on for stamp in stamps[:50])
    assert len(past.draw.winners) == 5
    assert not past.passports.filter(entry__first_name__gt="").exists()
