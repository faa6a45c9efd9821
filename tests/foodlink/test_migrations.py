"""Data kept by foodlink's migrations: notifications moved to core, consultation steps copied
from the audit log into the transition log. Each test migrates its app back, writes rows with the
models of that time, migrates forward and reads the rows with the migrated models."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import UserFactory
from tests.foodlink.factories import ConsultationFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_NOTIFICATIONS_MOVED = [("foodlink", "0004_consultation_history_from_audit_log")]
NOTIFICATIONS_MOVED = [("foodlink", "0005_notifications_moved_to_core")]
BEFORE_HISTORY_COPIED = [("foodlink", "0003_consultation_and_offer_status_workflow")]
HISTORY_COPIED = [("foodlink", "0004_consultation_history_from_audit_log")]


def _migrate(targets):
    """Migrates to `targets`; the models of every app as the applied migrations leave them."""
    MigrationExecutor(connection).migrate(targets)
    loader = MigrationExecutor(connection).loader
    applied = [node for node in loader.applied_migrations if node in loader.graph.nodes]
    return loader.project_state(applied).apps


@pytest.fixture
def migrator():
    """Migrates as a test asks, then back to the latest migrations whatever happens."""
    yield _migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_notifications_survive_their_move_to_core(migrator):
    user = UserFactory(email="fermier@example.org")
    apps = migrator(BEFORE_NOTIFICATIONS_MOVED)
    old = apps.get_model("foodlink", "Notification")
    created = timezone.now() - datetime.timedelta(days=30)
    read = old.objects.create(user_id=user.pk, message="Lue", url="/a/", read_at=created)
    unread = old.objects.create(user_id=user.pk, message="Non lue", url="")
    old.objects.update(created_at=created)

    apps = migrator(NOTIFICATIONS_MOVED)

    new = apps.get_model("core", "Notification")
    assert sorted(
        new.objects.values_list("pk", "user_id", "message", "url", "created_at", "read_at")
    ) == [
        (read.pk, user.pk, "Lue", "/a/", created, created),
        (unread.pk, user.pk, "Non lue", "", created, None),
    ]
    # The ids go on after the copied ones (PostgreSQL's sequence was set past them).
    assert new.objects.create(user_id=user.pk, message="Nouvelle").pk > unread.pk
    assert "foodlink_notification" not in connection.introspection.table_names()


def test_consultation_steps_of_the_audit_log_become_its_timeline(migrator):
    manager = UserFactory(email="cantine@example.org")
    consultation = ConsultationFactory(status="cancelled")
    apps = migrator(BEFORE_HISTORY_COPIED)
    entries = apps.get_model("core", "AuditLogEntry")
    entries.objects.create(
        actor_id=manager.pk,
        action="foodlink.consultation.cancel",
        target_type="foodlink.consultation",
        target_id=str(consultation.pk),
        changes={"status": ["draft", "cancelled"]},
        message="Menu modifié",
    )

    apps = migrator(HISTORY_COPIED)

    log = apps.get_model("django_fsm_log", "StateLog").objects.get()
    assert (log.object_id, log.source_state, log.state, log.transition, log.description) == (
        consultation.pk,
        "draft",
        "cancelled",
        "cancel",
        "Menu modifié",
    )
    assert log.by_id == manager.pk
