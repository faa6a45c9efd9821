"""The insertion demo: five SIAE of different kinds, 150 pseudonymous participants, two years of
hours and exits, a dedicated SIAE staff account; removed with the demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.http import HttpRequest

from essor.demo import registry
from essor.insertion.models import Exit, FinancialAnnex, MonthlyHours, Participant, Siae


@pytest.fixture
def only_insertion(monkeypatch, db):
    step = registry._STEPS["insertion"]
    monkeypatch.setattr(registry, "_STEPS", {"insertion": step})


def test_the_demo_builds_five_siae_of_every_kind(only_insertion):
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    assert sorted(Siae.objects.values_list("kind", flat=True)) == [
        "ACI",
        "AI",
        "EI",
        "EITI",
        "ETTI",
    ]
    assert FinancialAnnex.objects.count() == 10
    assert Participant.objects.count() == 150
    months = set(MonthlyHours.objects.values_list("month", flat=True))
    assert len(months) >= 13  # two calendar years, up to last month
    assert Exit.objects.exists()
    assert "encadrant.siae@demo.essor.fr" in out.getvalue()
    assert "150 salariés en insertion" in out.getvalue()


def test_the_demo_staff_account_belongs_to_an_siae(only_insertion, client):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert client.login(
        request=HttpRequest(), email="encadrant.siae@demo.essor.fr", password="Essor-demo-2026"
    )
    siae = Siae.objects.get(organisation__memberships__user__email="encadrant.siae@demo.essor.fr")
    response = client.get(f"/insertion/siae/{siae.pk}/salaries/")
    assert response.status_code == 200


def test_the_demo_is_removed_with_the_demo_data(only_insertion):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    call_command("load_demo", "--remplacer", stdout=StringIO(), stderr=StringIO())
    assert Siae.objects.count() == 5
    assert Participant.objects.count() == 150


def test_make_run_loads_the_demo_without_listing_the_accounts_twice(only_insertion):
    out = StringIO()
    call_command("load_demo", "--sans-comptes", stdout=out, stderr=StringIO())

    assert Siae.objects.exists()
    assert "encadrant.siae@demo.essor.fr" not in out.getvalue()
