"""The agency's main journey in a real browser: welcome a project holder, record an action with a
reminder, see it on the caseload, move the project on, refer it to a partner. axe-core finds no
serious or critical violation on the way."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from essor.support.models import ProjectHolder, Stage
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def _login(page, live_server, email):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_agency_follows_a_project_holder(live_server, page):
    staff = World().users["agency_staff"]
    page.set_default_timeout(10_000)
    today = timezone.localdate()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    last_week = (today - datetime.timedelta(days=7)).isoformat()
    _login(page, live_server, "agency_staff@example.org")

    page.goto(live_server.url + reverse("support:holder_list"))
    _no_violations(page)
    page.get_by_role("link", name="Accueillir un porteur de projet").click()
    _no_violations(page)
    page.get_by_label("Nom :", exact=True).fill("Inès Vandenbussche")
    page.get_by_label("Idée de projet").fill("Une vélo-école pour les adultes du quartier.")
    page.get_by_label("Mobilité").check()
    page.get_by_label("Commune").select_option(label="Grande-Synthe (59271)")
    page.get_by_label("Chargé de mission référent").select_option(label=staff.full_name)
    page.get_by_label("Premier accueil le").fill(last_week)
    page.get_by_label("Courriel").fill("ines@example.org")
    page.get_by_role("button", name="Créer la fiche").click()
    # Contact details without consent: refused, explained on the field.
    expect(page.get_by_role("alert")).to_contain_text("consentement")
    _no_violations(page)
    page.get_by_label("Consentement recueilli le").fill(yesterday)
    page.get_by_label("Portée du consentement").select_option(index=2)
    page.get_by_role("button", name="Créer la fiche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inès Vandenbussche")
    _no_violations(page)

    page.get_by_role("link", name="Ajouter une action").click()
    _no_violations(page)
    page.get_by_label("Date :", exact=True).fill(yesterday)
    page.get_by_label("Type d'action").select_option(label="Rendez-vous")
    page.get_by_label("Prochaine étape").fill("Envoyer le budget prévisionnel")
    page.get_by_label("Relance le").fill(yesterday)
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_text("Relance à faire")).to_be_visible()
    _no_violations(page)

    page.goto(live_server.url + reverse("support:caseload"))
    expect(page.locator("tr.due")).to_contain_text("Inès Vandenbussche")
    _no_violations(page)

    page.get_by_role("link", name="Inès Vandenbussche").click()
    page.get_by_role("link", name="Passer à l'étape suivante").click()
    _no_violations(page)
    page.get_by_label("Émergence").check()
    page.get_by_label("Date :", exact=True).fill(yesterday)
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.locator(".lead")).to_contain_text("Émergence")

    page.get_by_role("link", name="Ajouter une action").click()
    page.get_by_label("Date :", exact=True).fill(yesterday)
    page.get_by_label("Type d'action").select_option(label="Orientation vers un partenaire")
    page.get_by_label("Partenaire (pour une orientation)").select_option(label="France Active")
    page.get_by_label("Idée de projet").check()
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("France Active")
    expect(page.locator("main")).not_to_contain_text("ines@example.org")
    _no_violations(page)

    holder = ProjectHolder.objects.get(name="Inès Vandenbussche")
    assert holder.stage == Stage.EMERGENCE
    assert holder.actions.count() == 2


def test_the_other_forms_have_no_accessibility_violation(live_server, page):
    from tests.support.factories import ActionFactory, ProjectHolderFactory

    World()
    holder = ProjectHolderFactory(
        name="Collectif Vélo",
        stage=Stage.STRUCTURING,
        emergence_on=datetime.date(2025, 4, 1),
        structuring_on=datetime.date(2025, 6, 1),
    )
    ProjectHolderFactory(name="Collectif  VÉLO")
    ActionFactory(holder=holder)
    page.set_default_timeout(10_000)
    _login(page, live_server, "agency_admin@example.org")
    for name in ("holder_edit", "holder_creation", "holder_abandon", "holder_merge"):
        page.goto(live_server.url + reverse(f"support:{name}", args=[holder.pk]))
        assert page.locator("h1").count() == 1
        _no_violations(page)
    # The creation refused without an organisation: the error is linked to its field.
    page.goto(live_server.url + reverse("support:holder_creation", args=[holder.pk]))
    page.get_by_role("button", name="Enregistrer la création").click()
    page.get_by_role("link", name="SIREN, numéro RNA ou dénomination exacte").click()
    assert page.evaluate("document.activeElement.name") == "organisation"
    _no_violations(page)
