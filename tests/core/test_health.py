"""/healthz: the database, the background worker's last sign of life, the oldest task waiting in
the queue and the version, always under the same keys; 503 past the thresholds."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import essor
from essor.core.heartbeat import record
from essor.core.mail import deliver_email
from essor.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
URL = reverse("core:healthz")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS = 300
    settings.ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS = 900


def _heartbeat(seconds_ago: int) -> None:
    record(worker_id="worker-1", started_at=timezone.now() - timedelta(hours=1))
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - timedelta(seconds=seconds_ago))


def _queued_task(minutes_ago: int) -> None:
    result = deliver_email.enqueue(message={"subject": "Sujet"}, attempt=1)
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_ok_with_a_fresh_heartbeat_and_an_empty_queue(client, database_queue):
    _heartbeat(seconds_ago=10)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["problems"]) == ("ok", "ok", [])
    assert body["worker"]["status"] == "ok"
    assert body["worker"]["live"] == 1
    assert 10 <= body["worker"]["silence_seconds"] <= 12
    assert body["queue"] == {
        "status": "ok",
        "ready": 0,
        "oldest_age_seconds": None,
        "max_age_seconds": 900,
    }


def test_the_keys_are_always_the_same(client, database_queue):
    without_worker = client.get(URL).json()
    _heartbeat(seconds_ago=10)
    with_worker = client.get(URL).json()

    assert (without_worker["status"], with_worker["status"]) == ("erreur", "ok")
    for body in (without_worker, with_worker):
        assert list(body) == ["status", "version", "database", "worker", "queue", "problems"]
        assert list(body["worker"]) == [
            "status",
            "last_heartbeat",
            "silence_seconds",
            "max_silence_seconds",
            "live",
        ]
        assert list(body["queue"]) == ["status", "ready", "oldest_age_seconds", "max_age_seconds"]


def test_the_version_is_reported(client, database_queue):
    _heartbeat(seconds_ago=10)

    assert client.get(URL).json()["version"] == essor.__version__


def test_503_when_no_worker_ever_gave_a_sign_of_life(client, database_queue):
    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["status"] == "erreur"
    assert response.json()["worker"]["status"] == "absent"
    assert "essor_worker" in response.json()["problems"][0]


def test_503_when_the_last_heartbeat_is_older_than_the_threshold(client, database_queue):
    _heartbeat(seconds_ago=301)

    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "silencieux"
    assert response.json()["worker"]["live"] == 0
    assert "depuis 301 s (seuil : 300 s)" in response.json()["problems"][0]


def test_503_when_a_queued_task_waits_longer_than_the_threshold(client, database_queue):
    _heartbeat(seconds_ago=10)
    _queued_task(minutes_ago=16)
    _queued_task(minutes_ago=1)

    response = client.get(URL)

    assert response.status_code == 503
    queue = response.json()["queue"]
    assert (queue["status"], queue["ready"]) == ("en_retard", 2)
    assert 960 <= queue["oldest_age_seconds"] <= 962


def test_a_recent_queued_task_is_fine(client, database_queue):
    _heartbeat(seconds_ago=10)
    _queued_task(minutes_ago=14)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["queue"]["ready"] == 1


def test_a_task_deferred_to_later_is_not_waiting(client, database_queue):
    _heartbeat(seconds_ago=10)
    deliver_email.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(
        message={"subject": "Sujet"}, attempt=2
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=2))

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["queue"]["ready"] == 0


def test_a_retry_waits_from_its_planned_time_not_from_its_enqueueing(client, database_queue):
    _heartbeat(seconds_ago=10)
    deliver_email.using(run_after=timezone.now() - timedelta(minutes=2)).enqueue(
        message={"subject": "Sujet"}, attempt=2
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=2))

    response = client.get(URL)

    assert response.status_code == 200
    assert 120 <= response.json()["queue"]["oldest_age_seconds"] <= 122


def test_without_a_database_queue_there_is_no_worker_to_watch(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["worker"]["status"] == response.json()["queue"]["status"]
    assert response.json()["worker"]["status"] == "sans_objet"
