"""Row locks of foodlink name the tables they lock: `select_for_update(of=("self",))`, so that a
lock on a consultation read with its canteen (a join) does not lock the canteen's row too on
PostgreSQL (SQLite serialises writers and ignores the clause)."""

import ast
from pathlib import Path

import pytest

from essor.foodlink import services
from essor.foodlink.models import Consultation
from tests.foodlink.factories import ConsultationFactory

FOODLINK = Path(services.__file__).resolve().parent


def _lock_calls():
    for path in sorted(FOODLINK.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "select_for_update":
                yield f"{path.relative_to(FOODLINK)}:{node.lineno}", node


def test_every_row_lock_of_foodlink_names_the_tables_it_locks():
    calls = list(_lock_calls())

    assert calls
    assert [where for where, call in calls if "of" not in {k.arg for k in call.keywords}] == []


@pytest.mark.django_db
def test_the_consultation_lock_locks_the_consultation_row_only(world):
    consultation = ConsultationFactory()

    query = services.locked_consultations().filter(pk=consultation.pk).query

    assert query.select_for_update and query.select_for_update_of == ("self",)
    assert "buyer" in query.select_related
    assert services.locked_consultations().get(pk=consultation.pk) == Consultation.objects.get()
