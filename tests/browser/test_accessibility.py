"""Key public pages in a real browser: axe-core finds no serious or critical violation, and each
page has one h1, a title, landmarks and a working skip link."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_support import axe_violations
from tests.factories import EstablishmentFactory, OrganisationFactory, sector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(db):
    organisation = OrganisationFactory(
        name="Les Jardins de la Dune",
        acronym="JDD",
        description="Jardins partagés et paniers de légumes à Dunkerque.",
        email="contact@example.org",
        website="https://jardins.example.org",
    )
    organisation.sectors.add(sector("alimentation-circuits-courts"), sector("environnement"))
    EstablishmentFactory(organisation=organisation)
    for number in range(3):
        EstablishmentFactory(organisation=OrganisationFactory(name=f"Jardin solidaire {number}"))
    return organisation


PAGES = {
    "accueil": lambda organisation: reverse("home"),
    "recherche": lambda organisation: reverse("directory:search") + "?q=jardins",
    "fiche": lambda organisation: reverse("directory:organisation", kwargs={"pk": organisation.pk}),
    "connexion": lambda organisation: reverse("accounts:login"),
}


@pytest.mark.parametrize("name", ["accueil", "recherche", "fiche", "connexion"])
def test_page_has_no_serious_accessibility_violation(live_server, page, organisation, name):
    page.goto(live_server.url + PAGES[name](organisation))
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", ["accueil", "recherche", "fiche", "connexion"])
def test_page_has_one_h1_title_landmarks_and_skip_link(live_server, page, organisation, name):
    page.goto(live_server.url + PAGES[name](organisation))
    assert page.locator("h1").count() == 1
    assert page.title().strip()
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1, landmark
    first_focusable = page.evaluate(
        "document.querySelector('a[href], button, input, select, textarea').textContent"
    )
    assert first_focusable.strip() == "Aller au contenu"
    skip_link = page.get_by_role("link", name="Aller au contenu")
    skip_link.focus()
    skip_link.press("Enter")
    assert page.url.endswith("#contenu")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_search_results_are_listed(live_server, page, organisation):
    page.goto(live_server.url + reverse("directory:search"))
    page.get_by_role("searchbox").first.fill("jardins")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=jardins" in page.url
    expect(page.get_by_role("link", name="Les Jardins de la Dune (JDD)")).to_be_visible()
