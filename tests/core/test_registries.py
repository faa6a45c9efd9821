import random

import pytest
from django.urls import reverse

from essor.core import indicators
from essor.core.navigation import Audience, NavEntry, entries_for, register_nav
from essor.demo import registry
from tests.factories import UserFactory


@pytest.fixture
def clean_indicators(monkeypatch):
    monkeypatch.setattr(indicators, "_REGISTRY", {})


def _indicator(key, module="funding", **options):
    return indicators.Indicator(
        key=key,
        module=module,
        axis=options.pop("axis", "Financements"),
        label=key,
        compute=lambda year: indicators.IndicatorTable(["Année"], [[year]]),
        **options,
    )


def test_registered_indicators_are_listed_by_axis_and_order(clean_indicators):
    indicators.register(_indicator("funding.b", order=2))
    indicators.register(_indicator("funding.a", order=1))
    indicators.register(_indicator("insertion.c", module="insertion", axis="Insertion"))
    assert [i.key for i in indicators.registered()] == ["funding.a", "funding.b", "insertion.c"]


def test_private_indicators_are_left_out_of_public_lists(clean_indicators):
    indicators.register(_indicator("funding.private", public=False))
    assert indicators.registered(public_only=True) == []


def test_two_modules_cannot_register_the_same_key(clean_indicators):
    indicators.register(_indicator("shared.key"))
    with pytest.raises(ValueError, match="déjà enregistré"):
        indicators.register(_indicator("shared.key", module="insertion"))


def test_an_indicator_computes_its_table_for_a_year(clean_indicators):
    indicators.register(_indicator("funding.year"))
    assert indicators.get("funding.year").compute(2026).as_dicts() == [{"Année": 2026}]


@pytest.fixture
def clean_navigation(monkeypatch):
    from essor.core import navigation

    monkeypatch.setattr(navigation, "_ENTRIES", {})


def test_agency_links_are_hidden_from_the_public(clean_navigation, db):
    register_nav(NavEntry("Annuaire", "directory:search"))
    register_nav(NavEntry("Gestion", "directory:staff_home", audience=Audience.AGENCY))
    assert [link["label"] for link in entries_for(None, is_agency=False)] == ["Annuaire"]
    labels = [link["label"] for link in entries_for(UserFactory(), is_agency=True)]
    assert labels == ["Annuaire", "Gestion"]


def test_personal_links_go_to_the_dashboard_not_the_header(clean_navigation, db):
    register_nav(
        NavEntry(
            "Mes dossiers",
            "accounts:dashboard",
            audience=Audience.AUTHENTICATED,
            visible=lambda user: user.email.startswith("oui"),
        )
    )
    assert entries_for(UserFactory(email="oui@example.org"), is_agency=False) == []
    shown = entries_for(UserFactory(email="oui@example.org"), is_agency=False, place="dashboard")
    assert [link["label"] for link in shown] == ["Mes dossiers"]


def test_a_personal_link_follows_its_visibility_rule(clean_navigation, db):
    register_nav(
        NavEntry(
            "Mes dossiers",
            "accounts:dashboard",
            audience=Audience.AUTHENTICATED,
            visible=lambda user: user.email.startswith("oui"),
        )
    )
    assert (
        entries_for(UserFactory(email="non@example.org"), is_agency=False, place="dashboard") == []
    )
    assert entries_for(None, is_agency=False, place="dashboard") == []


def test_the_dashboard_lists_the_working_spaces(clean_navigation, client, db):
    register_nav(
        NavEntry("Instruction des dossiers", "accounts:dashboard", audience=Audience.AUTHENTICATED)
    )
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:dashboard"))
    assert b"Instruction des dossiers" in response.content


def test_a_link_to_an_unknown_url_is_left_out(clean_navigation):
    register_nav(NavEntry("Ailleurs", "nowhere:page"))
    assert entries_for(None, is_agency=False) == []


def test_a_registered_link_shows_in_the_page_header(clean_navigation, client, db):
    register_nav(NavEntry("Annuaire des structures", "directory:search", order=1))
    response = client.get(reverse("home"))
    assert b"Annuaire des structures" in response.content


def test_each_demo_step_draws_from_its_own_generator():
    first = registry.step_random(2026, "funding").random()
    assert registry.step_random(2026, "funding").random() == first
    assert registry.step_random(2026, "insertion").random() != first
    assert isinstance(registry.step_random(1, "x"), random.Random)


def test_demo_steps_run_in_order(monkeypatch):
    monkeypatch.setattr(registry, "_STEPS", {})
    registry.register_step(registry.DemoStep("b", 20, load=lambda ctx: "b"))
    registry.register_step(registry.DemoStep("a", 10, load=lambda ctx: "a"))
    assert [step.name for step in registry.steps()] == ["a", "b"]
