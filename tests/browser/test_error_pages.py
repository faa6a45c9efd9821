"""Error pages in a real browser, with DEBUG off: axe-core finds no serious or critical violation,
and each page has one h1, a title, the landmarks and a working skip link."""

import pytest

from tests.browser_support import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.core.error_urls"),
]

PAGES = {"404": "/nulle-part/", "403": "/essais/refus-motive/", "500": "/essais/panne/"}


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.mark.parametrize("status", PAGES)
def test_error_page_has_no_serious_accessibility_violation(live_server, page, status):
    response = page.goto(live_server.url + PAGES[status])
    assert response.status == int(status)
    assert axe_violations(page) == []


@pytest.mark.parametrize("status", PAGES)
def test_error_page_has_one_h1_title_landmarks_and_skip_link(live_server, page, status):
    page.goto(live_server.url + PAGES[status])
    assert page.locator("h1").count() == 1
    assert page.title().strip()
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1, landmark
    skip_link = page.get_by_role("link", name="Aller au contenu")
    skip_link.focus()
    skip_link.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_the_404_page_leads_back_to_the_page_that_linked_to_it(live_server, page):
    page.goto(live_server.url + "/annuaire/")
    page.evaluate("location.href = '/nulle-part/'")
    page.wait_for_url("**/nulle-part/")
    page.get_by_role("link", name="Revenir à la page précédente").click()
    page.wait_for_url("**/annuaire/")
