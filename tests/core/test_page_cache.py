"""Public pages served from the cache to anonymous visitors (essor/core/page_cache.py): the same
page until the data it shows change, never a page of someone else's."""

import datetime

import pytest
from django.urls import reverse

from essor.core import page_cache
from essor.directory.models import Organisation, Sector
from tests.core.page_cache_urls import RENDERED
from tests.directory.helpers import public_organisation
from tests.factories import OrganisationFactory
from tests.funding.factories import FunderProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    """The test settings cache no page: these tests turn the cache on, with pages that count
    how many times they were rendered."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.ROOT_URLCONF = "tests.core.page_cache_urls"
    RENDERED.clear()


def organisation_page(client, organisation) -> str:
    return client.get(reverse("directory:organisation", kwargs={"pk": organisation.pk})).text


def test_an_anonymous_visitor_gets_the_stored_page_without_a_query(
    client, django_assert_num_queries
):
    public_organisation("Les Jardins du Littoral")
    first = client.get(reverse("directory:search"))

    with django_assert_num_queries(0):
        second = client.get(reverse("directory:search"))

    assert second.content == first.content
    assert "Les Jardins du Littoral" in second.text


def test_a_saved_change_shows_on_the_next_request(client):
    organisation = public_organisation("Les Jardins du Littoral")
    organisation_page(client, organisation)

    organisation.name = "Les Jardins de la Digue"
    organisation.save()

    assert "<h1>Les Jardins de la Digue</h1>" in organisation_page(client, organisation)


def test_a_many_to_many_change_shows_on_the_next_request(client):
    organisation = public_organisation("Les Jardins du Littoral")
    organisation_page(client, organisation)

    organisation.sectors.add(Sector.objects.get(slug="environnement"))

    assert "Environnement" in organisation_page(client, organisation)


def test_a_deletion_shows_on_the_next_request(client):
    public_organisation("Les Jardins du Littoral")
    kept = public_organisation("Vélo Solidaire")
    client.get(reverse("directory:search"))

    Organisation.objects.exclude(pk=kept.pk).get().delete()

    assert "Les Jardins du Littoral" not in client.get(reverse("directory:search")).text


def test_a_write_without_signal_shows_once_its_service_says_so(client):
    organisation = public_organisation("Les Jardins du Littoral")
    organisation_page(client, organisation)

    Organisation.objects.filter(pk=organisation.pk).update(name="Les Jardins de la Digue")
    page_cache.changed("directory")

    assert "<h1>Les Jardins de la Digue</h1>" in organisation_page(client, organisation)


def test_a_write_in_an_app_the_page_does_not_show_keeps_the_page(client):
    client.get("/essai/simple/")

    OrganisationFactory(name="Une structure de plus")

    assert client.get("/essai/simple/").text == "plain rendu 1 fois"


def test_a_write_in_an_app_the_page_shows_renders_it_again(client):
    client.get("/essai/simple/")

    FunderProfileFactory()

    assert client.get("/essai/simple/").text == "plain rendu 2 fois"


def test_signed_in_people_are_never_served_a_stored_page(client, world):
    client.get("/essai/simple/")
    client.force_login(world.users["organisation_member"])

    assert client.get("/essai/simple/").text == "plain rendu 2 fois"
    assert "Mon espace" in client.get(reverse("directory:search")).text


def test_a_page_stored_for_a_signed_in_person_is_never_served(client, world):
    client.force_login(world.users["organisation_member"])
    client.get(reverse("directory:search"))
    client.logout()

    assert "Mon espace" not in client.get(reverse("directory:search")).text


def test_a_page_asking_for_the_csrf_token_is_not_stored(client):
    client.get("/essai/jeton/")

    assert client.get("/essai/jeton/").text == "with_csrf_token rendu 2 fois"


def test_a_response_setting_a_cookie_is_not_stored(client):
    client.get("/essai/cookie/")

    assert client.get("/essai/cookie/").text == "with_cookie rendu 2 fois"


def test_an_error_is_not_stored(client):
    client.get("/essai/introuvable/")
    client.get("/essai/introuvable/")

    assert RENDERED["not_found"] == 2


def test_a_private_response_is_not_stored(client):
    client.get("/essai/prive/")

    assert client.get("/essai/prive/").text == "private rendu 2 fois"


def test_a_response_queuing_a_message_is_not_stored(client):
    client.get("/essai/message/")

    assert client.get("/essai/message/").text == "queues_a_message rendu 2 fois"


def test_a_visitor_with_a_message_waiting_gets_it_on_the_page(client):
    client.get(reverse("directory:search"))

    response = client.get("/essai/laisser-un-message/", follow=True)

    assert "Vous êtes déconnecté." in response.text


def test_each_query_string_is_a_page_of_its_own(client):
    public_organisation("Les Jardins du Littoral")
    public_organisation("Vélo Solidaire")
    client.get(reverse("directory:search") + "?q=jardins")

    page = client.get(reverse("directory:search") + "?q=velo").text

    assert "Vélo Solidaire" in page
    assert "Les Jardins du Littoral" not in page


def test_the_next_day_the_page_is_rendered_again(client, monkeypatch):
    client.get("/essai/simple/")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)

    assert client.get("/essai/simple/").text == "plain rendu 2 fois"


def test_with_the_cache_off_every_request_is_rendered(client, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/essai/simple/")

    assert client.get("/essai/simple/").text == "plain rendu 2 fois"


def test_a_kept_value_follows_a_write(client, world):
    # Signed in: no page cache, only the search form's choices kept.
    client.force_login(world.users["organisation_member"])
    client.get(reverse("directory:search"))

    Sector.objects.create(slug="tiers-lieux", name="Tiers-lieux", position=99)

    assert '<option value="tiers-lieux">Tiers-lieux</option>' in (
        client.get(reverse("directory:search")).text
    )


def test_an_evicted_version_never_brings_back_an_older_page(client):
    client.get("/essai/simple/")
    page_cache.changed("funding")
    client.get("/essai/simple/")

    page_cache._cache().delete("page-version:funding")

    assert client.get("/essai/simple/").text == "plain rendu 3 fois"
