"""The SIAE staff's main journey in a real browser, checked with axe-core at each step."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from playwright.sync_api import expect

from essor.accounts.models import Role
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.insertion.factories import AnnexFactory, SiaeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def siae(db):
    migration = importlib.import_module("essor.insertion.migrations.0002_barrier_types")
    migration.create_barrier_types(apps, None)  # flushed by transactional tests
    siae = SiaeFactory(organisation=OrganisationFactory(name="Chantier du Littoral"))
    AnnexFactory(siae=siae)
    MembershipFactory(
        user=UserFactory(email="encadrante@example.org"),
        organisation=siae.organisation,
        role=Role.ORGANISATION_ADMIN,
    )
    return siae


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def test_the_staff_follow_a_pathway_from_entry_to_indicators(live_server, page, siae):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill("encadrante@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server.url + reverse("insertion:home"))
    _no_violations(page)
    page.get_by_role("link", name="Chantier du Littoral").click()
    _no_violations(page)
    page.get_by_role("link", name="Salariés en insertion").click()
    page.get_by_role("link", name="Ajouter un salarié").click()

    # A NIR in the notes is refused; what was typed stays.
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Fictive")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Année de naissance").fill("1990")
    page.get_by_label("Niveau de formation").select_option("3")
    page.get_by_label("Observations").fill("NIR 2 55 08 14 168 025 38")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".error-summary")).to_contain_text("numéro de sécurité sociale")
    _no_violations(page)
    page.get_by_label("Observations").fill("Suivi hebdomadaire")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_contain_text("SAL-0001 — Camille Fictive")
    _no_violations(page)

    page.get_by_role("link", name="Ajouter un contrat").click()
    page.get_by_label("Début").fill("2026-02-02")
    page.get_by_label("Heures hebdomadaires").fill("26")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Le contrat est enregistré")

    page.goto(
        live_server.url + reverse("insertion:hours_month", kwargs={"pk": siae.pk}) + "?mois=2026-02"
    )
    page.get_by_label("SAL-0001 — Camille Fictive").fill("250")
    page.get_by_role("button", name="Enregistrer les heures").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "en février 2026 : 27 jours couverts, soit 185,14 heures au plus"
    )
    _no_violations(page)
    page.get_by_label("SAL-0001 — Camille Fictive").fill("110,5")
    page.get_by_role("button", name="Enregistrer les heures").click()
    expect(page.locator(".messages")).to_contain_text("1 ligne d'heures enregistrée")

    page.goto(live_server.url + reverse("insertion:indicators") + "?year=2026")
    expect(page.locator("h1")).to_contain_text("Indicateurs")
    _no_violations(page)
