"""The data migrations of the workflow engine: a share's own history (ShareEvent) moves into the
transition log (StateLog), and the applications get the state their shares derive."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from tests.funding.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("funding", "0004_workflow_machines")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_the_copy():
    """The database as it was before the copy (ShareEvent still there); the latest state after."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("funding")
    apps = _migrate(BEFORE)
    yield apps
    _migrate(latest)


def test_share_events_become_the_transition_log_of_their_share(before_the_copy):
    apps = before_the_copy
    # Rows of the models of those days (historical models), written as the old code wrote them.
    organisation = OrganisationFactory()
    programme = ProgrammeFactory()
    instructor = UserFactory()
    Application = apps.get_model("funding", "Application")
    Share = apps.get_model("funding", "Share")
    ShareEvent = apps.get_model("funding", "ShareEvent")
    application = Application.objects.create(
        organisation_id=organisation.pk,
        reference="2026-000001",
        title="Épicerie solidaire",
        year=2026,
        status="submitted",
        submitted_at=timezone.now(),
    )
    share = Share.objects.create(
        application=application,
        programme_id=programme.pk,
        status="refused",
        amount_requested=1000,
        year=2026,
        organisation_id=organisation.pk,
    )
    moments = [timezone.now() - datetime.timedelta(days=days) for days in (30, 20, 10)]
    for (source, target, actor, motivation), moment in zip(
        [
            ("draft", "submitted", None, "Dépôt du dossier par la structure."),
            ("submitted", "instruction", instructor, "Début de l'instruction."),
            ("instruction", "refused", instructor, "Hors critères."),
        ],
        moments,
        strict=True,
    ):
        event = ShareEvent.objects.create(
            share=share,
            from_status=source,
            to_status=target,
            actor_id=actor.pk if actor else None,
            motivation=motivation,
        )
        ShareEvent.objects.filter(pk=event.pk).update(created_at=moment)

    apps = _migrate([("funding", "0007_delete_shareevent")])

    StateLog = apps.get_model("django_fsm_log", "StateLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    logs = StateLog.objects.filter(
        content_type=ContentType.objects.get(app_label="funding", model="share"),
        object_id=share.pk,
    ).order_by("timestamp")
    assert [
        (log.source_state, log.state, log.transition, log.by_id, log.description, log.timestamp)
        for log in logs
    ] == [
        ("draft", "submitted", "submit", None, "Dépôt du dossier par la structure.", moments[0]),
        ("submitted", "instruction", "start_instruction", instructor.pk, "Début de l'instruction.", moments[1]),
        ("instruction", "refused", "refuse", instructor.pk, "Hors critères.", moments[2]),
    ]  # fmt: skip
    # The application's status is now the one its (only, refused) share derives.
    assert apps.get_model("funding", "Application").objects.get(pk=application.pk).status == (
        "decided"
    )
    assert "funding_shareevent" not in connection.introspection.table_names()
