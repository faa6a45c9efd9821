"""`manage.py essor_worker`: django-tasks-db's `db_worker` (same options), which also records a
sign of life in the database (`core.heartbeat`) for /healthz."""

import os
import signal

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import valid_interval

from essor.core.heartbeat import Heartbeat

HANDLED_SIGNALS = [
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)
]


class Command(DbWorkerCommand):
    help = (
        "Dépile la file des tâches de fond (comme db_worker) et enregistre un signe de vie "
        "du processus, lu par /healthz."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat",
            type=valid_interval,
            default=settings.ESSOR_WORKER_HEARTBEAT_SECONDS,
            help="Secondes entre deux signes de vie (défaut : %(default)r).",
        )

    def handle(self, *args, heartbeat: float, **options) -> None:
        reloading = options["reload"] and not options["batch"]
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent process only watches the files: its child is the worker.
            return super().handle(*args, **options)
        beat = Heartbeat(worker_id=options["worker_id"], interval=heartbeat)
        beat.first_beat()
        beat.start()
        handlers = {number: signal.getsignal(number) for number in HANDLED_SIGNALS}
        try:
            return super().handle(*args, **options)
        finally:
            beat.stop()
            for number, handler in handlers.items():
                signal.signal(number, handler)
