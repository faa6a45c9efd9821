"""Open data: the CSV and GeoJSON exports of the public directory."""

import csv
import io
import json

import pytest
from django.urls import reverse

from essor.directory.models import DiffusionStatus
from tests.directory.helpers import public_organisation
from tests.factories import EstablishmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def csv_rows(client, **params):
    response = client.get(reverse("directory:export_csv"), params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(content)))


def geojson(client, **params):
    response = client.get(reverse("directory:export_geojson"), params)
    return json.loads(b"".join(response.streaming_content).decode("utf-8"))


def test_open_data_page_names_the_licence(client):
    content = client.get(reverse("directory:open_data")).content.decode()
    assert "Licence Ouverte 2.0" in content


def test_csv_has_one_row_per_public_establishment_with_its_organisation(client):
    organisation = public_organisation("Théâtre du Port", sectors=["culture", "sport"])
    EstablishmentFactory(organisation=organisation, siret=None, is_head_office=False)
    OrganisationFactory(name="Cessée", is_active=False)
    rows = csv_rows(client)
    assert [row["nom"] for row in rows] == ["Théâtre du Port", "Théâtre du Port"]
    assert rows[0]["siege"] == "oui"
    assert rows[0]["secteurs"] == "Culture | Sport"
    assert rows[0]["code_insee"] == "59183"


def test_csv_honours_the_search_filters(client):
    public_organisation("Théâtre", sectors=["culture"])
    public_organisation("Football", sectors=["sport"])
    assert [row["nom"] for row in csv_rows(client, q="football")] == ["Football"]
    assert [row["nom"] for row in csv_rows(client, sector="culture")] == ["Théâtre"]


def test_csv_leaves_out_non_diffusible_and_masks_partial_addresses(client):
    organisation = OrganisationFactory(name="Partielle")
    EstablishmentFactory(
        organisation=organisation,
        address="12 rue Secrète",
        diffusion_status=DiffusionStatus.PARTIAL,
    )
    EstablishmentFactory(
        organisation=organisation,
        siret=None,
        is_head_office=False,
        diffusion_status=DiffusionStatus.NOT_DIFFUSIBLE,
    )
    [row] = csv_rows(client)
    assert row["adresse"] == ""
    assert row["latitude"] == ""
    assert row["commune"] == "Dunkerque"


def test_geojson_is_a_feature_collection_of_located_public_establishments(client):
    organisation = public_organisation("Localisée")
    EstablishmentFactory(
        organisation=organisation, siret=None, is_head_office=False, latitude=None, longitude=None
    )
    data = geojson(client)
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [2.377, 51.034]}
    assert feature["properties"]["nom"] == "Localisée"


def test_geojson_honours_the_filters(client):
    public_organisation("Théâtre", sectors=["culture"])
    public_organisation("Football", sectors=["sport"])
    names = [f["properties"]["nom"] for f in geojson(client, sector="sport")["features"]]
    assert names == ["Football"]


def test_csv_neutralises_a_name_a_spreadsheet_would_run(client):
    organisation = public_organisation('=HYPERLINK("http://example.org","x")', acronym="-1+2")
    organisation.establishments.update(longitude=-0.5)
    [row] = csv_rows(client)
    assert row["nom"] == '\'=HYPERLINK("http://example.org","x")'
    assert row["sigle"] == "'-1+2"
    assert row["longitude"] == "-0.5"  # a number stays a number


def test_geojson_keeps_the_name_as_typed(client):
    public_organisation("=1+2")
    [feature] = geojson(client)["features"]
    assert feature["properties"]["nom"] == "=1+2"
