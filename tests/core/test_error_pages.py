"""Error pages (400, 403, 404, 500) with DEBUG off: French, in the site's layout, one h1 and a way
back; the 500 page needs neither the database nor the context processors."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from essor.core.jobs import create_job
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

LANDMARKS = (
    '<header class="site-header"',
    '<nav aria-label="Navigation principale"',
    '<main id="contenu"',
    '<footer class="site-footer"',
)


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def failing_client():
    """A client that gets the 500 page instead of the exception."""
    return Client(raise_request_exception=False)


def _assert_layout(page: str) -> None:
    for landmark in LANDMARKS:
        assert landmark in page, landmark
    assert len(re.findall(r"<h1[\s>]", page)) == 1
    assert ">Aller à l'accueil</a>" in page
    assert '<html lang="fr">' in page


def _h1(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1).strip()


# --- 404 ------------------------------------------------------------------------------------------


def test_404_is_french_in_the_layout(client):
    response = client.get("/nulle-part/")
    page = response.content.decode()
    assert response.status_code == 404
    assert _h1(page) == "Page introuvable"
    assert "Cette page n'existe pas" in page
    _assert_layout(page)


def test_404_links_back_to_the_previous_page_of_the_site(client):
    page = client.get("/nulle-part/", HTTP_REFERER="http://testserver/annuaire/?q=jardins").content
    assert 'href="/annuaire/?q=jardins"' in page.decode()
    assert "Revenir à la page précédente" in page.decode()


def test_404_does_not_link_back_to_another_site(client):
    page = client.get("/nulle-part/", HTTP_REFERER="https://pirate.example/piege/").content.decode()
    assert "pirate.example" not in page
    assert "Revenir à la page précédente" not in page


# --- 403 ------------------------------------------------------------------------------------------


def test_403_shows_the_reason_the_view_gave(client):
    response = client.get("/essais/refus-motive/")
    page = response.content.decode()
    assert response.status_code == 403
    assert _h1(page) == "Accès refusé"
    assert "Vous n&#x27;avez pas accès à cette tâche." in page
    _assert_layout(page)


def test_403_without_a_reason_gives_a_french_sentence(client):
    page = client.get("/essais/refus/").content.decode()
    assert "Vous n&#x27;avez pas l&#x27;autorisation d&#x27;accéder à cette page." in page


def test_403_of_a_real_page_shows_its_reason(client):
    owner, other = UserFactory(), UserFactory()
    job = create_job(kind="essai", label="Import", created_by=owner)
    client.force_login(other)
    response = client.get(reverse("core:job_detail", kwargs={"pk": job.pk}))
    assert response.status_code == 403
    assert "Vous n&#x27;avez pas accès à cette tâche." in response.content.decode()
    assert "Se déconnecter" in response.content.decode()  # the signed-in person's layout


# --- 400 ------------------------------------------------------------------------------------------


def test_400_is_french_in_the_layout(client):
    response = client.get("/essais/suspect/")
    page = response.content.decode()
    assert response.status_code == 400
    assert _h1(page) == "Requête incorrecte"
    _assert_layout(page)


def test_400_for_an_unknown_host_is_french_in_the_layout(client):
    response = client.get("/", HTTP_HOST="pirate.example")
    page = response.content.decode()
    assert response.status_code == 400
    assert _h1(page) == "Requête incorrecte"
    _assert_layout(page)


# --- 500 ------------------------------------------------------------------------------------------


def test_500_is_french_in_the_layout(failing_client):
    response = failing_client.get("/essais/panne/")
    page = response.content.decode()
    assert response.status_code == 500
    assert _h1(page) == "Erreur du serveur"
    assert "Panne provoquée" not in page
    _assert_layout(page)


def test_500_needs_no_database(failing_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = failing_client.get("/essais/panne/")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


def test_500_needs_no_context_processor(failing_client, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "tests.core.error_urls.failing_context_processor",
                ]
            },
        }
    ]
    response = failing_client.get("/essais/panne/")
    assert response.status_code == 500
    _assert_layout(response.content.decode())


def test_the_csrf_failure_page_is_french_in_the_layout(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a@example.org"})
    page = response.content.decode()
    assert response.status_code == 403
    assert _h1(page) == "Formulaire expiré"
    _assert_layout(page)
