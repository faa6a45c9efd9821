"""`manage.py essor_worker`: django-tasks-db's worker, which records a sign of life."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from essor.core.heartbeat import FORGET_AFTER, Heartbeat, record
from essor.core.mail import deliver_email
from essor.core.models import WorkerHeartbeat

MESSAGE = {
    "subject": "Invitation",
    "body": "Lien : https://essor.example.org/compte/invitations/accepter/jeton/",
    "to": ["claire@example.org"],
    "from_email": "Essor <ne-pas-repondre@example.org>",
}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _work() -> None:
    call_command(
        "essor_worker",
        "--batch",
        "--no-startup-delay",
        "--worker-id",
        "atelier-1",
        stdout=io.StringIO(),
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_its_sign_of_life_and_sends_the_queued_mail(database_queue):
    queued = deliver_email.enqueue(message=MESSAGE, attempt=1)

    _work()

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker_id == "atelier-1"
    assert timezone.now() - heartbeat.last_seen_at < timedelta(minutes=1)
    assert [(message.subject, message.to) for message in mail.outbox] == [
        ("Invitation", ["claire@example.org"])
    ]
    row = DBTaskResult.objects.get(pk=queued.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert "body" not in row.args_kwargs["kwargs"]["message"]


@pytest.mark.django_db
def test_a_worker_silent_for_a_week_is_forgotten_when_another_starts():
    record(worker_id="ancien", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - FORGET_AFTER - timedelta(hours=1))

    Heartbeat(worker_id="nouveau", interval=30).first_beat()

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["nouveau"]


@pytest.mark.django_db
def test_a_heartbeat_updates_the_workers_row():
    started = timezone.now() - timedelta(hours=1)
    record(worker_id="atelier-1", started_at=started)
    WorkerHeartbeat.objects.update(last_seen_at=started)

    record(worker_id="atelier-1", started_at=started)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.started_at == started
    assert heartbeat.last_seen_at > started
