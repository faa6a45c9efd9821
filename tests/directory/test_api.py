"""The directory's JSON API (/api/annuaire/)."""

import pytest

from essor.directory.models import DiffusionStatus
from tests.directory.helpers import public_organisation
from tests.factories import EstablishmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_list_searches_and_filters_public_organisations(client):
    public_organisation("Théâtre du Port", sectors=["culture"])
    public_organisation("Football club", sectors=["sport"])
    OrganisationFactory(name="Théâtre fermé", is_active=False)
    data = client.get("/api/annuaire/organisations", {"q": "theatre"}).json()
    assert data["count"] == 1
    assert data["results"][0]["name"] == "Théâtre du Port"
    assert data["results"][0]["sectors"] == ["culture"]
    data = client.get("/api/annuaire/organisations", {"sector": "sport"}).json()
    assert [o["name"] for o in data["results"]] == ["Football club"]


def test_list_is_paginated(client):
    for n in range(27):
        public_organisation(f"Structure {n:02d}")
    data = client.get("/api/annuaire/organisations", {"page": 2}).json()
    assert (data["count"], data["page"], data["pages"], len(data["results"])) == (27, 2, 2, 2)


def test_one_organisation_hides_partial_addresses(client):
    organisation = OrganisationFactory(name="Partielle")
    EstablishmentFactory(
        organisation=organisation,
        address="12 rue Secrète",
        diffusion_status=DiffusionStatus.PARTIAL,
    )
    data = client.get(f"/api/annuaire/organisations/{organisation.pk}").json()
    assert data["establishments"][0]["address"] == ""
    assert data["establishments"][0]["latitude"] is None
    assert data["establishments"][0]["commune"] == "Dunkerque"


def test_non_public_organisation_is_not_found(client):
    organisation = OrganisationFactory(is_ess=False, ess_family="", legal_category="5710")
    assert client.get(f"/api/annuaire/organisations/{organisation.pk}").status_code == 404


def test_sectors_and_communes(client):
    sectors = client.get("/api/annuaire/secteurs").json()
    communes = client.get("/api/annuaire/communes").json()
    assert {"slug": "culture", "name": "Culture", "is_priority": False} in sectors
    assert any(c["insee_code"] == "59183" and c["name"] == "Dunkerque" for c in communes)


def test_openapi_schema_documents_the_directory(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/annuaire/organisations" in paths
