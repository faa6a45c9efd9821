"""The workflow engine (`essor.core.workflow`), on the background job's machine."""

import pytest
from django.core.exceptions import ValidationError
from django_fsm_log.models import StateLog

from essor.core import workflow
from essor.core.models import AuditLogEntry, Job
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(world):
    return Job.objects.create(kind="test", label="Import des achats")


def test_a_transition_saves_the_new_state(job):
    workflow.perform(job.start, actor=None)

    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_transition_writes_one_log_row_with_its_source_and_target(job):
    workflow.perform(job.start, actor=None, reason="Prise par le worker.")

    log = StateLog.objects.for_(job).get()
    assert (log.source_state, log.state, log.transition) == ("pending", "running", "start")
    assert log.description == "Prise par le worker."


def test_a_transition_writes_one_audit_entry_with_french_states(job):
    workflow.perform(job.start, actor=None)

    entry = AuditLogEntry.objects.get(target_type="core.job", target_id=str(job.pk))
    assert entry.action == "core.job.start"
    assert entry.changes == {"état": ["En attente", "En cours"]}


def test_a_transition_outside_the_table_is_refused_in_french(job):
    with pytest.raises(ValidationError, match="« Terminer » est impossible"):
        workflow.perform(job.succeed, actor=None)

    assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING
    assert not StateLog.objects.for_(job).exists()


def test_a_state_changed_by_someone_else_in_the_meantime_is_refused(job):
    stale = Job.objects.get(pk=job.pk)
    workflow.perform(job.start, actor=None)

    with pytest.raises(ValidationError, match="a changé entre-temps"):
        workflow.perform(stale.fail, actor=None)

    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_a_state_cannot_be_set_by_hand(job):
    with pytest.raises(AttributeError):
        job.status = Job.Status.SUCCEEDED


def test_save_fields_saves_only_the_state_and_those_fields(job):
    Job.objects.filter(pk=job.pk).update(progress_message="écrit par le worker")
    job.progress_message = "ancien"

    workflow.perform(job.start, actor=None, save_fields=())

    assert Job.objects.get(pk=job.pk).progress_message == "écrit par le worker"


def test_system_transitions_are_never_offered_to_people(job, world):
    assert workflow.available_actions(job, world.users["agency_admin"]) == []
    assert not workflow.may(job.start, world.users["agency_admin"])


def test_history_reads_the_log_in_french(job):
    workflow.perform(job.start, actor=None)
    workflow.perform(job.fail, actor=None, reason="Fichier illisible.")

    rows = workflow.history(job)

    assert [(r.label, r.source, r.target, r.reason) for r in rows] == [
        ("Tâche démarrée", "En attente", "En cours", ""),
        ("Tâche en échec", "En cours", "Échec", "Fichier illisible."),
    ]


def test_transition_to_finds_the_method_leading_to_a_state(job):
    assert workflow.transition_to(job, "status", Job.Status.RUNNING).__name__ == "start"
    assert workflow.transition_to(job, "status", Job.Status.SUCCEEDED) is None


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transitions_from_one_state_apply_only_once():
    job = Job.objects.create(kind="test", label="Import")
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)

    outcomes = run_together(
        lambda: workflow.perform(first.start, actor=None),
        lambda: workflow.perform(second.fail, actor=None),
        expected=(ValidationError,),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ValidationError", "str"]
    assert StateLog.objects.for_(job).count() == 1
    assert AuditLogEntry.objects.filter(target_type="core.job").count() == 1


def test_erasing_the_log_of_a_record_blanks_its_reasons_and_keeps_the_moves(job):
    other = Job.objects.create(kind="test", label="Autre")
    workflow.perform(job.start, actor=None, reason="Lancée pour Marie.")
    workflow.perform(other.start, actor=None, reason="Lancée pour Paul.")

    assert workflow.erase_log_for(job) == 1

    assert [(r.label, r.reason) for r in workflow.history(job)] == [("Tâche démarrée", "")]
    assert workflow.history(other)[0].reason == "Lancée pour Paul."
