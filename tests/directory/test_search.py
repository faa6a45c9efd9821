"""Full-text search: accent-insensitive, prefix on the last word, ranked, safe, kept in sync."""

import pytest
from django.db import connection

from essor.directory.models import Organisation
from essor.directory.search import (
    fts5_query,
    search_organisations,
    search_terms,
    settle_last_word,
)
from essor.directory.selectors import public_organisations
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def names(text):
    return [o.name for o in search_organisations(public_organisations(), text)]


def test_search_ignores_accents_in_the_query_and_the_text():
    OrganisationFactory(name="Épicerie solidaire du Méridien")
    assert names("epicerie meridien") == ["Épicerie solidaire du Méridien"]


def test_search_finds_words_of_the_acronym_activity_and_description():
    OrganisationFactory(name="Structure A", acronym="ADSL")
    OrganisationFactory(name="Structure B", activity="Réparation de vélos")
    OrganisationFactory(name="Structure C", description="Nous organisons des concerts.")
    assert names("adsl") == ["Structure A"]
    assert names("vélos") == ["Structure B"]
    assert names("concerts") == ["Structure C"]


def test_the_last_word_is_a_prefix():
    OrganisationFactory(name="Recyclerie du Dunkerquois")
    assert names("recycl") == ["Recyclerie du Dunkerquois"]


def test_every_word_is_required():
    OrganisationFactory(name="Jardin partagé")
    OrganisationFactory(name="Jardin d'insertion")
    assert names("jardin insertion") == ["Jardin d'insertion"]


def test_a_match_in_the_name_ranks_before_a_match_in_the_description():
    OrganisationFactory(name="Alpha", description="Une association qui parle de théâtre.")
    OrganisationFactory(name="Théâtre du Port", description="Une compagnie.")
    assert names("théâtre") == ["Théâtre du Port", "Alpha"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "'",
        "-",
        "*",
        "(",
        ")",
        "a OR",
        "NOT b",
        'x" OR "y',
        "col:val",
        "^start",
        "AND",
        "NEAR(a b)",
        "%_\\",
    ],
)
def test_search_syntax_in_the_query_never_fails(text):
    OrganisationFactory(name="Les Amis du vélo")
    list(search_organisations(public_organisations(), text))


def test_query_made_of_punctuation_returns_the_queryset_unchanged():
    OrganisationFactory(name="Les Amis du vélo")
    assert names("- * ( )") == ["Les Amis du vélo"]


def test_search_terms_drop_syntax_and_one_letter_words():
    assert search_terms('l\'insertion "solidaire" -(vélo*)') == ["insertion", "solidaire", "vélo"]


def test_fts5_query_quotes_each_word_and_prefixes_the_last():
    assert fts5_query(["jardin", "insert"]) == '"jardin" "insert"*'


def test_index_follows_an_update_through_the_orm():
    organisation = OrganisationFactory(name="Ancien nom")
    Organisation.objects.filter(pk=organisation.pk).update(name="Nouveau nom")
    assert names("ancien") == []
    assert names("nouveau") == ["Nouveau nom"]


def test_index_follows_a_deletion():
    organisation = OrganisationFactory(name="Disparue")
    organisation.delete()
    assert names("disparue") == []


def test_index_follows_bulk_inserts():
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Coopérative {n}", is_ess=True, ess_family="cooperative")
            for n in range(3)
        ]
    )
    assert len(names("cooperative")) == 3


def test_index_follows_raw_sql_writes():
    organisation = OrganisationFactory(name="Avant")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE directory_organisation SET description = %s WHERE id = %s",
            ["Atelier de couture", organisation.pk],
        )
    assert names("couture") == ["Avant"]


def test_search_keeps_the_queryset_filters():
    OrganisationFactory(name="Vélo public")
    OrganisationFactory(name="Vélo fermé", is_active=False)
    assert names("vélo") == ["Vélo public"]


def test_full_text_machinery_is_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'directory_organisation' AND name LIKE 'directory_organisation_fts_%%'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'directory_organisation_search_vector'"
            )
            assert cursor.fetchone()[0] == 1
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'directory_organisation_search_gin'"
            )
            assert cursor.fetchone()[0] == 1
            return
        assert cursor.fetchone()[0] == 3


def test_a_text_ending_with_a_space_takes_its_last_word_as_it_is():
    OrganisationFactory(name="Vélo solidaire")
    assert names("vél") == ["Vélo solidaire"]
    assert names("vél ") == []


def test_a_last_word_common_on_its_own_is_taken_as_it_is(monkeypatch):
    monkeypatch.setattr("essor.directory.search.COMMON_WORD_LIMIT", 1)
    OrganisationFactory(name="Vélo solidaire")
    assert settle_last_word("atelier vélo") == "atelier vélo "


def test_a_rare_or_unfinished_last_word_stays_a_prefix():
    OrganisationFactory(name="Vélo solidaire")
    assert settle_last_word("atelier vél") == "atelier vél"
    assert settle_last_word("") == ""


@pytest.mark.parametrize("text", ["", "vélo", "3.86e+16"])
def test_a_page_number_beyond_any_offset_shows_the_last_page(client, text):
    OrganisationFactory(name="Les Amis du vélo")

    response = client.get("/annuaire/", {"q": text, "page": "9" * 29})

    assert response.status_code == 200
