"""Walks every URL pattern of the project with every role (deny by default is tested here)."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.conftest import ROLES
from tests.url_access import UrlCase

IGNORED_PREFIXES = ("static/", "media/")


def _pattern_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            yield from _pattern_names(item, inner)
        elif isinstance(item, URLPattern):
            if str(item.pattern).startswith(IGNORED_PREFIXES):
                continue
            yield f"{namespace}{item.name}" if item.name else f"{namespace}<sans nom>{item.pattern}"


def _all_cases() -> list[UrlCase]:
    cases = []
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".url_access") and module.name != "tests.url_access":
            cases.extend(importlib.import_module(module.name).URL_ACCESS)
    return cases


CASES = _all_cases()


def test_every_url_pattern_has_an_access_case():
    declared = {case.name for case in CASES}
    missing = sorted(set(_pattern_names()) - declared)
    assert not missing, f"URL sans entrée dans une matrice d'accès (url_access.py) : {missing}"


def test_every_case_names_an_existing_url_pattern():
    known = set(_pattern_names())
    unknown = sorted({case.name for case in CASES} - known)
    assert not unknown, f"Entrées d'accès pour des URL inexistantes : {unknown}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("role", ROLES)
def test_url_answers_role_as_expected(client, world, case, role):
    assert set(case.expect) == set(ROLES), f"{case.name} : chaque rôle doit avoir une réponse"
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(case.name, kwargs=case.kwargs(world)) + (f"?{case.query}" if case.query else "")
    response = client.get(url)
    expected = case.expect[role]
    assert response.status_code == expected, (
        f"{role} GET {url}: {response.status_code} ≠ {expected}"
    )
    if expected == 302 and role == "anonymous":
        assert reverse("accounts:login") in response["Location"]
