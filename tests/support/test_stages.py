"""The holders' state machine: idée → émergence → structuration → création, or abandon."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.directory.models import Organisation
from essor.support import services
from essor.support.models import ProjectHolder, Stage
from tests.factories import OrganisationFactory, sector
from tests.support.factories import ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _structured(world, **kwargs):
    holder = ProjectHolderFactory(**kwargs)
    actor = world.users["agency_staff"]
    services.advance_stage(holder=holder, actor=actor, to=Stage.EMERGENCE, on=D(2025, 4, 1))
    services.advance_stage(holder=holder, actor=actor, to=Stage.STRUCTURING, on=D(2025, 6, 1))
    holder.refresh_from_db()
    return holder


def test_every_stage_but_the_final_ones_leads_somewhere():
    leads = {
        transition.source
        for transition in ProjectHolder._meta.get_field("stage").get_all_transitions(ProjectHolder)
    }
    assert leads == set(Stage.values) - {Stage.CREATION, Stage.ABANDONED}


def test_advancing_records_the_date_and_the_audit_entry(world):
    holder = ProjectHolderFactory()

    services.advance_stage(
        holder=holder,
        actor=world.users["agency_staff"],
        to=Stage.EMERGENCE,
        on=D(2025, 4, 1),
        note="Étude de marché lancée.",
    )

    holder.refresh_from_db()
    assert (holder.stage, holder.emergence_on) == (Stage.EMERGENCE, D(2025, 4, 1))
    entry = AuditLogEntry.objects.get(action="support.holder.emerge", target_id=str(holder.pk))
    assert entry.actor == world.users["agency_staff"]
    assert entry.changes["étape"] == ["Idée", "Émergence"]
    assert entry.message == "Étude de marché lancée."


def test_a_stage_cannot_be_skipped(world):
    holder = ProjectHolderFactory()

    with pytest.raises(ValidationError, match="sans en sauter"):
        services.advance_stage(
            holder=holder, actor=world.users["agency_staff"], to=Stage.STRUCTURING, on=D(2025, 4, 1)
        )
    holder.refresh_from_db()
    assert holder.stage == Stage.IDEA


def test_a_stage_cannot_go_backwards(world):
    holder = _structured(world)

    with pytest.raises(ValidationError, match="Passage à l'étape « Émergence » impossible"):
        services.advance_stage(
            holder=holder, actor=world.users["agency_staff"], to=Stage.EMERGENCE, on=D(2025, 7, 1)
        )


def test_a_stage_date_cannot_be_in_the_future(world):
    holder = ProjectHolderFactory()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        services.advance_stage(
            holder=holder, actor=world.users["agency_staff"], to=Stage.EMERGENCE, on=tomorrow
        )
    assert "futur" in error.value.message_dict["on"][0]


def test_a_stage_date_cannot_precede_the_previous_stage(world):
    holder = ProjectHolderFactory(first_contact_on=D(2025, 3, 10))

    with pytest.raises(ValidationError) as error:
        services.advance_stage(
            holder=holder, actor=world.users["agency_staff"], to=Stage.EMERGENCE, on=D(2025, 3, 1)
        )
    assert "10 mars 2025" in error.value.message_dict["on"][0]


def test_abandon_needs_a_reason(world):
    holder = ProjectHolderFactory()

    with pytest.raises(ValidationError) as error:
        services.abandon(
            holder=holder, actor=world.users["agency_staff"], on=D(2025, 5, 1), reason=" "
        )
    assert "motif" in error.value.message_dict["reason"][0]


def test_abandon_is_final(world):
    holder = ProjectHolderFactory()
    actor = world.users["agency_staff"]
    services.abandon(holder=holder, actor=actor, on=D(2025, 5, 1), reason="Reprise d'un emploi.")

    with pytest.raises(ValidationError, match="étape finale « Abandon »"):
        services.advance_stage(holder=holder, actor=actor, to=Stage.EMERGENCE, on=D(2025, 6, 1))
    holder.refresh_from_db()
    assert holder.abandon_reason == "Reprise d'un emploi."


def test_creation_without_an_organisation_is_refused(world):
    holder = _structured(world)

    with pytest.raises(ValidationError) as error:
        services.record_creation(holder=holder, actor=world.users["agency_staff"], on=D(2025, 9, 1))
    assert "structure créée" in error.value.message_dict["organisation"][0]
    holder.refresh_from_db()
    assert holder.stage == Stage.STRUCTURING


def test_creation_links_an_existing_organisation(world):
    holder = _structured(world)
    organisation = OrganisationFactory(name="Ressourcerie du Port")

    services.record_creation(
        holder=holder,
        actor=world.users["agency_staff"],
        on=D(2025, 9, 1),
        organisation=organisation,
    )

    holder.refresh_from_db()
    assert (holder.stage, holder.organisation, holder.creation_date) == (
        Stage.CREATION,
        organisation,
        D(2025, 9, 1),
    )


def test_creation_can_create_a_minimal_organisation_in_the_directory(world):
    holder = _structured(world, sectors=[sector("mobilite")])

    services.record_creation(
        holder=holder,
        actor=world.users["agency_staff"],
        on=D(2025, 9, 1),
        new_organisation={"name": "Vélo-école du Littoral", "legal_category": "9220"},
    )

    organisation = Organisation.objects.get(name="Vélo-école du Littoral")
    assert organisation.creation_date == D(2025, 9, 1)
    assert list(organisation.sectors.values_list("slug", flat=True)) == ["mobilite"]
    assert organisation.establishments.get().commune == holder.commune
    holder.refresh_from_db()
    assert holder.organisation == organisation


def test_creation_out_of_order_creates_nothing_in_the_directory(world):
    holder = ProjectHolderFactory()
    count = Organisation.objects.count()

    with pytest.raises(ValidationError, match="impossible"):
        services.record_creation(
            holder=holder,
            actor=world.users["agency_staff"],
            on=D(2025, 9, 1),
            new_organisation={"name": "Trop tôt"},
        )
    assert Organisation.objects.count() == count


def test_creation_is_refused_on_a_merged_organisation(world):
    holder = _structured(world)
    merged = OrganisationFactory(merged_into=world.structure)

    with pytest.raises(ValidationError, match="fusionnée"):
        services.record_creation(
            holder=holder, actor=world.users["agency_staff"], on=D(2025, 9, 1), organisation=merged
        )


def test_the_database_refuses_a_creation_without_organisation(world):
    holder = _structured(world)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectHolder.objects.filter(pk=holder.pk).update(
            stage=Stage.CREATION, creation_date=D(2025, 9, 1)
        )


def test_a_merged_holder_cannot_change_stage(world):
    keep = ProjectHolderFactory()
    duplicate = ProjectHolderFactory(merged_into=keep)

    with pytest.raises(ValidationError, match="fusionnée"):
        services.advance_stage(
            holder=duplicate,
            actor=world.users["agency_staff"],
            to=Stage.EMERGENCE,
            on=D(2025, 4, 1),
        )


# --- the workflow engine's checks ----------------------------------------------------------------


def test_a_transition_outside_the_table_is_refused_by_the_machine(world):
    holder = ProjectHolderFactory()

    with pytest.raises(ValidationError, match="« Passer à la structuration » est impossible"):
        workflow.perform(holder.structure, actor=world.users["agency_staff"])

    holder.refresh_from_db()
    assert holder.stage == Stage.IDEA
    assert not StateLog.objects.for_(holder).exists()


def test_only_the_agency_moves_a_holder(world):
    holder = ProjectHolderFactory()

    with pytest.raises(PermissionDenied):
        services.advance_stage(
            holder=holder,
            actor=world.users["organisation_admin"],
            to=Stage.EMERGENCE,
            on=D(2025, 4, 1),
        )

    holder.refresh_from_db()
    assert (holder.stage, holder.emergence_on) == (Stage.IDEA, None)
    assert not StateLog.objects.for_(holder).exists()


def test_each_move_has_its_own_audit_code(world):
    holder = _structured(world)
    services.abandon(
        holder=holder, actor=world.users["agency_staff"], on=D(2025, 7, 1), reason="Déménage."
    )

    actions = AuditLogEntry.objects.filter(target_id=str(holder.pk)).values_list(
        "action", flat=True
    )
    assert [action for action in reversed(actions) if action != "support.holder.create"] == [
        "support.holder.emerge",
        "support.holder.structure",
        "support.holder.abandon",
    ]


def test_the_log_keeps_who_moved_the_holder_and_why(world):
    holder = ProjectHolderFactory()
    services.abandon(
        holder=holder, actor=world.users["agency_staff"], on=D(2025, 5, 1), reason="Déménage."
    )

    [row] = workflow.history(holder, "stage")
    assert (row.label, row.source, row.target, row.reason, row.by) == (
        "Abandon du projet",
        "Idée",
        "Abandon",
        "Déménage.",
        world.users["agency_staff"],
    )


def test_a_merged_holder_is_offered_no_move(world):
    keep = ProjectHolderFactory()
    duplicate = ProjectHolderFactory(merged_into=keep)

    assert workflow.available_actions(duplicate, world.users["agency_staff"], "stage") == []
