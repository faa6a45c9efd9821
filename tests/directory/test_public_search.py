"""The search page, its filters, its pagination and its map data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.directory.models import DiffusionStatus, Organisation, Sector
from essor.directory.services import rebuild_search_words
from essor.territory.models import Commune
from tests.directory.helpers import public_organisation, valid_esus
from tests.factories import EstablishmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
SEARCH = reverse("directory:search")
MAP = reverse("directory:map_data")


def result_names(response):
    return [o.name for o in response.context["page"].object_list]


def test_search_page_lists_public_organisations_only(client):
    public_organisation("Publique")
    OrganisationFactory(name="Hors ESS", is_ess=False, ess_family="", legal_category="5710")
    OrganisationFactory(name="Cessée", is_active=False)
    merged_into = public_organisation("Absorbante")
    OrganisationFactory(name="Absorbée", merged_into=merged_into)
    assert result_names(client.get(SEARCH)) == ["Absorbante", "Publique"]


def test_text_query_finds_organisations(client):
    public_organisation("Épicerie solidaire")
    public_organisation("Vélo club")
    assert result_names(client.get(SEARCH, {"q": "epicerie"})) == ["Épicerie solidaire"]


def test_sector_filter(client):
    public_organisation("Théâtre", sectors=["culture"])
    public_organisation("Football", sectors=["sport"])
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == ["Théâtre"]


def test_family_filter(client):
    public_organisation("Asso")
    public_organisation("Scop", legal_category="5458", ess_family="cooperative")
    assert result_names(client.get(SEARCH, {"family": "cooperative"})) == ["Scop"]


def test_commune_filter_uses_open_establishments(client):
    public_organisation("À Dunkerque", commune="59183")
    public_organisation("À Grande-Synthe", commune="59271")
    closed = public_organisation("Fermée à Grande-Synthe", commune="59183")
    EstablishmentFactory(
        organisation=closed,
        siret=None,
        is_head_office=False,
        is_open=False,
        commune=Commune.objects.get(insee_code="59271"),
    )
    assert result_names(client.get(SEARCH, {"commune": "59271"})) == ["À Grande-Synthe"]


def test_esus_filter_keeps_approvals_valid_today(client):
    public_organisation("Agréée", **valid_esus())
    expired = datetime.date.today() - datetime.timedelta(days=400)
    public_organisation(
        "Expirée", esus_start=expired, esus_end=expired + datetime.timedelta(days=100)
    )
    assert result_names(client.get(SEARCH, {"esus": "on"})) == ["Agréée"]


def test_employer_filter(client):
    public_organisation("Employeuse", is_employer=True)
    public_organisation("Bénévole", is_employer=False)
    assert result_names(client.get(SEARCH, {"employer": "on"})) == ["Employeuse"]


def test_unknown_filter_values_are_ignored(client):
    public_organisation("Asso")
    response = client.get(SEARCH, {"sector": "inconnu", "family": "x", "commune": "00000"})
    assert response.status_code == 200
    assert result_names(response) == ["Asso"]


def test_search_syntax_never_fails(client):
    public_organisation("Asso")
    assert client.get(SEARCH, {"q": '"(vélo* OR -x'}).status_code == 200


def test_results_are_paginated_by_25_with_the_count_and_page_number(client):
    for n in range(30):
        public_organisation(f"Structure {n:02d}")
    response = client.get(SEARCH, {"page": 2})
    content = response.content.decode()
    assert len(result_names(response)) == 5
    assert "30 structures" in content
    assert "Page 2 sur 2" in content


def test_page_links_keep_the_filters(client):
    for n in range(26):
        public_organisation(f"Théâtre {n:02d}", sectors=["culture"])
    content = client.get(SEARCH, {"sector": "culture"}).content.decode()
    assert "?sector=culture&amp;page=2" in content


def queries_of(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "théâtre", "commune": "59183"},
        {"q": "théâtre", "sector": "culture"},
        {"q": "théâtre"},
        {"q": "t"},
        {"q": "t", "commune": "59183"},
        {"sector": "culture", "commune": "59183"},
        {},
    ],
)
def test_search_page_runs_a_constant_number_of_queries(client, params):
    # territory + its communes, sectors (choices); whether the last word is common, the
    # filters' ids, the matches (at most 1,001) or for one letter the count and the page; the
    # organisations, their sectors, their establishments
    for n in range(3):
        public_organisation(f"Théâtre {n:02d}", sectors=["culture", "sport"])
    few = queries_of(client, params)
    for n in range(3, 40):
        public_organisation(f"Théâtre {n:02d}", sectors=["culture", "sport"])
    assert queries_of(client, params) == few <= 10


@pytest.mark.parametrize("params", [{"q": "théatrr"}, {"q": "théatrr", "commune": "59183"}])
def test_a_corrected_typo_runs_a_constant_number_of_queries(client, params):
    # as above, then the words and their neighbours, and the corrected text's search
    for n in range(3):
        public_organisation(f"Théâtre {n:02d}", sectors=["culture", "sport"])
    rebuild_search_words()
    few = queries_of(client, params)
    for n in range(3, 40):
        public_organisation(f"Théâtre {n:02d}", sectors=["culture", "sport"])
    rebuild_search_words()
    assert client.get(SEARCH, params).context["page"].corrected_text == "théâtre"
    assert queries_of(client, params) == few <= 13


def test_search_page_has_the_map_wired_without_inline_script(client):
    content = client.get(SEARCH, {"sector": "culture"}).content.decode()
    assert 'data-geojson-url="/annuaire/carte.json?sector=culture"' in content
    assert "<script>" not in content
    assert "js/directory-map.js" in content


def test_map_data_is_geojson_of_located_public_establishments(client):
    organisation = public_organisation("Visible")
    data = client.get(MAP).json()
    assert data["type"] == "FeatureCollection"
    [feature] = data["features"]
    assert feature["properties"]["organisation"] == organisation.pk
    assert feature["geometry"]["coordinates"] == [2.377, 51.034]


def test_map_data_honours_the_bounding_box(client):
    public_organisation("Dedans")
    assert client.get(MAP, {"bbox": "2.0,50.9,2.5,51.1"}).json()["features"]
    assert client.get(MAP, {"bbox": "3.0,50.0,3.5,50.5"}).json()["features"] == []


def test_map_data_honours_the_filters(client):
    public_organisation("Théâtre", sectors=["culture"])
    public_organisation("Football", sectors=["sport"])
    features = client.get(MAP, {"sector": "sport"}).json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Football"]


def test_map_data_hides_partially_diffusible_and_non_diffusible_establishments(client):
    partial = OrganisationFactory(name="Partielle")
    EstablishmentFactory(organisation=partial, diffusion_status=DiffusionStatus.PARTIAL)
    hidden = OrganisationFactory(name="Cachée")
    EstablishmentFactory(organisation=hidden, diffusion_status=DiffusionStatus.NOT_DIFFUSIBLE)
    assert client.get(MAP).json()["features"] == []


def test_map_data_hides_the_establishments_of_a_partially_diffusible_organisation(client):
    organisation = public_organisation("Discrète")
    Organisation.objects.filter(pk=organisation.pk).update(diffusion_status=DiffusionStatus.PARTIAL)
    assert client.get(MAP).json()["features"] == []


def test_map_data_honours_the_text_and_labels_with_the_acronym(client):
    public_organisation("Vélo solidaire", acronym="VS")
    public_organisation("Théâtre du port")
    features = client.get(MAP, {"q": "vélo"}).json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Vélo solidaire (VS)"]


def test_map_data_says_when_it_is_truncated(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.MAP_FEATURE_LIMIT", 1)
    monkeypatch.setattr("essor.directory.selectors.map_features.__defaults__", (None, 1))
    public_organisation("Une")
    public_organisation("Deux")
    data = client.get(MAP).json()
    assert data["truncated"] is True
    assert len(data["features"]) == 1


def test_each_page_is_read_from_the_database_in_name_order(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.PAGE_SIZE", 1)
    for n in range(3):
        public_organisation(f"Structure {n}")
    response = client.get(SEARCH, {"page": 3})
    assert response.context["page"].paginator.count == 3
    assert result_names(response) == ["Structure 2"]
    assert result_names(client.get(SEARCH, {"page": 1})) == ["Structure 0"]


def test_the_form_keeps_the_chosen_filters(client):
    content = client.get(
        SEARCH, {"q": "vélo", "sector": "culture", "commune": "59183", "esus": "on"}
    ).content.decode()
    assert 'value="vélo"' in content
    assert '<option value="culture" selected>' in content
    assert '<option value="59183" selected>' in content
    assert 'name="esus" id="id_esus" checked' in content


def test_a_text_matching_few_organisations_is_ranked_by_relevance(client):
    public_organisation("Atelier Zèbre", description="vélo")
    public_organisation("Vélo Solidaire", description="ateliers de réparation de vélos")
    page = client.get(SEARCH, {"q": "vélo"}).context["page"]
    assert [organisation.name for organisation in page] == ["Vélo Solidaire", "Atelier Zèbre"]
    assert not page.first_found


def test_a_text_too_broad_to_count_ranks_the_first_found_and_the_page_says_so(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.COUNT_LIMIT", 2)
    public_organisation("Atelier Zèbre", description="vélo")
    public_organisation("Vélo Solidaire", description="ateliers de réparation de vélos")
    public_organisation("Vélo Club", description="sorties à vélo")
    response = client.get(SEARCH, {"q": "vélo"})
    page = response.context["page"]
    # Two of the three (the first the database finds), ranked: a hit in the name before the one
    # in a description only.
    names = [organisation.name for organisation in page]
    assert len(set(names)) == 2
    description_only = [name == "Atelier Zèbre" for name in names]
    assert description_only == sorted(description_only)
    assert page.first_found
    assert "voici les 2 premières trouvées, classées par pertinence" in response.content.decode()


def test_a_text_too_broad_to_count_says_more_than_the_limit(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.COUNT_LIMIT", 2)
    for name in ("Vélo A", "Vélo B", "Vélo C"):
        public_organisation(name)
    response = client.get(SEARCH, {"q": "vélo"})
    assert response.context["page"].paginator.count_is_lower_bound
    assert "Plus de 2 structures" in response.content.decode()
    api = client.get("/api/annuaire/organisations", {"q": "vélo"}).json()
    assert (api["count"], api["count_is_lower_bound"]) == (2, True)


def test_the_sector_filter_follows_a_sector_given_later(client):
    theatre = public_organisation("Théâtre", sectors=["sport"])
    theatre.sectors.add(Sector.objects.get(slug="culture"))
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == ["Théâtre"]
    theatre.sectors.remove(Sector.objects.get(slug="culture"))
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == []


def test_the_commune_filter_follows_an_establishment_that_moves(client):
    organisation = public_organisation("Recyclerie", commune="59183")
    organisation.establishments.update(commune=Commune.objects.get(insee_code="59271"))
    assert result_names(client.get(SEARCH, {"commune": "59183"})) == []
    assert result_names(client.get(SEARCH, {"commune": "59271"})) == ["Recyclerie"]


def test_the_filtered_list_follows_a_renaming_and_a_ceasing(client):
    first = public_organisation("A", sectors=["culture"])
    public_organisation("B", sectors=["culture"])
    Organisation.objects.filter(pk=first.pk).update(name="C")
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == ["B", "C"]
    Organisation.objects.filter(pk=first.pk).update(is_active=False)
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == ["B"]


def test_the_filtered_list_forgets_an_organisation_merged_into_another(client):
    kept = public_organisation("Gardée", sectors=["culture"])
    merged = public_organisation("Absorbée", sectors=["culture"])
    Organisation.objects.filter(pk=merged.pk).update(merged_into=kept)
    assert result_names(client.get(SEARCH, {"sector": "culture"})) == ["Gardée"]


def test_family_and_employer_filters_follow_changes(client):
    organisation = public_organisation("Scop", is_employer=False)
    Organisation.objects.filter(pk=organisation.pk).update(
        ess_family="cooperative", is_employer=True
    )
    assert result_names(client.get(SEARCH, {"family": "cooperative", "employer": "on"})) == ["Scop"]


def test_a_broad_text_gives_each_page_of_its_ranked_matches(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.PAGE_SIZE", 1)
    public_organisation("Vélo C")
    public_organisation("Autre chose")
    public_organisation("Vélo A", description="vélo vélo")
    public_organisation("Vélo B")
    pages = [result_names(client.get(SEARCH, {"q": "vélo", "page": n})) for n in (1, 2, 3)]
    # The most relevant first, then equal ranks by name.
    assert pages == [["Vélo A"], ["Vélo B"], ["Vélo C"]]


def test_one_letter_lists_the_names_beginning_with_it_in_any_case_or_accent(client):
    public_organisation("Épicerie solidaire")
    public_organisation("entraide du port")
    public_organisation("Ensemble vocal")
    public_organisation("Atelier des écoles")  # a word beginning with « e », not the name
    response = client.get(SEARCH, {"q": "e"})
    # In code point order, as every list of the directory: E, e, then É.
    assert result_names(response) == ["Ensemble vocal", "entraide du port", "Épicerie solidaire"]
    assert "Structures dont le nom commence par « E », classées par nom." in (
        response.content.decode()
    )


def test_one_accented_letter_finds_the_same_names(client):
    public_organisation("Épicerie solidaire")
    public_organisation("Ensemble vocal")
    assert result_names(client.get(SEARCH, {"q": "É"})) == ["Ensemble vocal", "Épicerie solidaire"]


def test_one_letter_keeps_the_filters_and_gives_each_page(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.PAGE_SIZE", 1)
    public_organisation("Chorale B", commune="59183")
    public_organisation("Chorale A", commune="59183")
    public_organisation("Chorale C", commune="59271")
    pages = [
        result_names(client.get(SEARCH, {"q": "c", "commune": "59183", "page": n})) for n in (1, 2)
    ]
    assert pages == [["Chorale A"], ["Chorale B"]]
    page = client.get(SEARCH, {"q": "c", "commune": "59183"}).context["page"]
    assert page.paginator.count == 2


def test_one_letter_beyond_the_count_limit_says_more(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.COUNT_LIMIT", 2)
    for name in ("Cercle", "Club", "Comité"):
        public_organisation(name)
    response = client.get(SEARCH, {"q": "c"})
    assert response.context["page"].paginator.count_is_lower_bound
    assert result_names(response) == ["Cercle", "Club"]
    assert "Plus de 2 structures" in response.content.decode()


def test_a_word_with_a_commune_finds_its_matches_in_that_commune_only(client):
    public_organisation("Club de voile", commune="59183")
    public_organisation("Club de judo", commune="59271")
    public_organisation("Atelier vélo", commune="59183")
    assert result_names(client.get(SEARCH, {"q": "club", "commune": "59183"})) == ["Club de voile"]


def test_a_word_with_a_sector_follows_a_renaming(client):
    # On PostgreSQL the listing keeps the text's vector: it follows the organisation's.
    organisation = public_organisation("Club de voile", sectors=["sport"])
    public_organisation("Club de lecture", sectors=["culture"])
    organisation.name = "Cercle nautique"
    organisation.save()
    assert result_names(client.get(SEARCH, {"q": "club", "sector": "sport"})) == []
    assert result_names(client.get(SEARCH, {"q": "nautique", "sector": "sport"})) == [
        "Cercle nautique"
    ]


def test_an_unfinished_word_is_searched_as_a_prefix(client):
    public_organisation("Football club de Malo")
    public_organisation("Basket club")
    assert result_names(client.get(SEARCH, {"q": "footbal"})) == ["Football club de Malo"]


def test_a_postcode_lists_the_organisations_of_its_commune(client):
    public_organisation("Recyclerie", commune="59183")  # Dunkerque: 59140, 59240…
    public_organisation("Jardin partagé", commune="59271")  # Grande-Synthe: 59760
    response = client.get(SEARCH, {"q": "59140"})
    assert result_names(response) == ["Recyclerie"]
    assert "Code postal 59140 : structures situées à Dunkerque." in response.content.decode()


def test_filters_matching_beyond_the_count_limit_give_each_page_in_name_order(client, monkeypatch):
    monkeypatch.setattr("essor.directory.selectors.COUNT_LIMIT", 2)
    monkeypatch.setattr("essor.directory.selectors.PAGE_SIZE", 1)
    for name in ("Chorale C", "Chorale A", "Chorale B"):
        public_organisation(name, commune="59183", sectors=["culture"])
    public_organisation("Autre commune", commune="59271", sectors=["culture"])
    public_organisation("Autre secteur", commune="59183", sectors=["sport"])
    pages = [
        result_names(client.get(SEARCH, {"sector": "culture", "q": "59140", "page": n}))
        for n in (1, 2)
    ]
    assert pages == [["Chorale A"], ["Chorale B"]]
    page = client.get(SEARCH, {"sector": "culture", "q": "59140"}).context["page"]
    assert page.paginator.count_is_lower_bound


def test_a_postcode_of_several_communes_lists_those_of_each(client):
    public_organisation("Ferme de Spycker", commune="59576")  # 59380
    public_organisation("Cercle d'Armbouts", commune="59016")  # 59380
    public_organisation("Recyclerie", commune="59183")
    response = client.get(SEARCH, {"q": "59380"})
    assert result_names(response) == ["Cercle d'Armbouts", "Ferme de Spycker"]
    assert "situées à Armbouts-Cappel ou à Spycker" in response.content.decode()


def test_a_word_and_a_postcode_search_the_word_in_that_commune(client):
    public_organisation("Club de voile", commune="59183")
    public_organisation("Club de judo", commune="59271")
    assert result_names(client.get(SEARCH, {"q": "club 59760"})) == ["Club de judo"]
    features = client.get(MAP, {"q": "club 59760"}).json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Club de judo"]


def test_a_postcode_outside_the_territory_stays_a_text(client):
    public_organisation("Recyclerie", commune="59183")
    response = client.get(SEARCH, {"q": "75011"})
    assert result_names(response) == []
    assert "Code postal" not in response.content.decode()


def test_the_map_of_one_letter_shows_the_names_beginning_with_it(client):
    public_organisation("Épicerie solidaire")
    public_organisation("Atelier des écoles")
    features = client.get(MAP, {"q": "e"}).json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Épicerie solidaire"]
