"""Names in a French sentence: « de l'Agence », « du Département du Nord », « d'Emmaüs », never
« de Agence » nor « de Emmaüs »."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from essor.accounts.models import Role
from essor.core.formats import elides, with_article
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Agence ESS du Dunkerquois", "de l'Agence ESS du Dunkerquois"),
        ("Région Hauts-de-France", "de la Région Hauts-de-France"),
        ("Département du Nord", "du Département du Nord"),
        ("Communauté urbaine de Dunkerque", "de la Communauté urbaine de Dunkerque"),
        ("Fondation de France", "de la Fondation de France"),
        ("Office de tourisme", "de l'Office de tourisme"),
        ("Établissement public foncier", "de l'Établissement public foncier"),
        ("Maison de l'emploi", "de la Maison de l'emploi"),
        ("Caisse d'épargne", "de la Caisse d'épargne"),
        ("Jardins de Cocagne", "des Jardins de Cocagne"),
        ("URSSAF Nord-Pas-de-Calais", "de l'URSSAF Nord-Pas-de-Calais"),
        ("Hôpital maritime", "de l'Hôpital maritime"),
    ],
)
def test_an_institutional_noun_takes_its_article(name, expected):
    assert with_article(name, "de") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Emmaüs Dunkerque", "d'Emmaüs Dunkerque"),
        ("Armbouts-Cappel", "d'Armbouts-Cappel"),
        ("Anne Martin", "d'Anne Martin"),
        ("Ypres", "d'Ypres"),
        ("Habitat et Humanisme", "d'Habitat et Humanisme"),
    ],
)
def test_a_proper_name_with_a_vowel_sound_is_elided(name, expected):
    assert with_article(name, "de") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Vélo Solidaire Dunkerquois", "de Vélo Solidaire Dunkerquois"),
        ("Bergues", "de Bergues"),
        ("Hauts-de-France", "de Hauts-de-France"),  # aspirated h
        ("Halle aux poissons", "de la Halle aux poissons"),
        ("Yourte et compagnie", "de Yourte et compagnie"),  # y before a vowel
        ("France Active", "de France Active"),
        ("La Poste", "de La Poste"),
    ],
)
def test_a_consonant_sound_is_not_elided(name, expected):
    assert with_article(name, "de") == expected


@pytest.mark.parametrize(
    ("name", "preposition", "expected"),
    [
        ("Les Jardins du Littoral", "de", "des Jardins du Littoral"),
        ("Les Jardins du Littoral", "à", "aux Jardins du Littoral"),
        ("Le Relais", "de", "du Relais"),
        ("Le Portel", "à", "au Portel"),
        ("Département du Nord", "à", "au Département du Nord"),
        ("Village des solidarités 2026", "à", "au Village des solidarités 2026"),
        ("Agence ESS", "à", "à l'Agence ESS"),
        ("Région Hauts-de-France", "par", "par la Région Hauts-de-France"),
        ("Le Relais", "pour", "pour Le Relais"),
        ("Emmaüs", "à", "à Emmaüs"),
    ],
)
def test_an_article_contracts_with_its_preposition(name, preposition, expected):
    assert with_article(name, preposition) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Agence ESS", "l'Agence ESS"),
        ("Région Hauts-de-France", "la Région Hauts-de-France"),
        ("Département du Nord", "le Département du Nord"),
        ("Les Jardins du Littoral", "Les Jardins du Littoral"),
        ("Emmaüs", "Emmaüs"),
    ],
)
def test_without_preposition_the_name_takes_its_article(name, expected):
    assert with_article(name) == expected


def test_an_empty_name_stays_empty():
    assert with_article(None, "de") == ""
    assert with_article("", "à") == ""


@pytest.mark.parametrize("word", ["Agence", "emmaüs", "Hôtel", "Ypres", "Œuvre"])
def test_words_with_a_vowel_sound_elide(word):
    assert elides(word)


@pytest.mark.parametrize("word", ["Bergues", "Hauts-de-France", "Hameau", "Yaourt", "Onze"])
def test_words_with_a_consonant_sound_do_not_elide(word):
    assert not elides(word)


def test_the_template_filter_writes_the_article_and_escapes_the_name():
    rendered = Template(
        '{% load essor_format %}{{ a|article:"de" }} ; {{ b|article:"à" }} ; {{ c|article }}'
    ).render(Context({"a": "Agence <b>", "b": "Département du Nord", "c": "Emmaüs"}))
    assert rendered == "de l&#x27;Agence &lt;b&gt; ; au Département du Nord ; Emmaüs"


def test_the_members_page_names_the_structure_with_its_article(client, db):
    organisation = OrganisationFactory(name="Association Emmaüs Dunkerque")
    admin = MembershipFactory(
        user=UserFactory(), organisation=organisation, role=Role.ORGANISATION_ADMIN
    ).user
    client.force_login(admin)
    response = client.get(reverse("accounts:members", kwargs={"pk": organisation.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Membres de l&#x27;Association Emmaüs Dunkerque" in page
    assert "Membres de Association" not in page


# « de {{ organisation.name }} », « au {{ edition.name }} »: a name written after a preposition
# without the filter that gives it its article (the filter is `{{ name|article:"de" }}`).
NAME_AFTER_PREPOSITION = re.compile(
    r"(?:^|[^'’\w])(?:de|à|du|au) (?:\{\{ ?[\w.]*name[\w.]*(?: ?\|[^}]*)? ?\}\}"
    r"|\{[\w.]*(?:name|organisation|producer|buyer|edition|funder)[\w.]*\})"
)


def test_no_template_nor_message_writes_a_name_after_a_preposition_without_its_article():
    root = Path(__file__).resolve().parents[2] / "essor"
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*"))
        if path.suffix in {".html", ".txt", ".py"} and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if NAME_AFTER_PREPOSITION.search(line)
    ]
    assert found == [], f"Nom sans son article (filtre article, formats.with_article) : {found}"


@pytest.mark.parametrize(
    "line",
    ["<h1>Membres de {{ organisation.name }}</h1>", 'f"Offre de {offer.producer} : …"'],
)
def test_the_source_check_finds_a_bare_name(line):
    assert NAME_AFTER_PREPOSITION.search(line)
