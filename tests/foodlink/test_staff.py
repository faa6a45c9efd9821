import pytest

from essor.foodlink.models import BuyerProfile, ProducerProfile, ProducerRevision
from tests.factories import OrganisationFactory, siret_for
from tests.foodlink.factories import ProducerProfileFactory

pytestmark = pytest.mark.django_db


def test_agency_registers_a_producer_by_siren(client, world):
    organisation = OrganisationFactory(name="Ferme des Moëres")
    client.force_login(world.users["agency_staff"])
    response = client.post(
        "/circuits-courts/agence/producteurs/nouveau/",
        {"organisation": organisation.siren, "commune": _dunkerque(), "delivery_radius_km": "25"},
    )
    producer = ProducerProfile.objects.get(organisation=organisation)
    assert response["Location"] == f"/circuits-courts/producteurs/{producer.pk}/modifier/"


def test_unknown_siren_is_named(client, world):
    client.force_login(world.users["agency_staff"])
    response = client.post(
        "/circuits-courts/agence/producteurs/nouveau/",
        {"organisation": "999999999", "commune": _dunkerque(), "delivery_radius_km": "25"},
    )
    assert response.context["form"].errors["organisation"] == [
        "Aucune structure de l'annuaire n'a le SIREN « 999999999 »."
    ]


def test_agency_registers_a_canteen(client, world):
    organisation = OrganisationFactory(name="Ville de Bergues")
    client.force_login(world.users["agency_staff"])
    client.post(
        "/circuits-courts/agence/cantines/nouvelle/",
        {
            "organisation": organisation.siren,
            "name": "Restaurant scolaire de Bergues",
            "siret": siret_for(organisation.siren, 2),
            "sector": "school",
            "meals_per_day": "220",
            "management_mode": "direct",
            "delivery_address": "Place de la République",
            "commune": _dunkerque(),
        },
    )
    assert BuyerProfile.objects.get().name == "Restaurant scolaire de Bergues"


def test_canteen_siret_must_belong_to_the_organisation(client, world):
    organisation = OrganisationFactory()
    other = OrganisationFactory()
    client.force_login(world.users["agency_staff"])
    response = client.post(
        "/circuits-courts/agence/cantines/nouvelle/",
        {
            "organisation": organisation.siren,
            "name": "Cantine",
            "siret": siret_for(other.siren, 1),
            "sector": "school",
            "meals_per_day": "220",
            "management_mode": "direct",
            "delivery_address": "Place",
            "commune": _dunkerque(),
        },
    )
    assert "doit commencer par le SIREN" in response.content.decode()
    assert not BuyerProfile.objects.exists()


def test_agency_validates_a_revision_from_its_page(client, world):
    producer = ProducerProfileFactory(presentation="Avant")
    revision = ProducerRevision.objects.create(
        producer=producer,
        data={"profile": {"presentation": "Après"}, "products": [], "certifications": []},
    )
    client.force_login(world.users["agency_staff"])
    client.post(
        f"/circuits-courts/agence/modifications/{revision.pk}/",
        {"decision": "approve", "reason": ""},
    )
    producer.refresh_from_db()
    assert producer.presentation == "Après"


def _dunkerque():
    from essor.territory.models import Commune

    return Commune.objects.get(insee_code="59183").pk
