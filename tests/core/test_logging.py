"""Logs: French and one line per record on the standard error, every error e-mailed to the
operators (ADMINS, parsed from the environment), an unknown Host header on one line, without
traceback nor e-mail."""

import io
import logging

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from essor.core.logs import FrenchFormatter, OneLineFormatter
from essor.settings import env_admins

OPERATORS = [("Équipe technique", "technique@example.org")]


@pytest.fixture
def one_line_output():
    """What the handler of django.security.DisallowedHost writes."""
    (handler,) = [
        handler
        for handler in logging.getLogger("django.security.DisallowedHost").handlers
        if isinstance(handler.formatter, OneLineFormatter)
    ]
    output = io.StringIO()
    previous = handler.setStream(output)
    yield output
    handler.setStream(previous)


@pytest.mark.django_db
def test_an_unknown_host_is_one_line_without_traceback_nor_email(settings, one_line_output):
    settings.ALLOWED_HOSTS = ["essor.example.org"]
    settings.ADMINS = OPERATORS

    response = Client().get("/", HTTP_HOST="intrus.example.net")

    assert response.status_code == 400
    lines = one_line_output.getvalue().splitlines()
    assert len(lines) == 1
    assert " ERREUR django.security.DisallowedHost : " in lines[0]
    assert "intrus.example.net" in lines[0]
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.urls("tests.core.error_urls")
def test_a_server_error_is_emailed_to_the_operators(settings):
    settings.ADMINS = OPERATORS

    response = Client(raise_request_exception=False).get("/essais/panne/")

    assert response.status_code == 500
    (message,) = mail.outbox
    assert message.to == ["technique@example.org"]
    assert message.subject.startswith("[Essor] ERROR")
    assert "Panne provoquée par le test" in message.body


def test_an_error_logged_by_essor_is_emailed_to_the_operators(settings):
    settings.ADMINS = OPERATORS

    logging.getLogger("essor.core.mail").error("Courriel abandonné après 6 tentatives")

    assert [message.subject for message in mail.outbox] == [
        "[Essor] ERROR: Courriel abandonné après 6 tentatives"
    ]


def test_the_console_line_names_the_level_in_french():
    formatter = FrenchFormatter("%(niveau)s %(name)s : %(message)s")
    record = logging.LogRecord("essor.core.mail", logging.WARNING, __file__, 1, "Réessai", (), None)

    assert formatter.format(record) == "ATTENTION essor.core.mail : Réessai"


# --- ADMINS="Nom <adresse>,…" -------------------------------------------------------------------


def test_admins_are_names_and_addresses(monkeypatch):
    monkeypatch.setenv("ADMINS", "Élise Noël <elise@example.org>, technique@example.org,")

    assert env_admins() == [
        ("Élise Noël", "elise@example.org"),
        ("technique@example.org", "technique@example.org"),
    ]


def test_a_name_with_a_comma_is_written_between_quotes(monkeypatch):
    monkeypatch.setenv("ADMINS", '"Dupont, Jeanne" <j.dupont@example.org>,<astreinte@example.org>')

    assert env_admins() == [
        ("Dupont, Jeanne", "j.dupont@example.org"),
        ("astreinte@example.org", "astreinte@example.org"),
    ]


def test_no_admins_by_default(monkeypatch):
    monkeypatch.delenv("ADMINS", raising=False)

    assert env_admins() == []


@pytest.mark.parametrize(
    "value", ["Dupont, Jeanne <j.dupont@example.org>", "Nom adresse@example.org", "Nom <pas-une>"]
)
def test_something_else_than_an_address_stops_essor_at_start_up(monkeypatch, value):
    monkeypatch.setenv("ADMINS", value)

    with pytest.raises(ImproperlyConfigured, match="n'est pas une adresse électronique"):
        env_admins()
