"""Essor on a phone (375 px wide): each role's main pages never scroll sideways as a whole (a wide
table scrolls inside its own labelled region), nor show an English word once their scripts ran
(the maps' controls); the header menu folds behind an accessible « Menu » button that opens it,
with the mouse or the keyboard."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_support import axe_violations
from tests.conftest import ROLES, World
from tests.core.test_french_interface import english_words
from tests.core.test_url_access import CASES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}

# Each role's main pages: lists, dashboards, forms and detail pages of every module, with the
# data the module access files create for them (an SIAE, a producer, a club, a Village…).
MAIN_PAGES = [
    "home",
    "directory:search",
    "directory:organisation",
    "directory:open_data",
    "accounts:login",
    "accounts:dashboard",
    "accounts:members",
    "core:notifications",
    "core:legal_notice",
    "directory:staff_home",
    "directory:staff_organisation_list",
    "directory:staff_organisation_edit",
    "directory:revision_list",
    "directory:audit_log",
    "directory:profile_edit",
    "cigales:home",
    "cigales:my_clubs",
    "cigales:club",
    "cigales:savings",
    "cigales:dashboard",
    "foodlink:guide",
    "foodlink:producer",
    "foodlink:home",
    "foodlink:consultation_list",
    "foodlink:purchase_list",
    "foodlink:staff",
    "foodlink:dashboard",
    "funding:catalogue",
    "funding:programme_detail",
    "funding:my_applications",
    "funding:application_detail",
    "funding:application_budget",
    "funding:instruction_list",
    "funding:programme_list",
    "funding:dashboard",
    "insertion:home",
    "insertion:siae_detail",
    "insertion:participant_list",
    "insertion:participant_detail",
    "insertion:hours_month",
    "insertion:indicators",
    "observatory:public",
    "observatory:dashboard",
    "support:holder_list",
    "support:caseload",
    "support:holder_detail",
    "territory:list",
    "territory:detail",
    "village:home",
    "village:edition",
    "village:my_applications",
    "village:manage",
    "village:programme",
    "village:passport",
]
PHONE_CASES = [case for case in CASES if case.name in MAIN_PAGES]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, reduced_motion="reduce")
    context.route("https://*.openstreetmap.org/**", lambda route: route.fulfill(status=204))
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page, live_server, user):
    """The session of `user` in the browser, without going through the login form each time."""
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )


def _overflow(page) -> dict | None:
    """How much wider than the screen the page is, and the widest element that makes it so."""
    return page.evaluate(
        """() => {
          const width = window.innerWidth;
          const total = document.documentElement.scrollWidth;
          if (total <= width) return null;
          let culprit = null;
          for (const element of document.body.querySelectorAll('*')) {
            const box = element.getBoundingClientRect();
            if (box.right > width + 1 && !element.closest('.table-scroll')
                && getComputedStyle(element).position !== 'absolute') {
              culprit = element.tagName.toLowerCase() + (element.className ? '.' + element.className : '')
                + ' « ' + (element.textContent || '').trim().slice(0, 60) + ' »';
              break;
            }
          }
          return {scrollWidth: total, innerWidth: width, culprit};
        }"""
    )


def test_the_main_pages_are_listed_in_the_access_matrix():
    assert {case.name for case in PHONE_CASES} == set(MAIN_PAGES)


@pytest.mark.parametrize("case", PHONE_CASES, ids=lambda case: case.name)
def test_no_main_page_scrolls_sideways_on_a_phone(live_server, phone, case):
    world = World()
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    too_wide, english = {}, {}
    for role in ROLES:
        if case.expect[role] != 200:
            continue
        _sign_in(phone, live_server, world.users[role])
        phone.goto(live_server.url + url)
        phone.wait_for_load_state("networkidle")
        overflow = _overflow(phone)
        if overflow:
            too_wide[role] = overflow
        # The page as its scripts left it (a map's controls and markers): still in French.
        words = english_words(phone.content())
        if words:
            english[role] = words
    assert not too_wide, f"{url} est plus large que l'écran d'un téléphone : {too_wide}"
    assert not english, f"Mots anglais sur {url} une fois ses scripts passés : {english}"


def _menu(page):
    return page.locator("#menu-principal")


@pytest.mark.parametrize("role", ["anonymous", "organisation_admin"])
def test_the_menu_folds_behind_a_button_that_opens_it(live_server, phone, role):
    world = World()
    _sign_in(phone, live_server, world.users[role])
    phone.goto(live_server.url + reverse("home"))
    button = phone.get_by_role("button", name="Menu")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "menu-principal")
    expect(_menu(phone)).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("link", name="Annuaire")).to_be_visible()

    button.click()
    expect(_menu(phone)).to_be_hidden()


def test_the_menu_opens_and_closes_with_the_keyboard(live_server, phone):
    phone.goto(live_server.url + reverse("home"))
    button = phone.get_by_role("button", name="Menu")
    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Annuaire")).to_be_focused()
    phone.keyboard.press("Escape")
    expect(_menu(phone)).to_be_hidden()
    expect(button).to_be_focused()


def test_on_a_wide_screen_the_menu_is_open_without_button(live_server, page):
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Annuaire")).to_be_visible()


def test_without_script_the_menu_stays_usable(live_server, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + reverse("home"))
    expect(page.get_by_role("link", name="Annuaire")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("opened", [False, True], ids=["replié", "ouvert"])
def test_the_folded_header_has_no_serious_accessibility_violation(live_server, phone, opened):
    phone.goto(live_server.url + reverse("home"))
    if opened:
        phone.get_by_role("button", name="Menu").click()
    assert axe_violations(phone) == []
