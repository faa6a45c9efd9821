import datetime

import pytest
from django.utils import timezone

from essor.foodlink.models import Consultation, Offer, Purchase
from tests.factories import MembershipFactory
from tests.foodlink.factories import (
    AlertFactory,
    ConsultationFactory,
    OfferFactory,
    ProductFactory,
    make_buyer,
    make_producer,
)
from tests.foodlink.queries import queries_of

pytestmark = pytest.mark.django_db
S = Consultation.Status
BASE = "/circuits-courts/consultations/"


def _form(**overrides):
    today = timezone.localdate()
    data = {
        "buyer": "",
        "title": "Carottes de janvier",
        "family": "FRUITS_ET_LEGUMES",
        "product": "Carottes",
        "quantity": "120",
        "unit": "kg",
        "delivery_start": (today + datetime.timedelta(days=10)).isoformat(),
        "delivery_end": (today + datetime.timedelta(days=12)).isoformat(),
        "delivery_address": "",
        "max_distance_km": "40",
        "deadline": (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "comment": "",
    }
    data.update(overrides)
    return data


def test_canteen_manager_creates_a_draft_consultation(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}nouvelle/", _form(buyer=buyer.pk))
    consultation = Consultation.objects.get()
    assert response["Location"] == f"{BASE}{consultation.pk}/"
    assert consultation.status == S.DRAFT
    assert consultation.delivery_address == buyer.delivery_address


def test_form_names_a_delivery_window_in_the_past(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(f"{BASE}nouvelle/", _form(buyer=buyer.pk, delivery_start=yesterday))
    assert "ne peut pas commencer dans le passé" in response.content.decode()
    assert not Consultation.objects.exists()


def test_form_refuses_a_distance_above_100_km(client, world):
    buyer = make_buyer(world.structure)
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}nouvelle/", _form(buyer=buyer.pk, max_distance_km="150"))
    assert response.status_code == 200
    assert not Consultation.objects.exists()


def test_a_producer_not_alerted_cannot_see_the_consultation(client, world):
    make_producer(world.structure)
    consultation = ConsultationFactory(status=S.PUBLISHED)
    client.force_login(world.users["organisation_member"])
    assert client.get(f"{BASE}{consultation.pk}/").status_code == 403


def test_an_alerted_producer_does_not_see_the_other_offers(client, world):
    producer = make_producer(world.structure)
    consultation = ConsultationFactory(status=S.PUBLISHED)
    AlertFactory(consultation=consultation, producer=producer)
    OfferFactory(consultation=consultation, comment="Offre concurrente secrète")
    client.force_login(world.users["organisation_member"])
    body = client.get(f"{BASE}{consultation.pk}/").content.decode()
    assert "Déposer une offre" in body and "Offre concurrente secrète" not in body


def test_list_shows_only_the_persons_consultations(client, world):
    mine = ConsultationFactory(buyer=make_buyer(world.structure), title="La mienne")
    ConsultationFactory(title="Une autre")
    client.force_login(world.users["organisation_member"])
    response = client.get(BASE)
    assert [c.pk for c in response.context["page"].object_list] == [mine.pk]


def test_list_takes_constant_queries(client, world):
    client.force_login(world.users["agency_staff"])
    counts = []
    for size in (2, 10):
        for _ in range(size):
            OfferFactory(consultation=ConsultationFactory())
        counts.append(queries_of(client, BASE))
    assert counts[0] == counts[1]


def test_the_whole_journey_through_the_pages(client, world, django_capture_on_commit_callbacks):
    buyer = make_buyer(world.structure)
    producer = make_producer(world.other_structure)
    ProductFactory(producer=producer)
    farmer = MembershipFactory(organisation=world.other_structure).user
    manager = world.users["organisation_member"]
    client.force_login(manager)
    client.post(f"{BASE}nouvelle/", _form(buyer=buyer.pk))
    consultation = Consultation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}{consultation.pk}/publier/")
    assert consultation.alerts.count() == 1

    client.force_login(farmer)
    response = client.post(
        f"{BASE}{consultation.pk}/offre/",
        {"unit_price": "0.95", "quantity": "120", "characteristics": [], "comment": "Lavées"},
    )
    assert response.status_code == 302
    offer = Offer.objects.get()

    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(manager)
    response = client.post(
        f"{BASE}{consultation.pk}/attribuer/", {f"quantite_{offer.pk}": "100", "reason": ""}
    )
    assert response.status_code == 302
    client.post(f"{BASE}{consultation.pk}/commander/")
    pdf = client.get(f"/circuits-courts/offres/{offer.pk}/bon-de-commande.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    client.force_login(farmer)
    assert client.get(f"/circuits-courts/offres/{offer.pk}/bon-de-commande.pdf").status_code == 200

    client.force_login(manager)
    client.post(
        f"{BASE}{consultation.pk}/livraison/", {"delivered_on": timezone.localdate().isoformat()}
    )
    consultation.refresh_from_db()
    assert consultation.status == S.DELIVERED
    assert Purchase.objects.get().price_ht == 95


def test_award_page_shows_the_error_and_keeps_the_input(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.CLOSED)
    offer = OfferFactory(consultation=consultation)
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}{consultation.pk}/attribuer/", {f"quantite_{offer.pk}": "500"})
    body = response.content.decode()
    assert "dépasse la quantité proposée" in body and 'value="500"' in body


def test_cancel_requires_a_reason(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}{consultation.pk}/annuler/", {"reason": ""})
    assert "Indiquez le motif" in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == S.DRAFT


