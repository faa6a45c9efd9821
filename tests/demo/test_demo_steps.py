"""The modules' demo steps run after the directory's demo data, and are removed with it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from essor.accounts.models import Role
from essor.demo import registry

removed = []


def _load(context):
    context.demo_user(
        "essai.module", "Essai (démo)", context.organisations["structure"], Role.ORGANISATION_MEMBER
    )
    communes = len(context.communes)
    return f"Module d'essai : {len(context.structures)} structures, {communes} communes."


@pytest.fixture
def only_a_test_step(monkeypatch, db):
    monkeypatch.setattr(registry, "_STEPS", {})
    removed.clear()
    registry.register_step(
        registry.DemoStep("essai", 10, load=_load, remove=lambda: removed.append(1))
    )


def test_a_step_prints_its_summary_and_its_accounts(only_a_test_step):
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    assert "Module d'essai : 300 structures, 17 communes." in out.getvalue()
    assert "essai.module@demo.essor.fr" in out.getvalue()


def test_a_step_account_logs_in_with_the_demo_password(only_a_test_step, client):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    assert client.login(
        request=HttpRequest(), email="essai.module@demo.essor.fr", password="Essor-demo-2026"
    )


def test_replacing_the_demo_runs_the_steps_removal(only_a_test_step):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    call_command("load_demo", "--remplacer", stdout=StringIO(), stderr=StringIO())
    assert removed == [1]
    assert get_user_model().objects.filter(email="essai.module@demo.essor.fr").count() == 1


def test_demo_accounts_lists_the_modules_accounts_too(only_a_test_step):
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "essai.module@demo.essor.fr" in out.getvalue()
