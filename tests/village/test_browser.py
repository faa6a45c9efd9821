"""The village pages in a real browser: one h1, no serious axe-core violation, the plan at 375 px."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from essor.village import services, stamps
from essor.village.models import ExhibitorApplication, Question
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World
from tests.village.factories import ApplicationFactory, EditionFactory, StandFactory, ZoneFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page):
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def test_the_public_page_and_the_agencys_pages(live_server, page):
    world = World()
    today = datetime.date.today()
    edition = EditionFactory(
        starts_on=today + datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=31),
        call_closes_on=today + datetime.timedelta(days=5),
    )
    stand = StandFactory(zone=ZoneFactory(edition=edition, name="Manger local"))
    application = ApplicationFactory(
        edition=edition, organisation=world.structure, status=ExhibitorApplication.Status.ACCEPTED
    )
    application.stand = stand
    application.save(update_fields=["stand"])

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + reverse("village:home"))
    _check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(world.users["agency_admin"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    for url in (
        reverse("village:manage"),
        reverse("village:edition_manage", args=[edition.pk]),
        reverse("village:review", args=[application.pk]),
    ):
        page.goto(live_server.url + url)
        _check(page)


def test_a_visitor_plays_on_a_phone_with_a_screen_reader_friendly_page(live_server, page):
    today = timezone.localdate()
    edition = EditionFactory(
        starts_on=today, ends_on=today, call_closes_on=today - datetime.timedelta(days=1)
    )
    stand = StandFactory(zone=ZoneFactory(edition=edition, name="Réemploi"), number=4)
    services.key_of(stand)
    Question.objects.create(
        stand=stand,
        text="Que répare-t-on ici ?",
        choice_1="Des vélos",
        choice_2="Des montres",
        correct=1,
    )
    page.set_viewport_size({"width": 375, "height": 800})

    for url in (reverse("village:programme"), reverse("village:passport")):
        page.goto(live_server.url + url)
        _check(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Obtenir mon passeport").click()
    page.goto(
        live_server.url + reverse("village:stamp", args=[stand.pk, stamps.rotating_token(stand)])
    )
    _check(page)
    page.get_by_label("Des vélos").check()
    page.get_by_role("button", name="Tamponner mon passeport").click()
    assert "Tampon reçu" in page.content()
    _check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
