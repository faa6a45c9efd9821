"""The home page: territory, entry points, figures by ESS family."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from essor.directory.selectors import family_counts
from tests.directory.helpers import public_organisation

pytestmark = pytest.mark.django_db


def test_family_counts_count_public_organisations_by_family():
    public_organisation("Asso 1")
    public_organisation("Asso 2")
    public_organisation("Scop", legal_category="5458", ess_family="cooperative")
    counts = {item["family"]: item["count"] for item in family_counts()}
    assert counts["association"] == 2
    assert counts["cooperative"] == 1
    assert counts["mutual"] == 0


def test_home_shows_the_territory_its_communes_and_entry_points(client):
    content = client.get(reverse("home")).content.decode()
    assert "Communauté urbaine de Dunkerque" in content
    assert "Grande-Synthe" in content
    assert 'action="/annuaire/"' in content
    assert "/annuaire/?sector=culture" in content
    assert reverse("directory:open_data") in content
    assert reverse("territory:list") in content


def test_home_figures_are_kept_for_a_while_then_counted_again(client):
    public_organisation("Asso 1")
    client.get(reverse("home"))  # counted, then kept
    public_organisation("Asso 2")
    assert "1 structure" in client.get(reverse("home")).content.decode()
    cache.clear()  # what the expiry does
    assert "2 structures" in client.get(reverse("home")).content.decode()
