"""The maps in a real browser: markers come from the GeoJSON endpoint, no CSP or script error."""

import pytest
from django.urls import reverse

from tests.browser.conftest import browser, page  # noqa: F401 (fixtures)
from tests.directory.helpers import public_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_map_shows_the_results_without_errors(live_server, page):  # noqa: F811
    for number in range(3):
        public_organisation(f"Jardin solidaire {number}")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + reverse("directory:search") + "?q=jardin")
    # Three establishments at the same place: one cluster of 3.
    page.wait_for_selector(".marker-cluster")
    assert page.locator(".marker-cluster").inner_text().strip() == "3"
    assert errors == []


def test_organisation_map_shows_its_establishment(live_server, page):  # noqa: F811
    organisation = public_organisation("Localisée")
    page.goto(live_server.url + reverse("directory:organisation", kwargs={"pk": organisation.pk}))
    page.wait_for_selector("#organisation-map .leaflet-marker-icon")
    assert page.locator("#organisation-map .leaflet-marker-icon").count() == 1
