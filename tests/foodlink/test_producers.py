import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from essor.foodlink import services
from essor.foodlink.models import ProducerProfile, ProducerRevision
from tests.foodlink.factories import CertificationFactory, ProducerProfileFactory, commune

pytestmark = pytest.mark.django_db


def _data(**profile):
    return {
        "profile": {"presentation": "Légumes de plein champ", "delivery_radius_km": 40, **profile},
        "products": [{"family": "FRUITS_ET_LEGUMES", "name": "Poireaux", "months": [10, 11, 12]}],
        "certifications": [
            {
                "code": "BIO",
                "expires_on": (timezone.localdate() + datetime.timedelta(days=100)).isoformat(),
                "certifier": "Ecocert",
            }
        ],
    }


def test_agency_registers_an_organisation_as_producer_at_its_commune(world):
    producer = services.create_producer_profile(
        actor=world.users["agency_staff"], organisation=world.structure, commune=commune()
    )
    assert (producer.latitude, producer.longitude) == (commune().latitude, commune().longitude)
    assert producer.is_published is False


def test_an_organisation_has_one_producer_profile(world):
    ProducerProfileFactory(organisation=world.structure)
    with pytest.raises(IntegrityError):
        ProducerProfileFactory(organisation=world.structure)


def test_producer_edit_waits_for_validation_and_public_profile_is_unchanged(world):
    producer = ProducerProfileFactory(organisation=world.structure, presentation="Ancien texte")
    services.propose_producer_changes(
        actor=world.users["organisation_admin"], producer=producer, data=_data()
    )
    producer.refresh_from_db()
    assert producer.presentation == "Ancien texte"
    assert producer.products.count() == 0


def test_second_edit_replaces_the_pending_revision(world):
    producer = ProducerProfileFactory(organisation=world.structure)
    user = world.users["organisation_admin"]
    services.propose_producer_changes(actor=user, producer=producer, data=_data())
    services.propose_producer_changes(
        actor=user, producer=producer, data=_data(presentation="Nouveau")
    )
    revisions = ProducerRevision.objects.filter(producer=producer)
    assert revisions.count() == 1
    assert revisions.get().data["profile"]["presentation"] == "Nouveau"


def test_agency_approval_publishes_profile_products_and_certifications(world):
    producer = ProducerProfileFactory(organisation=world.structure, is_published=False)
    revision = services.propose_producer_changes(
        actor=world.users["organisation_admin"], producer=producer, data=_data()
    )
    services.review_producer_revision(
        actor=world.users["agency_staff"], revision=revision, approve=True
    )
    producer = ProducerProfile.objects.get(pk=producer.pk)
    assert producer.is_published and producer.presentation == "Légumes de plein champ"
    assert [p.months for p in producer.products.all()] == [[10, 11, 12]]
    assert list(producer.certifications.values_list("code", flat=True)) == ["BIO"]


def test_rejection_leaves_the_profile_and_tells_the_producer(world):
    producer = ProducerProfileFactory(organisation=world.structure, presentation="Ancien")
    revision = services.propose_producer_changes(
        actor=world.users["organisation_admin"], producer=producer, data=_data()
    )
    services.review_producer_revision(
        actor=world.users["agency_staff"], revision=revision, approve=False, comment="Photo floue"
    )
    producer.refresh_from_db()
    assert producer.presentation == "Ancien"
    notification = world.users["organisation_admin"].notifications.get()
    assert "refusée" in notification.message and "Photo floue" in notification.message


def test_expired_certification_cannot_be_claimed(world):
    producer = ProducerProfileFactory(organisation=world.structure)
    data = _data()
    data["certifications"][0]["expires_on"] = "2020-01-01"
    with pytest.raises(services.FoodlinkError, match="expiré"):
        services.propose_producer_changes(
            actor=world.users["organisation_admin"], producer=producer, data=data
        )


def test_unknown_family_is_refused(world):
    producer = ProducerProfileFactory(organisation=world.structure)
    data = _data()
    data["products"][0]["family"] = "LEGUMES"
    with pytest.raises(services.FoodlinkError, match="famille « LEGUMES » inconnue"):
        services.propose_producer_changes(
            actor=world.users["organisation_admin"], producer=producer, data=data
        )


def test_database_refuses_the_same_certification_twice():
    certification = CertificationFactory()
    with pytest.raises(IntegrityError):
        CertificationFactory(producer=certification.producer, code="BIO")


def test_database_refuses_a_delivery_radius_out_of_range():
    with pytest.raises(IntegrityError):
        ProducerProfileFactory(delivery_radius_km=0)


def test_producer_edit_page_proposes_changes(client, world):
    producer = ProducerProfileFactory(organisation=world.structure)
    client.force_login(world.users["organisation_member"])
    response = client.post(
        f"/circuits-courts/producteurs/{producer.pk}/modifier/",
        {
            "commune": "59183",
            "address": "",
            "presentation": "Maraîchage",
            "delivery_radius_km": "30",
            "delivery_days": ["1"],
            "minimum_order": "20",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "produits-TOTAL_FORMS": "1",
            "produits-INITIAL_FORMS": "0",
            "produits-0-family": "FRUITS_ET_LEGUMES",
            "produits-0-name": "Carottes",
            "produits-0-months": ["1", "2"],
            "certifications-TOTAL_FORMS": "1",
            "certifications-INITIAL_FORMS": "0",
            "certifications-0-code": "",
            "certifications-0-expires_on": "",
            "certifications-0-certifier": "",
        },
    )
    assert response.status_code == 302
    revision = ProducerRevision.objects.get(producer=producer)
    assert revision.data["products"] == [
        {"family": "FRUITS_ET_LEGUMES", "name": "Carottes", "months": [1, 2]}
    ]


def test_producer_edit_page_names_an_expired_certification(client, world):
    producer = ProducerProfileFactory(organisation=world.structure)
    client.force_login(world.users["organisation_member"])
    response = client.post(
        f"/circuits-courts/producteurs/{producer.pk}/modifier/",
        {
            "commune": "59183",
            "delivery_radius_km": "30",
            "minimum_order": "20",
            "produits-TOTAL_FORMS": "0",
            "produits-INITIAL_FORMS": "0",
            "certifications-TOTAL_FORMS": "1",
            "certifications-INITIAL_FORMS": "0",
            "certifications-0-code": "BIO",
            "certifications-0-expires_on": "2020-05-01",
        },
    )
    assert response.status_code == 200
    assert "Cette certification a expiré" in response.content.decode()
    assert not ProducerRevision.objects.exists()


def test_approved_move_to_another_commune_moves_the_producer(world):
    producer = ProducerProfileFactory(organisation=world.structure)
    grande_synthe = commune("59271")
    revision = services.propose_producer_changes(
        actor=world.users["organisation_admin"],
        producer=producer,
        data={"profile": {"commune": "59271"}, "products": [], "certifications": []},
    )
    services.review_producer_revision(
        actor=world.users["agency_staff"], revision=revision, approve=True
    )
    producer.refresh_from_db()
    assert producer.commune == grande_synthe
    assert (producer.latitude, producer.longitude) == (
        grande_synthe.latitude,
        grande_synthe.longitude,
    )
