"""What /healthz reports: the database, the background worker's last sign of life, the oldest
task waiting in the queue, and Essor's version. Always the same keys (None when unknown); the
status is "erreur" (HTTP 503) when the database does not answer, when no worker gave a sign of
life for ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS, or when a task ready to run has waited more
than ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS; `problems` says why, in French.

Without a database queue (another TASKS backend, e.g. the tests' immediate one), there is no
worker to watch: the worker and the queue are « sans_objet »."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Min
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

import essor
from essor.core.models import WorkerHeartbeat


def report() -> dict:
    now = timezone.now()
    payload = {
        "status": "ok",
        "version": essor.__version__,
        "database": "ok",
        "worker": {
            "status": "inconnu",
            "last_heartbeat": None,
            "silence_seconds": None,
            "max_silence_seconds": settings.ESSOR_HEALTH_WORKER_MAX_SILENCE_SECONDS,
            "live": None,
        },
        "queue": {
            "status": "inconnu",
            "ready": None,
            "oldest_age_seconds": None,
            "max_age_seconds": settings.ESSOR_HEALTH_QUEUE_MAX_AGE_SECONDS,
        },
        "problems": [],
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        payload["database"] = "injoignable"
        payload["problems"].append("La base de données ne répond pas.")
    else:
        queues = _database_queues()
        if not queues:
            payload["worker"]["status"] = payload["queue"]["status"] = "sans_objet"
        else:
            try:
                _check_worker(payload, now)
                _check_queue(payload, now, queues)
            except DatabaseError as error:  # e.g. migrations not applied
                payload["problems"].append(
                    f"État des tâches de fond illisible ({type(error).__name__}) : "
                    "les migrations sont-elles appliquées ?"
                )
    if payload["problems"]:
        payload["status"] = "erreur"
    return payload


def _database_queues() -> list[str]:
    """The aliases of the task backends that keep their queue in the database."""
    return [alias for alias in settings.TASKS if isinstance(task_backends[alias], DatabaseBackend)]


def _check_worker(payload: dict, now) -> None:
    worker = payload["worker"]
    limit = worker["max_silence_seconds"]
    latest = (
        WorkerHeartbeat.objects.order_by("-last_seen_at")
        .values_list("last_seen_at", flat=True)
        .first()
    )
    if latest is None:
        worker["status"] = "absent"
        payload["problems"].append(
            "Aucun processus de tâches de fond n'a jamais donné signe de vie "
            "(manage.py essor_worker est-il lancé ?)."
        )
        return
    silence = max(0, int((now - latest).total_seconds()))
    worker["last_heartbeat"] = latest.isoformat()
    worker["silence_seconds"] = silence
    worker["live"] = WorkerHeartbeat.objects.filter(
        last_seen_at__gte=now - timedelta(seconds=limit)
    ).count()
    if silence > limit:
        worker["status"] = "silencieux"
        payload["problems"].append(
            f"Aucun signe de vie du processus de tâches de fond depuis {silence} s "
            f"(seuil : {limit} s)."
        )
    else:
        worker["status"] = "ok"


def _check_queue(payload: dict, now, queues: list[str]) -> None:
    queue = payload["queue"]
    limit = queue["max_age_seconds"]
    ready = DBTaskResult.objects.ready().filter(backend_name__in=queues)
    never_deferred = ready.filter(run_after=get_date_max()).aggregate(since=Min("enqueued_at"))
    deferred = ready.exclude(run_after=get_date_max()).aggregate(since=Min("run_after"))
    waiting_since = [when for when in (never_deferred["since"], deferred["since"]) if when]
    queue["ready"] = ready.count()
    if not waiting_since:
        queue["status"] = "ok"
        return
    age = max(0, int((now - min(waiting_since)).total_seconds()))
    queue["oldest_age_seconds"] = age
    if age > limit:
        queue["status"] = "en_retard"
        payload["problems"].append(
            f"Une tâche attend son tour depuis {age} s (seuil : {limit} s) : "
            "le processus de tâches de fond est arrêté, bloqué ou débordé."
        )
    else:
        queue["status"] = "ok"
