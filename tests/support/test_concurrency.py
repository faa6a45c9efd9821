"""Two people moving the same holder at once: the row lock lets only one transition through."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from essor.core.models import AuditLogEntry
from essor.support import services
from essor.support.models import ProjectHolder, Stage
from tests.factories import UserFactory
from tests.support.factories import ProjectHolderFactory


def _call_waiting_for_the_lock(function):
    """SQLite's in-memory test database answers « table is locked » at once where a file database
    would wait for the lock (busy timeout): try again until the other transaction has ended."""
    for _ in range(100_000):
        try:
            return function()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
    raise AssertionError("Le verrou n'a jamais été libéré.")


def _run_together(*functions):
    """Starts the functions at the same moment in threads; returns "ok" or the ValidationError
    of each."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            _call_waiting_for_the_lock(function)
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, function))
        for index, function in enumerate(functions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transitions_apply_only_once():
    holder = ProjectHolderFactory()
    first, second = UserFactory(), UserFactory()

    outcomes = _run_together(
        lambda: services.advance_stage(
            holder=holder, actor=first, to=Stage.EMERGENCE, on=datetime.date(2025, 4, 1)
        ),
        lambda: services.advance_stage(
            holder=holder, actor=second, to=Stage.EMERGENCE, on=datetime.date(2025, 4, 2)
        ),
    )

    assert sorted(str(type(outcome).__name__) for outcome in outcomes) == ["ValidationError", "str"]
    holder = ProjectHolder.objects.get(pk=holder.pk)
    assert AuditLogEntry.objects.filter(action="support.stage_changed").count() == 1
    assert holder.stage == Stage.EMERGENCE


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_merges_of_the_same_duplicate_apply_only_once():
    duplicate = ProjectHolderFactory()
    keep_a, keep_b = ProjectHolderFactory(), ProjectHolderFactory()
    actor = UserFactory()

    outcomes = _run_together(
        lambda: services.merge_holders(keep=keep_a, duplicate=duplicate, actor=actor, reason="A"),
        lambda: services.merge_holders(keep=keep_b, duplicate=duplicate, actor=actor, reason="B"),
    )

    assert sorted(str(type(outcome).__name__) for outcome in outcomes) == ["ValidationError", "str"]
    assert AuditLogEntry.objects.filter(action="support.holder_merged_into").count() == 1
