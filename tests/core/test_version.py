"""Essor's version: pyproject.toml's, in the footer of every page (error pages too)."""

import tomllib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import essor

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _footer(page: str) -> str:
    return page[page.index('<footer class="site-footer"') :]


def test_the_version_is_pyprojects():
    with (ROOT / "pyproject.toml").open("rb") as file:
        assert essor.__version__ == tomllib.load(file)["project"]["version"]


def test_the_footer_shows_the_version(client):
    page = client.get(reverse("home")).content.decode()

    assert f"Logiciel libre Essor, version {essor.__version__}." in _footer(page)


@pytest.mark.urls("tests.core.error_urls")
def test_the_server_error_page_shows_the_version_too(settings):
    settings.DEBUG = False

    page = Client(raise_request_exception=False).get("/essais/panne/").content.decode()

    assert f"version {essor.__version__}" in _footer(page)
