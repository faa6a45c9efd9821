"""Browser test fixtures (a pytest plugin loaded by tests/conftest.py): Playwright drives Debian's
chromium (its own browser download does not work here), and axe-core from the npm package."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# Without these flags chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="fr-FR",
        # The maps honour this setting: no zoom or fade animation leaves two states on screen.
        reduced_motion="reduce",
    )
    # Map tiles come from the Internet, which tests never reach: answer them with nothing.
    context.route("https://*.openstreetmap.org/**", lambda route: route.fulfill(status=204))
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Runs axe-core (from the npm package) on the page; returns the violations of those impacts.

    A link or button clicked just before may still be loading the next page, whose document then
    replaces the one axe reads: wait for the page to be loaded, and run again if it was replaced."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
            results = page.evaluate(
                "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
                "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
            )
            break
        except PlaywrightError:
            if attempt == 2:
                raise
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"])}
        for v in results["violations"]
        if v["impact"] in impacts
    ]
