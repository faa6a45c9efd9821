"""Every status of every model is a machine of the workflow engine, and every machine's table is
sound: its states are its field's choices, every state can be reached, every transition says who
may make it, and the module's README lists the table as the code declares it."""

from pathlib import Path

import pytest
from django.apps import apps
from django_fsm import FSMFieldMixin, FSMModelMixin

from essor.core import audit, workflow

ROOT = Path(__file__).resolve().parents[2]
STATUS_NAMES = {"status", "stage", "state"}
MACHINES = workflow.machines()


def _id(machine):
    return machine.label


def test_the_project_has_its_machines():
    labels = {machine.label for machine in MACHINES}
    assert {
        "core.Job.status",
        "directory.OrganisationClaim.status",
        "directory.ProfileRevision.status",
        "foodlink.Consultation.status",
        "foodlink.Offer.status",
        "foodlink.ProducerRevision.status",
        "funding.Application.status",
        "funding.CommitteeSession.status",
        "funding.FinancialReport.status",
        "funding.Payment.status",
        "funding.Share.status",
        "support.ProjectHolder.stage",
    } <= labels


def test_every_status_field_of_every_model_is_a_protected_machine():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("essor.")
        for field in model._meta.concrete_fields
        if field.name in STATUS_NAMES
        and field.choices
        and not (isinstance(field, FSMFieldMixin) and field.protected)
    ]
    assert plain == []


@pytest.mark.parametrize("machine", MACHINES, ids=_id)
def test_the_model_can_be_reloaded_with_its_protected_state(machine):
    assert issubclass(machine.model, FSMModelMixin)


@pytest.mark.parametrize("machine", MACHINES, ids=_id)
def test_every_source_and_target_is_a_choice_of_the_field(machine):
    choices = {value for value, _ in machine.field.flatchoices}
    states = {t.target for t in machine.transitions} | {
        t.source for t in machine.transitions if t.source != "*"
    }
    assert states <= choices


@pytest.mark.parametrize("machine", MACHINES, ids=_id)
def test_every_state_is_the_initial_one_or_reached_by_a_transition(machine):
    choices = {value for value, _ in machine.field.flatchoices}
    reached = {machine.field.get_default()} | {t.target for t in machine.transitions}
    assert choices - reached == set()


@pytest.mark.parametrize("machine", MACHINES, ids=_id)
def test_every_transition_has_an_audit_code_labels_and_says_who(machine):
    for transition in machine.transitions:
        declared = workflow.step_of(transition)
        assert audit.ACTION_GRAMMAR.match(declared.action), declared.action
        assert declared.action.split(".")[0] == machine.model._meta.app_label
        assert declared.label and declared.done
        assert audit.action_label(declared.action) == declared.done
        if declared.system:
            assert transition.permission is None, transition.name
        else:
            assert callable(transition.permission), transition.name
            assert (transition.permission.__doc__ or "").strip(), transition.permission


@pytest.mark.parametrize("machine", MACHINES, ids=_id)
def test_the_module_readme_lists_the_machine_s_table(machine):
    readme = ROOT / "essor" / machine.model._meta.app_label / "README.md"

    assert workflow.markdown_table(machine) in readme.read_text(encoding="utf-8")
