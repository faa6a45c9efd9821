"""The API documentation page (/api/docs): Swagger UI from the swagger-ui-dist npm package, served
by Essor under its Content-Security-Policy (no inline script, nothing from another host)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs_page(client):
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_is_in_french(docs_page):
    assert "<title>Documentation de l'API — " in docs_page
    assert re.findall(r"<h1>(.*?)</h1>", docs_page) == ["Documentation de l'API"]


def test_the_page_loads_swagger_ui_from_static(docs_page):
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        url = static(f"vendor/swagger-ui-dist/{name}")
        assert f'"{url}"' in docs_page
        assert finders.find(f"vendor/swagger-ui-dist/{name}")


def test_every_script_is_a_file_of_essor(docs_page):
    scripts = re.findall(r"<script([^>]*)>", docs_page)
    assert scripts
    assert all('src="/static/' in attributes for attributes in scripts)
    assert "<script>" not in docs_page


def test_the_initializer_points_at_the_openapi_schema(docs_page):
    assert 'data-openapi-url="/api/openapi.json"' in docs_page
    assert f'"{static("js/api-docs.js")}"' in docs_page
    with open(finders.find("js/api-docs.js"), encoding="utf-8") as initializer:
        assert "url: container.dataset.openapiUrl" in initializer.read()


def test_the_open_data_page_links_to_the_documentation(client):
    page = client.get(reverse("directory:open_data")).content.decode()
    assert f'href="{reverse("api:openapi-view")}"' in page
    assert reverse("api:openapi-view") == "/api/docs"


def test_the_schema_is_built_once_and_equals_a_fresh_one():
    from ninja.openapi.schema import get_schema

    from essor.api.api import api

    first = api.get_openapi_schema(path_prefix="/api/")

    assert api.get_openapi_schema(path_prefix="/api/") is first
    assert first == get_schema(api=api, path_prefix="/api/")
