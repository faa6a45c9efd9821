"""The CIGALES pages in a real browser: one h1, no serious axe-core violation, usable at 375 px."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser_support import axe_violations
from tests.cigales.url_access import club_of
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page):
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_officer_runs_the_club_on_a_phone(live_server, page):
    world = World()
    club = club_of(world)
    member = club.members.get(user=world.users["organisation_member"])
    project = club.projects.first()
    meeting = club.meetings.first()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + reverse("cigales:home"))
    _check(page)
    _login(page, live_server, world.users["organisation_admin"])
    for url in (
        reverse("cigales:my_clubs"),
        reverse("cigales:club", args=[club.pk]),
        reverse("cigales:savings", args=[club.pk]),
        reverse("cigales:meeting", args=[meeting.pk]),
        reverse("cigales:project", args=[project.pk]),
        reverse("cigales:statement", args=[member.pk, timezone.localdate().year]),
    ):
        page.goto(live_server.url + url)
        _check(page)


def test_the_cud_reads_the_dashboard(live_server, page):
    world = World()
    club_of(world)

    _login(page, live_server, world.users["funder_instructor"])
    page.goto(live_server.url + reverse("cigales:dashboard"))

    _check(page)
