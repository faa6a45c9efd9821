"""The observatory's main journey in a real browser: the public page, the comparison across
years, then the agency sets a target and launches the yearly report; axe-core finds nothing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from essor.observatory.models import AnnualReport, SectorTarget
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD
from tests.observatory.helpers import fake, holders_by_sector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figures():
    from essor.observatory.selectors import available_years

    years = sorted(available_years())
    return {
        year: {"culture": 40 - n, "sport": 30 - 2 * n, "mobilite": 10 + 3 * n, "batiment": 3}
        for n, year in enumerate(years)
    }


def test_public_journey_and_agency_targets(live_server, page, world, registry, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    fake(
        "support.new_holders_by_sector",
        holders_by_sector(_figures()),
        label="Nouveaux porteurs de projet par secteur",
        tags=("ranked",),
    )

    page.goto(live_server.url + reverse("observatory:public"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Observatoire de l'ESS")
    assert axe_violations(page) == []
    page.get_by_role("navigation", name="Axes de l'observatoire").get_by_role(
        "link", name="Accompagnement"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accompagnement")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Nouveaux porteurs de projet par secteur").click()
    expect(page.get_by_role("table", name="Classement par année")).to_contain_text("Culture")
    expect(page.locator("svg.chart").first).to_be_visible()
    assert axe_violations(page) == []

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(world.users["agency_staff"].email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + reverse("observatory:target_create"))
    page.get_by_label("Année").fill("2025")
    page.get_by_label("Secteur").select_option("mobilite")
    page.get_by_label("Objectif (obligatoire)").fill("20")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("table", name="Objectifs 2025 et réalisations")).to_contain_text(
        "Mobilité"
    )
    assert SectorTarget.objects.get().target == 20
    assert axe_violations(page) == []

    page.goto(live_server.url + reverse("observatory:reports"))
    page.get_by_label("Année du rapport").select_option("2025")
    page.get_by_role("button", name="Produire le rapport").click()
    expect(page.locator("#job-status")).to_have_text("Terminé")
    assert AnnualReport.objects.get().is_ready
    page.goto(live_server.url + reverse("observatory:reports"))
    assert axe_violations(page) == []
    expect(
        page.get_by_role("link", name="Télécharger le rapport 2025", exact=False)
    ).to_be_visible()
