"""The background worker's sign of life: `manage.py essor_worker` (django-tasks-db's `db_worker`
with a heartbeat) writes one `WorkerHeartbeat` row per process when it starts, then every
ESSOR_WORKER_HEARTBEAT_SECONDS from a thread of its own, so that a long task (a SIRENE import)
does not silence it. /healthz reads the freshest row (`core.health`)."""

import logging
import os
import socket
import threading
from datetime import timedelta

from django.db import DatabaseError, connections
from django.utils import timezone

from essor.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
# Rows of workers silent for this long are deleted when a worker starts.
FORGET_AFTER = timedelta(days=7)


def record(*, worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "last_seen_at": timezone.now(),
        },
    )


def forget_old() -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(
        last_seen_at__lt=timezone.now() - FORGET_AFTER
    ).delete()
    return deleted


class Heartbeat(threading.Thread):
    """Records the worker's sign of life now, then every `interval` seconds until `stop()`."""

    def __init__(self, *, worker_id: str, interval: float):
        super().__init__(name="essor-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stopped = threading.Event()

    def first_beat(self) -> None:
        """In the calling thread, before the worker takes any task."""
        forget_old()
        record(worker_id=self.worker_id, started_at=self.started_at)

    def run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                record(worker_id=self.worker_id, started_at=self.started_at)
            except DatabaseError as error:
                # A busy SQLite file or a restarting server: the next beat will tell.
                logger.warning("Signe de vie du processus de tâches non enregistré : %s", error)
            finally:
                connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._stopped.set()
        if self.is_alive():
            self.join(timeout=self.interval + 5)
