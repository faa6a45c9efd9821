"""The API documentation page in a real browser: Swagger UI renders the API's operations under
Essor's Content-Security-Policy, with no violation reported."""

import pytest
from django.urls import reverse

from tests.browser_support import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Recorded before any script of the page runs: every CSP violation the browser reports.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_api_documentation_shows_the_operations_without_csp_violation(live_server, page):
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    page.goto(live_server.url + reverse("api:openapi-view"))

    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 4  # the directory's operations
    assert page.get_by_text("/api/annuaire/organisations", exact=True).count() >= 1
    assert page.evaluate("window.cspViolations") == []
    assert [line for line in console if "Content Security Policy" in line] == []
    assert [line for line in console if line.startswith("pageerror")] == []
    # Swagger UI's own title block is hidden: the page's h1 is Essor's, in French.
    assert page.locator("h1:visible").all_inner_texts() == ["Documentation de l'API"]
    # Swagger UI's colours below the AA contrast are darkened by css/api-docs.css.
    assert axe_violations(page) == []
