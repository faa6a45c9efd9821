"""The main journey in a real browser: the public guide, a canteen's consultation, a producer's
offer, the award and the EGalim dashboard; axe-core finds no serious violation at any step."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from essor.foodlink.models import Consultation, Offer
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World
from tests.factories import MembershipFactory, UserFactory
from tests.foodlink.factories import (
    CertificationFactory,
    ProductFactory,
    PurchaseFactory,
    make_buyer,
    make_producer,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_violations(page):
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def _login(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_guide_consultation_offer_award_and_dashboard(live_server, page):
    world = World()
    world.other_structure.name = "Ferme du Houtland"
    world.other_structure.save()
    producer = make_producer(world.other_structure, presentation="Légumes de plein champ.")
    ProductFactory(producer=producer, name="Carottes des sables")
    CertificationFactory(producer=producer, code="BIO")
    MembershipFactory(
        organisation=world.other_structure, user=UserFactory(email="fermier@example.org")
    )
    buyer = make_buyer(world.structure, name="Restaurant scolaire de Rosendaël")
    PurchaseFactory(buyer=buyer, egalim_group="bio", characteristics=["BIO"])

    # The public guide: list, filters and the producer's page.
    page.goto(live_server.url + reverse("foodlink:guide") + "?q=carottes")
    expect(page.get_by_role("link", name="Ferme du Houtland")).to_be_visible()
    _no_violations(page)
    page.get_by_role("link", name="Ferme du Houtland").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ferme du Houtland")
    _no_violations(page)

    # The canteen describes its need and publishes it.
    _login(page, live_server, "organisation_admin@example.org")
    page.goto(live_server.url + reverse("foodlink:consultation_create"))
    _no_violations(page)
    today = timezone.localdate()
    page.get_by_label("Objet").fill("Carottes de la rentrée")
    page.get_by_label("Famille de produits").select_option("FRUITS_ET_LEGUMES")
    page.locator("#id_product").fill("Carottes")
    page.locator("#id_quantity").fill("80")
    page.get_by_label("Unité").select_option("kg")
    page.get_by_label("Livraison à partir du").fill(
        (today + datetime.timedelta(days=10)).isoformat()
    )
    page.get_by_label("Livraison au plus tard le").fill(
        (today + datetime.timedelta(days=12)).isoformat()
    )
    page.get_by_label("Distance maximale (km)").fill("30")
    page.get_by_label("Date limite de réponse").fill(
        (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carottes de la rentrée")
    _no_violations(page)
    page.get_by_role("link", name="Publier et alerter les producteurs").click()
    page.get_by_role("button", name="Publier et alerter les producteurs").click()
    expect(page.locator(".message-success")).to_contain_text("1 producteur alerté")
    consultation = Consultation.objects.get()

    # The producer was alerted: « Mon espace » counts the notification, its page links to the
    # consultation.
    _login(page, live_server, "fermier@example.org")
    page.goto(live_server.url + reverse("accounts:dashboard"))
    page.get_by_role("link", name="Notifications (1 non lue)", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    _no_violations(page)
    page.get_by_role("link", name="Nouvelle consultation", exact=False).click()

    # The producer answers.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carottes de la rentrée")
    page.get_by_role("link", name="Déposer une offre").click()
    _no_violations(page)
    page.get_by_label("Prix unitaire HT (€)").fill("0")
    page.get_by_label("Quantité proposée").fill("80")
    page.get_by_role("button", name="Envoyer l'offre").click()
    expect(page.locator(".errorlist")).to_contain_text("strictement positif")
    _no_violations(page)
    page.get_by_label("Prix unitaire HT (€)").fill("1.05")
    page.get_by_label("Agriculture biologique").check()
    page.get_by_role("button", name="Envoyer l'offre").click()
    expect(page.locator(".message-success")).to_contain_text("offre est déposée")
    offer = Offer.objects.get()

    # After the deadline, the canteen compares and awards part of the offer.
    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    _login(page, live_server, "organisation_admin@example.org")
    page.goto(
        live_server.url + reverse("foodlink:consultation_award", kwargs={"pk": consultation.pk})
    )
    _no_violations(page)
    page.get_by_label("Quantité attribuée à la Ferme du Houtland").fill("60")
    page.get_by_role("button", name="Attribuer").click()
    expect(page.locator(".message-success")).to_contain_text("Consultation attribuée")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.RETAINED and offer.awarded_quantity == 60
    _no_violations(page)

    page.goto(live_server.url + reverse("foodlink:dashboard", kwargs={"pk": buyer.pk}))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bilan EGalim")
    _no_violations(page)


def test_guide_map_shows_the_producers_and_the_producer_page_its_marker(live_server, page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    producers = []
    for index in range(3):
        producer = make_producer(_organisation(f"Ferme {index}"))
        ProductFactory(producer=producer)
        producers.append(producer)
    page.goto(live_server.url + reverse("foodlink:guide"))
    clusters = page.locator("#producers-map .marker-cluster")
    expect(clusters).to_have_count(1)
    expect(clusters).to_have_text("3")
    page.goto(live_server.url + reverse("foodlink:producer", kwargs={"pk": producers[0].pk}))
    expect(page.locator("#producer-map .leaflet-marker-icon")).to_have_count(1)
    assert errors == []


def _organisation(name):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name=name)
