"""Typos in a search are corrected against the words of the directory (spelling.py)."""

from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.directory.models import SearchWord
from essor.directory.services import rebuild_search_words
from essor.directory.spelling import corrected_text, fold, neighbours, words_of
from tests.directory.helpers import public_organisation
from tests.factories import OrganisationFactory

SEARCH = reverse("directory:search")


def result_names(response):
    return [o.name for o in response.context["page"].object_list]


def test_fold_lowers_and_removes_accents():
    assert fold("Théâtre ÉCOLE") == "theatre ecole"


def test_words_of_keeps_folded_latin_words_with_their_written_form():
    assert words_of("Théâtre de l'Œuvre n°2 Ça") == {
        "theatre": "théâtre",
        "de": "de",
        "ca": "ça",
    }


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("assocation", "association"),  # a letter missing
        ("assoociation", "association"),  # a letter too many
        ("assoxiation", "association"),  # a wrong letter
        ("asosciation", "association"),  # two letters swapped
    ],
)
def test_neighbours_are_one_keystroke_away(typed, meant):
    assert meant in neighbours(typed)


def test_neighbours_exclude_the_word_itself():
    assert "club" not in neighbours("club")


@pytest.mark.django_db
def test_rebuild_counts_the_public_organisations_using_each_word():
    public_organisation("Théâtre du port", activity="Arts du spectacle")
    public_organisation("Théâtre et musique")
    public_organisation("Theatre sans accent")
    OrganisationFactory(name="Théâtre fermé", is_active=False)
    assert rebuild_search_words() == len(SearchWord.objects.all())
    theatre = SearchWord.objects.get(word="theatre")
    assert (theatre.organisations, theatre.spelling) == (3, "théâtre")
    assert SearchWord.objects.get(word="spectacle").organisations == 1
    assert not SearchWord.objects.filter(word="ferme").exists()


@pytest.mark.django_db
def test_rebuild_replaces_the_previous_words():
    SearchWord.objects.create(word="disparu", spelling="disparu", organisations=4)
    public_organisation("Jardin partagé")
    rebuild_search_words()
    assert not SearchWord.objects.filter(word="disparu").exists()


@pytest.mark.django_db
def test_a_word_is_corrected_to_its_most_used_neighbour():
    SearchWord.objects.create(word="club", spelling="club", organisations=40)
    SearchWord.objects.create(word="clos", spelling="clos", organisations=2)
    SearchWord.objects.create(word="musique", spelling="musique", organisations=9)
    SearchWord.objects.create(word="musiques", spelling="musiques", organisations=3)
    assert corrected_text("clbu musqiue", SearchWord.objects) == "club musique"


@pytest.mark.django_db
def test_a_correction_is_written_as_the_directory_writes_it():
    SearchWord.objects.create(word="theatre", spelling="théâtre", organisations=5)
    assert corrected_text("theatr", SearchWord.objects) == "théâtre"


@pytest.mark.django_db
def test_known_short_and_unknown_words_are_kept():
    SearchWord.objects.create(word="jardin", spelling="jardin", organisations=5)
    SearchWord.objects.create(word="club", spelling="club", organisations=5)
    assert corrected_text("jardn clb zzzzzz", SearchWord.objects) == "jardin clb zzzzzz"
    assert corrected_text("jardin", SearchWord.objects) == ""
    assert corrected_text("zzzzzz", SearchWord.objects) == ""


@pytest.mark.django_db
def test_a_text_is_corrected_in_one_query():
    SearchWord.objects.create(word="association", spelling="association", organisations=5)
    with CaptureQueriesContext(connection) as queries:
        corrected_text("assocation sportive de grande synthe", SearchWord.objects)
    assert len(queries.captured_queries) == 1


@pytest.mark.django_db
def test_a_typo_finding_nothing_shows_the_results_of_its_correction(client):
    public_organisation("Ressourcerie des jardins")
    public_organisation("Atelier vélo")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "resourcerie"})
    assert result_names(response) == ["Ressourcerie des jardins"]
    assert "voici les résultats pour « <strong>ressourcerie</strong> »" in response.text
    assert "Aucune structure ne correspond à « resourcerie »" in response.text


@pytest.mark.django_db
def test_the_map_exports_and_pages_of_a_corrected_search_use_the_correction(client):
    public_organisation("Ressourcerie des jardins")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "resourcerie", "sector": ""})
    assert parse_qs(response.context["filter_query"]) == {"q": ["ressourcerie"]}


@pytest.mark.django_db
def test_a_corrected_search_keeps_its_postcode(client):
    public_organisation("Ressourcerie du port", commune="59183")  # Dunkerque: 59140
    public_organisation("Ressourcerie des dunes", commune="59271")  # Grande-Synthe: 59760
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "resourcerie 59760"})
    assert result_names(response) == ["Ressourcerie des dunes"]
    assert parse_qs(response.context["filter_query"]) == {"q": ["ressourcerie 59760"]}
    data = client.get("/api/annuaire/organisations", {"q": "resourcerie 59760"}).json()
    assert (data["count"], data["corrected_q"]) == (1, "ressourcerie 59760")


@pytest.mark.django_db
def test_a_typo_is_corrected_within_the_filters(client):
    public_organisation("Ressourcerie du port", commune="59183")
    public_organisation("Ressourcerie des dunes", commune="59271")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "resourcerie", "commune": "59271"})
    assert result_names(response) == ["Ressourcerie des dunes"]


@pytest.mark.django_db
def test_a_correction_finding_nothing_in_the_filters_is_not_offered(client):
    public_organisation("Ressourcerie du port", commune="59183")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "resourcerie", "commune": "59271"})
    assert result_names(response) == []
    assert response.context["page"].corrected_text == ""
    assert "voici les résultats pour" not in response.text
    assert parse_qs(response.context["filter_query"])["q"] == ["resourcerie"]


@pytest.mark.django_db
def test_a_word_found_as_typed_is_not_corrected(client):
    public_organisation("Asociation au nom mal écrit")
    public_organisation("Association bien écrite")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "asociation"})
    assert result_names(response) == ["Asociation au nom mal écrit"]
    assert response.context["page"].corrected_text == ""


@pytest.mark.django_db
def test_nothing_found_even_corrected_says_so(client):
    public_organisation("Association des jardins")
    rebuild_search_words()
    response = client.get(SEARCH, {"q": "xylophone"})
    assert result_names(response) == []
    assert "Aucune structure ne correspond" in response.text
    assert "voici les résultats pour" not in response.text


@pytest.mark.django_db
def test_the_api_says_which_text_it_searched(client):
    public_organisation("Ressourcerie des jardins")
    rebuild_search_words()
    data = client.get("/api/annuaire/organisations", {"q": "resourcerie"}).json()
    assert (data["count"], data["corrected_q"]) == (1, "ressourcerie")
    data = client.get("/api/annuaire/organisations", {"q": "ressourcerie"}).json()
    assert (data["count"], data["corrected_q"]) == (1, "")


@pytest.mark.django_db
def test_the_command_rebuilds_the_words(capsys):
    public_organisation("Ressourcerie du littoral")
    call_command("refresh_search_words", verbosity=0)
    assert SearchWord.objects.filter(word="ressourcerie").exists()
    assert "mots pour corriger les recherches" in capsys.readouterr().out
