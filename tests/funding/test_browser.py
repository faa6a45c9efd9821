"""The main journey in a real browser: a structure fills and submits its dossier unique, the
funder's instructor decides; axe-core finds no serious violation at any step."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from essor.funding.models import Application, ShareStatus
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World
from tests.factories import siret_for
from tests.funding import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def funding_world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = World()
    helpers.programme(world)
    return world


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def _login(page, live_server, email):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_structure_applies_and_the_funder_decides(live_server, page, funding_world, tmp_path):
    world = funding_world
    page.goto(live_server.url + reverse("funding:catalogue"))
    _no_violations(page)
    expect(page.get_by_role("link", name="Fonds ESS de la CUD")).to_be_visible()

    _login(page, live_server, "organisation_admin@example.org")
    page.goto(live_server.url + reverse("funding:application_create"))
    _no_violations(page)
    page.get_by_label("Intitulé du projet").fill("Épicerie solidaire du Courghain")
    page.get_by_label("SIRET de l'établissement porteur").fill(siret_for(world.structure.siren, 1))
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    # The budget: a negative amount is refused and named; what was typed stays.
    page.get_by_label("60 — Achats").fill("10000")
    page.get_by_label("64 — Charges de personnel").fill("-5")
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.locator(".error-summary")).to_contain_text("ne peut pas être négatif")
    expect(page.get_by_label("60 — Achats")).to_have_value("10000")
    _no_violations(page)
    page.get_by_label("64 — Charges de personnel").fill("20000")
    page.get_by_label("70 — Ventes de produits finis, prestations de services").fill("10000")
    page.get_by_label("74 — Subvention : Intercommunalité (EPCI)").fill("20000")
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.get_by_role("status").last).to_contain_text("équilibré")

    page.get_by_role("link", name="3. Les financeurs sollicités").click()
    page.get_by_role("combobox", name="Dispositif").select_option(
        label=f"{world.funder.name} — Fonds ESS de la CUD"
    )
    page.get_by_label("Montant demandé (en euros entiers)").fill("20000")
    page.get_by_role("button", name="Ajouter").click()
    _no_violations(page)
    # A refused amount is explained above the page and on its line; what was typed stays.
    page.get_by_label("Montant demandé au Fonds ESS de la CUD").fill("90000")
    page.get_by_role("button", name="Modifier").click()
    expect(page.locator(".error-summary")).to_contain_text("dépasse le plafond")
    expect(page.get_by_label("Montant demandé au Fonds ESS de la CUD")).to_have_value("90000")
    _no_violations(page)

    page.get_by_role("link", name="4. Les pièces").click()
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%test\n")
    for kind in ("Statuts", "Relevé d'identité bancaire (RIB)"):
        page.get_by_label("Type de pièce").select_option(label=kind)
        page.get_by_label("Fichier").set_input_files(str(pdf))
        page.get_by_role("button", name="Déposer la pièce").click()
    _no_violations(page)

    page.get_by_role("link", name="5. Le dépôt").click()
    page.get_by_label("Nom et qualité du signataire").fill("Jeanne Martin, présidente")
    page.get_by_label("Je certifie exactes").check()
    page.get_by_label("J'atteste que la structure").check()
    page.get_by_role("button", name="Déposer le dossier").click()
    expect(page.locator(".messages")).to_contain_text("Votre dossier est déposé")
    _no_violations(page)
    application = Application.objects.get(title="Épicerie solidaire du Courghain")

    page.get_by_role("button", name="Se déconnecter").click()
    _login(page, live_server, "funder_instructor@example.org")
    page.goto(live_server.url + reverse("funding:instruction_list"))
    _no_violations(page)
    page.get_by_role("link", name=application.reference).click()
    _no_violations(page)
    page.get_by_label("Action").select_option("start_instruction")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_label("Action").select_option("accept")
    page.get_by_label("Montant accordé").fill("18000")
    page.get_by_label("Motivation").fill("Projet conforme au dispositif.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("Accepter")
    _no_violations(page)
    assert application.shares.get().status == ShareStatus.ACCEPTED
    expect(page.get_by_role("heading", name="Historique")).to_be_visible()
    expect(page.locator("#historique + ul")).to_contain_text("Demande acceptée")

    # The application's state follows its share; its page tells the story.
    page.goto(live_server.url + reverse("funding:application_detail", args=[application.pk]))
    expect(page.locator(".lead")).to_contain_text("État : Décidé.")
    expect(page.get_by_role("heading", name="Suivi du dossier")).to_be_visible()
    expect(page.locator("#suivi + ul")).to_contain_text("Dossier décidé par tous les financeurs")
    _no_violations(page)

    page.goto(live_server.url + reverse("funding:dashboard"))
    _no_violations(page)
