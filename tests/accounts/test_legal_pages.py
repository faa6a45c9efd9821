import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _page(client, name) -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<h1") == 1
    return content


def test_legal_notice_names_the_agency_as_publisher(client, settings):
    settings.ESSOR_AGENCY_NAME = "Agence ESS de Test"
    assert "édité par <strong>Agence ESS de Test</strong>" in _page(client, "core:legal_notice")


def test_legal_notice_shows_the_configured_host(client, settings):
    settings.ESSOR_HOSTING_PROVIDER = "Hébergeur Exemple SAS"
    settings.ESSOR_HOSTING_ADDRESS = "1 rue du Serveur, 59000 Lille"
    content = _page(client, "core:legal_notice")
    assert "Hébergeur Exemple SAS" in content
    assert "1 rue du Serveur, 59000 Lille" in content


def test_legal_notice_without_a_configured_host_says_the_operator_sets_it(client, settings):
    settings.ESSOR_HOSTING_PROVIDER = ""
    content = _page(client, "core:legal_notice")
    assert "configuration de cette instance" in content
    assert "compléter" not in content


def test_privacy_page_states_retention_from_settings(client, settings):
    settings.LOGIN_LOCKOUT_MINUTES = 23
    settings.INVITATION_VALID_DAYS = 9
    settings.ACCOUNT_EMAIL_LIMIT_MINUTES = 47
    content = _page(client, "core:privacy")
    assert "23 minutes après le dernier échec" in content
    assert "valable 9 jours" in content
    assert "47 minutes, en mémoire seulement" in content
    assert "CNIL" in content


def test_privacy_page_gives_the_configured_contact(client, settings):
    settings.ESSOR_DPO_CONTACT = "dpo@agence.example.org"
    assert "dpo@agence.example.org" in _page(client, "core:privacy")


def test_accessibility_statement(client, settings):
    settings.ESSOR_ACCESSIBILITY_STATEMENT_DATE = "2026-11-26"
    content = _page(client, "core:accessibility")
    assert "<strong>partiellement conforme</strong>" in content
    assert "RGAA), version 4.1" in content
    assert "axe-core" in content
    assert "Défenseur des droits" in content
    assert "26 novembre 2026" in content
