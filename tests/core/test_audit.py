"""The audit log speaks French: codes follow one grammar and have labels; values read in French."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from essor.core import audit
from essor.core.models import AuditLogEntry, Job

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_code_follows_the_grammar_and_has_a_french_label():
    registered = audit.registered_actions()

    assert registered
    for code, label in registered.items():
        assert audit.ACTION_GRAMMAR.match(code), code
        assert label.strip() and label[0].isupper(), (code, label)


def _action_literals(node: ast.AST):
    """String literals an `action=` argument can take: a constant, or either branch of `a if c
    else b`, or an f-string's fixed prefix (reported whole, for the reader)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _action_literals(node.body)
        yield from _action_literals(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        yield ast.unparse(node)


def _codes_written_by_the_code():
    for path in sorted((ROOT / "essor").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "record":
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        for code in _action_literals(keyword.value):
                            yield path.relative_to(ROOT), code


def test_every_literal_code_written_to_the_log_is_registered():
    unknown = [
        (str(path), code)
        for path, code in _codes_written_by_the_code()
        if not code.startswith("f") and code not in audit.registered_actions()
    ]

    assert unknown == []


@pytest.mark.django_db
def test_an_unregistered_code_is_refused(world):
    job = Job.objects.create(kind="test", label="Une tâche")

    with pytest.raises(ValueError, match="inconnu"):
        audit.record(actor=None, action="core.job.explode", target=job)


def test_a_code_outside_the_grammar_cannot_be_registered():
    with pytest.raises(ValueError, match="grammaire"):
        audit.register_actions({"core.job_started": "Tâche démarrée"})


def test_a_code_cannot_get_two_labels():
    with pytest.raises(ValueError, match="deux fois"):
        audit.register_actions({"core.job.start": "Autre libellé"})


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        (None, "—"),
        ("", "—"),
        ("None", "—"),
        (True, "Oui"),
        (False, "Non"),
        ("2026-12-06", "6 décembre 2026"),
        ("1234.50", "1\u202f234,50"),
        (Decimal("12"), "12"),
        (["a", None], "a, —"),
    ],
)
def test_stored_values_read_in_french(stored, shown):
    assert audit.display_value(stored) == shown


def test_a_stored_instant_reads_in_paris_time():
    # 23:30 UTC on 5 December is 00:30 on 6 December in Paris.
    instant = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)

    assert audit.display_value(instant.isoformat()) == "6 décembre 2026 à 00:30"


@pytest.mark.django_db
def test_snapshot_gives_french_labels_and_choice_labels(world):
    job = Job.objects.create(kind="test", label="Import")

    assert audit.snapshot(job, ["status", "progress_total", "label"]) == {
        "état": "En attente",
        "total": "—",
        "libellé": "Import",
    }


@pytest.mark.django_db
def test_erasing_the_entries_about_a_record_blanks_what_they_copied_of_it():
    erased, other = (Job.objects.create(kind="test", label=label) for label in ("Marie", "Paul"))
    for job in (erased, other):
        audit.record(
            actor=None,
            action="demo.data.load",
            target=job,
            changes={"nom": [None, job.label]},
            message=f"À la demande de {job.label}.",
        )

    assert audit.erase_entries_for(erased) == 1

    entry = AuditLogEntry.objects.get(target_id=str(erased.pk))
    assert (entry.action, entry.message, entry.changes, entry.target_label) == (
        "demo.data.load",
        "",
        {},
        f"tâche de fond n° {erased.pk}",
    )
    kept = AuditLogEntry.objects.get(target_id=str(other.pk))
    assert (kept.message, kept.target_label) == ("À la demande de Paul.", "Paul")
