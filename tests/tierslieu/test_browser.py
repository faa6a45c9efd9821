"""The third places' pages in a real browser: one h1, no serious axe-core violation, usable at
375 px — the public grid, a member booking on a phone, the manager's and the crèche's pages."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World
from tests.tierslieu.url_access import place_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page):
    assert page.locator("h1").count() == 1, page.url
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_member_books_a_room_on_a_phone(live_server, page):
    world = World()
    place = place_of(world)
    room = world.third_place_room
    monday = timezone.localtime(world.third_place_booking.starts_at).date()

    page.set_viewport_size({"width": 375, "height": 800})
    for url in (reverse("tierslieu:home"), reverse("tierslieu:place", args=[place.slug])):
        page.goto(live_server.url + url)
        _check(page)
    _login(page, live_server, world.users["organisation_member"])
    page.goto(
        live_server.url
        + reverse("tierslieu:availability", args=[place.slug, room.pk])
        + f"?mois={monday:%Y-%m}"
    )
    _check(page)
    page.get_by_label("Début").fill(f"{monday:%Y-%m-%d}T14:00")
    page.get_by_label("Fin").fill(f"{monday:%Y-%m-%d}T15:00")
    page.get_by_role("button", name="Réserver").click()

    assert page.get_by_text("« Salle » est réservé le").count() == 1
    _check(page)  # « Vos tiers-lieux », where the booking leads


def test_the_manager_pages_on_a_phone(live_server, page):
    world = World()
    place = place_of(world)
    page.set_viewport_size({"width": 375, "height": 800})
    _login(page, live_server, world.users["organisation_admin"])
    for url in (
        reverse("tierslieu:manage", args=[place.slug]),
        reverse("tierslieu:spaces", args=[place.slug]),
        reverse("tierslieu:hours", args=[place.slug]),
        reverse("tierslieu:plans", args=[place.slug]),
        reverse("tierslieu:invoices", args=[place.slug]),
        reverse("tierslieu:invoice", args=[world.third_place_invoice.pk]),
        reverse("tierslieu:member", args=[place.slug, world.third_place_member.pk]),
        reverse("tierslieu:creche_manage", args=[place.slug]),
        reverse("tierslieu:commission", args=[world.third_place_session.pk]),
        reverse("tierslieu:creche_application", args=[world.third_place_creche.pk]),
        reverse("tierslieu:cafe", args=[place.slug]),
    ):
        page.goto(live_server.url + url)
        _check(page)


def test_a_family_reads_the_grid_and_its_score(live_server, page):
    world = World()
    place = place_of(world)
    _login(page, live_server, world.users["organisation_member"])
    for url in (
        reverse("tierslieu:creche", args=[place.slug]),
        reverse("tierslieu:creche_apply", args=[place.slug]),
        reverse("tierslieu:creche_application", args=[world.third_place_creche.pk]),
    ):
        page.goto(live_server.url + url)
        _check(page)
