"""French agreement of counted words: « 0 demande », « 1 demande », « 2 demandes », never « (s) »."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template

from essor.core.formats import counted, plural

ROOT = Path(__file__).resolve().parents[2]
# « ligne(s) », « lue(s). », not a call such as « Stage(s).label ».
BRACKETED_PLURAL = re.compile(r"""[a-zé]\(s\)(?=[\s,;:!?»){<"']|\.(?!\w)|$)""")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 ligne"), (1, "1 ligne"), (2, "2 lignes"), (1234, "1\u202f234 lignes")],
)
def test_a_count_agrees_by_the_french_rule(count, expected):
    assert counted(count, "ligne") == expected


def test_an_irregular_plural_is_given():
    assert plural(3, "colonne manquante", "colonnes manquantes") == "colonnes manquantes"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ n }} demande{{ n|pluriel }}", "0 demande"),
        ("{% with n=1 %}{{ n }} demande{{ n|pluriel }}{% endwith %}", "1 demande"),
        ("{% with n=2 %}ils ressemble{{ n|pluriel:'nt' }}{% endwith %}", "ils ressemblent"),
        ("{% with n=5 %}un jour{{ n|pluriel:'al,aux' }}{% endwith %}", "un jouraux"),
    ],
)
def test_the_template_filter_agrees_by_the_french_rule(template, expected):
    rendered = Template("{% load essor_format %}" + template).render(Context({"n": 0}))
    assert rendered == expected


def test_a_list_agrees_with_its_length():
    rendered = Template("{% load essor_format %}fiche{{ items|pluriel }}").render(
        Context({"items": [1, 2]})
    )
    assert rendered == "fiches"


def _sources():
    for path in sorted((ROOT / "essor").rglob("*")):
        if path.suffix in {".py", ".html"} and "migrations" not in path.parts:
            yield path


def test_no_page_or_message_writes_a_word_with_a_plural_in_brackets():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BRACKETED_PLURAL.search(line)
    ]
    assert found == []


def test_no_template_uses_djangos_english_pluralize():
    found = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if path.suffix == ".html" and "|pluralize" in path.read_text(encoding="utf-8")
    ]
    assert found == []
