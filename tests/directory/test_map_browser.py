"""The maps in a real browser: markers come from the GeoJSON endpoint, no CSP or script error."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.directory.helpers import public_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_map_shows_the_results_without_errors(live_server, page):
    for number in range(3):
        public_organisation(f"Jardin solidaire {number}")
    errors = []
    # Tiles are answered with nothing (no network in tests): only script and CSP errors count.
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("directory:search") + "?q=jardin")
    # Three establishments at the same place: one cluster of 3 (the page asks for reduced
    # motion, so no fading icon from an earlier zoom level stays beside it).
    clusters = page.locator(".marker-cluster")
    expect(clusters).to_have_count(1)
    expect(clusters).to_have_text("3")
    assert errors == []


def test_organisation_map_shows_its_establishment(live_server, page):
    organisation = public_organisation("Localisée")
    page.goto(live_server.url + reverse("directory:organisation", kwargs={"pk": organisation.pk}))
    expect(page.locator("#organisation-map .leaflet-marker-icon")).to_have_count(1)


def test_the_maps_controls_speak_french(live_server, page):
    organisation = public_organisation("Localisée")
    page.goto(live_server.url + reverse("directory:organisation", kwargs={"pk": organisation.pk}))

    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoomer")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Dézoomer")
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution.locator("a").first).to_have_attribute(
        "title", "Bibliothèque de cartes interactives"
    )
