"""French to the last word: every page each role opens (the access matrix's pages answering 200,
with the worlds the module access files build: IAE, project holders, producers and canteens,
the Village, the CIGALES clubs…) is read as people see it, and no English interface word
(Django's defaults, widgets, error pages, buttons' labels) is left in its visible text nor in
the labels that screen readers say (aria-label, title, placeholder, alt, buttons' value)."""

import re

import lxml.html
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from essor.core import errors
from tests.conftest import ROLES
from tests.core.test_url_access import CASES

# Whole words or phrases, case-sensitive: « Sort » and « No » as an English interface says
# them, not the French « sort » nor « n° »; « Close » alone is French too (« consultation close »).
ENGLISH_WORDS = [
    "Submit",
    "Search",
    "Next",
    "Previous",
    "Loading",
    "Save",
    "Cancel",
    "Delete",
    "Edit",
    "Yes",
    "No",
    "Home",
    "Login",
    "Log in",
    "Log out",
    "Logout",
    "Sign in",
    "Sign out",
    "Password",
    "Email address",
    "Username",
    "Page not found",
    "This field",
    "Select",
    "Choose",
    "Upload",
    "Download",
    "Close popup",
    "Close dialog",
    "Close menu",
    "Show",
    "Hide",
    "Filter",
    "Sort",
    "Zoom in",
    "Zoom out",
    "required",
    "Forbidden",
    "Not found",
    "Server error",
    "Bad request",
    "Currently",
    "Change",
    "Clear",
    "Unknown",
    "Enter a valid",
    "Ensure this value",
    "Back",
    "Continue",
    "Confirm",
    "Reset",
    "Send",
    "Print",
    "Open",
    "Details",
    "Error",
    "Warning",
    "Skip to",
    "contributors",
    "results",
    "of",
    "the",
    "and",
]
ENGLISH = re.compile(r"(?<![\w'’-])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w'’-])")
# Code, data written for machines, and the scripts' own text.
NOT_READ = ("script", "style", "code", "pre", "template", "kbd", "samp")
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-placeholder")
BUTTONS = "//button[@value] | //input[@type='submit' or @type='button' or @type='reset'][@value]"


def english_words(html: str) -> list[str]:
    """The English interface words of a page, each with where it was read."""
    document = lxml.html.document_fromstring(html)
    # A passage marked in another language (« <span lang="en">Open Licence</span> ») is not the
    # interface's: a screen reader says it in its own language.
    foreign = document.xpath("//*[@lang and not(starts-with(@lang, 'fr'))]")
    for element in [*document.iter(*NOT_READ), *foreign]:
        element.drop_tree()
    found = []
    for element in document.iter():
        if not isinstance(element.tag, str) or element.get("translate") == "no":
            continue
        for text in (element.text, element.tail):
            found.extend(_words(text, f"<{element.tag}>"))
        for attribute in SPOKEN_ATTRIBUTES:
            found.extend(_words(element.get(attribute), f"<{element.tag} {attribute}>"))
    for button in document.xpath(BUTTONS):
        if button.tag == "input":
            found.extend(_words(button.get("value"), "<input value>"))
    return found


def _words(text, where) -> list[str]:
    return [
        f"{match.group(0)} {where} « {text[max(0, match.start() - 30) : match.end() + 30]} »"
        for match in ENGLISH.finditer(text or "")
    ]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Page not found</p>", True),
        ('<button aria-label="Close menu">×</button>', True),
        ('<input type="submit" value="Submit">', True),
        ('<input type="search" placeholder="Search">', True),
        ("<p>This field is required.</p>", True),
        ('<a href="/" title="Zoom in">+</a>', True),
        ("<p>Currently: <a href='/f'>x.pdf</a> Change:</p>", True),
        ("<p>Aucun résultat. Le sort des demandes, n° 12.</p>", False),
        ("<pre>Traceback: Error</pre><code>Submit</code>", False),
        ("<script>const label = 'Loading';</script><p>Chargement</p>", False),
        ('<p translate="no">Open Food Facts</p>', False),
        ('<p>Licence Ouverte / <span lang="en">Open Licence</span></p>', False),
    ],
)
def test_the_reader_finds_english_words_and_only_them(html, expected):
    assert bool(english_words(f"<html><body>{html}</body></html>")) is expected


# Pages whose text is not the interface's: the API documentation (Swagger UI's own words) and
# downloads (CSV, JSON, PDF) are not read; their content type says so.
HTML = "text/html"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_no_page_of_any_role_shows_an_english_word(client, world, case):
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    found = {}
    for role in ROLES:  # every answer, its refusals (403, 404) included
        client.logout()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        # As a browser set in English asks: Essor answers in French all the same.
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        if not response["Content-Type"].startswith(HTML) or response.streaming:
            continue
        if not response.content.strip():
            continue
        words = english_words(response.content.decode())
        if words:
            found[role] = words
    assert not found, f"Mots anglais sur {url} : {found}"


@pytest.mark.parametrize(
    "handler",
    [
        lambda request: errors.bad_request(request),
        lambda request: errors.permission_denied(request),
        lambda request: errors.page_not_found(request),
        lambda request: errors.server_error(request),
        lambda request: errors.csrf_failure(request, reason="CSRF cookie not set."),
    ],
    ids=["400", "403", "404", "500", "csrf"],
)
def test_the_error_pages_show_no_english_word(rf, db, handler):
    request = rf.get("/une-page/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    request.user = AnonymousUser()
    assert english_words(handler(request).content.decode()) == []
