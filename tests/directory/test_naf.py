"""NAF rév. 2 labels from the npm package @socialgouv/codes-naf: beside the code on the structure's
page, as a directory filter, in the exports and the API."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core import npm_data
from essor.directory.naf import NAF_PACKAGE, naf_divisions, naf_label, naf_subclasses
from tests.directory.helpers import public_organisation

ROOT = Path(__file__).resolve().parents[2]
SEARCH = reverse("directory:search")


def test_the_pinned_version_is_the_installed_one():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"][NAF_PACKAGE]
    assert pinned == "1.1.1" == npm_data.package_version(NAF_PACKAGE)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("88.99B", "Action sociale sans hébergement n.c.a."),
        ("8899B", "Action sociale sans hébergement n.c.a."),  # typed without its dot
        ("94.99Z", "Autres organisations fonctionnant par adhésion volontaire"),
        ("01.11Z", "Culture de céréales (à l'exception du riz), de légumineuses et de graines "
         "oléagineuses"),
        ("88", "Action sociale sans hébergement"),
        ("91.3E", ""),  # NAF rév. 1: not of this nomenclature
        ("", ""),
    ],
)  # fmt: skip
def test_known_codes_and_labels(code, label):
    assert naf_label(code) == label


def test_divisions_and_the_sub_classes_they_cover():
    assert len(naf_divisions()) == 88
    assert naf_subclasses("88") == [
        "88.10A", "88.10B", "88.10C", "88.91A", "88.91B", "88.99A", "88.99B"
    ]  # fmt: skip
    assert naf_subclasses("8899B") == ["88.99B"]
    assert naf_subclasses("99.99Z") == []


@pytest.mark.django_db
def test_organisation_page_shows_the_label_beside_the_code_linked_to_the_filter(client):
    organisation = public_organisation("Les Jardins", naf_code="88.99B")
    content = client.get(reverse("directory:organisation", kwargs={"pk": organisation.pk}))
    assert (
        '<a href="/annuaire/?naf=88.99B">Action sociale sans hébergement n.c.a.</a> (88.99B)'
        in content.content.decode()
    )


@pytest.mark.django_db
def test_organisation_page_shows_an_unknown_code_alone(client):
    organisation = public_organisation("Ancienne", naf_code="91.3E")
    content = client.get(reverse("directory:organisation", kwargs={"pk": organisation.pk}))
    assert "<dd>91.3E" in content.content.decode()


def names(response):
    return [organisation.name for organisation in response.context["page"].object_list]


@pytest.mark.django_db
def test_filter_by_division_keeps_its_sub_classes(client):
    public_organisation("Sans hébergement", naf_code="88.99B")
    public_organisation("Aide à domicile", naf_code="88.10A")
    public_organisation("Club", naf_code="93.12Z")
    assert names(client.get(SEARCH, {"naf": "88"})) == ["Aide à domicile", "Sans hébergement"]


@pytest.mark.django_db
def test_filter_by_sub_class_with_text_and_commune(client):
    public_organisation("Club de voile", naf_code="93.12Z", commune="59183")
    public_organisation("Club de lecture", naf_code="94.99Z", commune="59183")
    public_organisation("Club de tennis", naf_code="93.12Z", commune="59271")
    params = {"naf": "9312Z", "q": "club", "commune": "59183"}
    assert names(client.get(SEARCH, params)) == ["Club de voile"]


@pytest.mark.django_db
def test_unknown_naf_code_is_ignored(client):
    public_organisation("Club", naf_code="93.12Z")
    response = client.get(SEARCH, {"naf": "00.00X"})
    assert response.status_code == 200
    assert names(response) == ["Club"]


@pytest.mark.django_db
def test_filter_lists_the_divisions_and_keeps_a_finer_choice(client):
    content = client.get(SEARCH, {"naf": "88.99B"}).content.decode()
    assert '<label for="id_naf">Activité (NAF)</label>' in content
    assert '<option value="88">88 — Action sociale sans hébergement</option>' in content
    assert (
        '<option value="88.99B" selected>88.99B — Action sociale sans hébergement n.c.a.</option>'
        in content
    )


@pytest.mark.django_db
def test_map_honours_the_naf_filter(client):
    public_organisation("Sans hébergement", naf_code="88.99B")
    public_organisation("Club", naf_code="93.12Z")
    features = client.get(reverse("directory:map_data"), {"naf": "88"}).json()["features"]
    assert [feature["properties"]["name"] for feature in features] == ["Sans hébergement"]


def queries_of(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"naf": "88"}, {"naf": "88", "q": "action"}])
def test_naf_filter_keeps_the_number_of_queries_constant(client, params):
    public_organisation("Action 0", naf_code="88.99B")
    few = queries_of(client, params)
    for n in range(1, 30):
        public_organisation(f"Action {n}", naf_code="88.99B")
    assert queries_of(client, params) == few == queries_of(client, {**params, "naf": ""})


@pytest.mark.django_db
def test_csv_export_writes_the_label_beside_the_code(client):
    public_organisation("Les Jardins", naf_code="88.99B")
    public_organisation("Club", naf_code="93.12Z")
    response = client.get(reverse("directory:export_csv"), {"naf": "88.99B"})
    content = b"".join(response.streaming_content).decode("utf-8")
    header = content.splitlines()[0].split(",")
    assert header[header.index("code_naf") + 1] == "libelle_naf"
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(row["nom"], row["code_naf"], row["libelle_naf"]) for row in rows] == [
        ("Les Jardins", "88.99B", "Action sociale sans hébergement n.c.a.")
    ]


@pytest.mark.django_db
def test_geojson_export_has_the_label(client):
    public_organisation("Les Jardins", naf_code="88.99B")
    response = client.get(reverse("directory:export_geojson"))
    data = json.loads(b"".join(response.streaming_content).decode("utf-8"))
    assert data["features"][0]["properties"]["libelle_naf"] == (
        "Action sociale sans hébergement n.c.a."
    )


@pytest.mark.django_db
def test_api_filters_by_naf_and_gives_the_label(client):
    public_organisation("Les Jardins", naf_code="88.99B")
    public_organisation("Club", naf_code="93.12Z")
    data = client.get("/api/annuaire/organisations", {"naf": "88"}).json()
    assert [(item["name"], item["naf_label"]) for item in data["results"]] == [
        ("Les Jardins", "Action sociale sans hébergement n.c.a.")
    ]
