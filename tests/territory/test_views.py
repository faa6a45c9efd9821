import re

import pytest
from django.urls import reverse

from essor.territory.models import Commune, FormerCommune, Territory


def add_territory(slug, communes=3):
    territory = Territory.objects.create(slug=slug, name=f"Territoire {slug}", kind="partner")
    for index in range(communes):
        commune = Commune.objects.create(
            insee_code=f"62{len(slug)}{index:02d}", name=f"Commune {slug} {index}", population=100
        )
        FormerCommune.objects.create(
            code=f"80{len(slug)}{index:02d}", name="Ancienne", current=commune
        )
        territory.communes.add(commune)
    return territory


@pytest.mark.django_db
def test_list_shows_territories_communes_and_population(client):
    html = client.get(reverse("territory:list")).content.decode()
    assert html.count("<h1") == 1
    assert "Communauté urbaine de Dunkerque" in html
    assert "Saint-Georges-sur-l&#x27;Aa" in html
    assert re.search(r"192\D{1,8}554 habitants", html)


@pytest.mark.django_db
def test_detail_shows_insee_postal_and_former_codes(client):
    html = client.get(reverse("territory:detail", kwargs={"slug": "cud"})).content.decode()
    assert html.count("<h1") == 1
    assert "59183" in html
    assert "59140, 59240" in html
    assert "Saint-Pol-sur-Mer (59540)" in html


@pytest.mark.django_db
def test_unknown_territory_is_404(client):
    assert client.get(reverse("territory:detail", kwargs={"slug": "inconnu"})).status_code == 404


@pytest.mark.django_db
def test_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get(reverse("territory:list"))
    add_territory("aa", communes=4)
    add_territory("bbb", communes=2)
    with django_assert_num_queries(2):
        client.get(reverse("territory:list"))


@pytest.mark.django_db
def test_detail_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    add_territory("aa", communes=1)
    with django_assert_num_queries(3):
        client.get(reverse("territory:detail", kwargs={"slug": "aa"}))
    with django_assert_num_queries(3):
        client.get(reverse("territory:detail", kwargs={"slug": "cud"}))


@pytest.mark.django_db
def test_population_is_grouped_like_every_number(client):
    html = client.get(reverse("territory:list")).content.decode()
    assert "192\u202f554 habitants" in html