def test_a_refused_step_without_form_is_explained_on_the_consultation(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}{consultation.pk}/commander/", follow=True)
    assert response.redirect_chain[-1][0] == f"{BASE}{consultation.pk}/"
    assert [str(m) for m in response.context["messages"]] == [
        f"« Émettre les bons de commande » est impossible : « {consultation.title} » est à "
        "l'état « Brouillon »."
    ]
    consultation.refresh_from_db()
    assert consultation.status == S.DRAFT


def test_a_refused_step_with_a_form_is_explained_on_its_form(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    client.force_login(world.users["organisation_member"])
    response = client.post(f"{BASE}{consultation.pk}/infructueuse/", {"reason": "Aucune offre."})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"« Déclarer la consultation infructueuse » est impossible : « {consultation.title} » "
        "est à l'état « Brouillon »."
    ]
    assert response.context["form"]["reason"].value() == "Aucune offre."
    consultation.refresh_from_db()
    assert consultation.status == S.DRAFT


def test_a_draft_is_corrected_and_the_change_logged(client, world):
    from essor.core.models import AuditLogEntry

    consultation = ConsultationFactory(buyer=make_buyer(world.structure), title="Avant")
    client.force_login(world.users["organisation_member"])
    response = client.post(
        f"{BASE}{consultation.pk}/modifier/",
        _form(buyer=consultation.buyer_id, title="Après", delivery_address="Cuisine centrale"),
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.title, consultation.delivery_address) == ("Après", "Cuisine centrale")
    entry = AuditLogEntry.objects.get(action="foodlink.consultation.update")
    assert entry.changes["title"] == ["Avant", "Après"]


def test_a_published_consultation_is_not_edited(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    client.force_login(world.users["organisation_member"])
    client.post(f"{BASE}{consultation.pk}/modifier/", _form(buyer=consultation.buyer_id, title="X"))
    consultation.refresh_from_db()
    assert consultation.title != "X"


def test_detail_shows_the_history_to_the_buyer(client, world):
    from essor.foodlink import services

    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    services.cancel_consultation(
        actor=world.users["organisation_admin"], consultation=consultation, reason="Menu changé"
    )
    client.force_login(world.users["organisation_member"])
    body = client.get(f"{BASE}{consultation.pk}/").content.decode()
    assert "Historique" in body and "Annulée" in body and "Menu changé" in body


def test_my_space_links_to_short_chains_for_canteen_managers_only(client, world):
    from essor.core.navigation import entries_for

    make_buyer(world.structure)
    labels = [
        link["label"]
        for link in entries_for(
            world.users["organisation_member"], is_agency=False, place="dashboard"
        )
    ]
    assert "Circuits courts" in labels
    others = entries_for(world.users["authenticated"], is_agency=False, place="dashboard")
    assert "Circuits courts" not in [link["label"] for link in others]


def test_award_page_measures_the_spend_of_the_year_of_paris(client, world, monkeypatch):
    # 23:30 UTC on 31 December 2026 is 2027 in Paris: the guard reads the 2027 purchases.
    from decimal import Decimal

    from tests.foodlink.factories import PurchaseFactory

    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    )
    buyer = make_buyer(world.structure)
    PurchaseFactory(buyer=buyer, price_ht=Decimal("900"), date=datetime.date(2027, 1, 1))
    consultation = ConsultationFactory(buyer=buyer, status=Consultation.Status.CLOSED)
    client.force_login(world.users["organisation_member"])

    response = client.get(f"/circuits-courts/consultations/{consultation.pk}/attribuer/")

    assert response.context["guard"]["amount"] == Decimal("900")


# --- Closing the responses: one rule, offered only when it can be done --------------------------


def test_closing_is_not_offered_before_the_deadline(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    client.force_login(world.users["organisation_member"])

    body = client.get(f"{BASE}{consultation.pk}/").content.decode()

    assert "Clore les réponses" not in body


def test_closing_before_the_deadline_is_refused_and_explained(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    client.force_login(world.users["organisation_member"])

    response = client.post(f"{BASE}{consultation.pk}/clore/", follow=True)

    assert ["peuvent encore répondre" in str(m) for m in response.context["messages"]] == [True]
    consultation.refresh_from_db()
    assert consultation.status == S.PUBLISHED


def test_closing_is_offered_after_the_deadline_and_closes(client, world):
    consultation = ConsultationFactory(
        buyer=make_buyer(world.structure),
        status=S.PUBLISHED,
        deadline=timezone.now() - datetime.timedelta(minutes=1),
    )
    client.force_login(world.users["organisation_member"])

    body = client.get(f"{BASE}{consultation.pk}/").content.decode()
    client.post(f"{BASE}{consultation.pk}/clore/")

    assert "Clore les réponses" in body
    consultation.refresh_from_db()
    assert consultation.status == S.CLOSED


def test_a_step_not_offered_is_not_shown_by_its_address_either(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    client.force_login(world.users["organisation_member"])

    response = client.get(f"{BASE}{consultation.pk}/clore/", follow=True)

    assert response.redirect_chain[-1][0] == f"{BASE}{consultation.pk}/"
    assert [str(m) for m in response.context["messages"]] == [
        "« Clore les réponses » n'est pas encore possible : les producteurs peuvent répondre "
        "jusqu'à la date limite."
    ]


def test_the_award_page_of_a_draft_sends_back_to_the_consultation(client, world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    client.force_login(world.users["organisation_member"])

    response = client.get(f"{BASE}{consultation.pk}/attribuer/", follow=True)

    assert response.redirect_chain[-1][0] == f"{BASE}{consultation.pk}/"
    assert [str(m) for m in response.context["messages"]] == [
        "« Attribuer » est impossible : la consultation est à l'état « Brouillon »."
    ]
