"""Refreshes the observatory's stored tables (run every five minutes by
deploy/systemd/essor-observatory-refresh.timer), so that no page waits for a computation."""

from django.core.management.base import BaseCommand

from essor.core import formats
from essor.observatory import selectors, services, tasks


class Command(BaseCommand):
    help = (
        "Recalcule les tableaux de l'observatoire qui manquent ou vont expirer avant le prochain "
        "passage (l'année en cours et la précédente à chaque passage, les années antérieures "
        "une fois par jour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--tout", action="store_true", help="Recalcule tous les tableaux, même récents."
        )
        parser.add_argument(
            "--en-tache-de-fond",
            dest="background",
            action="store_true",
            help="Confie le calcul au processus des tâches de fond (essor_worker).",
        )

    def handle(self, *args, tout=False, background=False, **options):
        if background:
            tasks.refresh_observatory_tables.enqueue()
            self.stdout.write("Recalcul de l'observatoire confié aux tâches de fond.")
            return
        # The timer comes back in cache_seconds(): what expires before then is refreshed now.
        summary = services.refresh_tables(ahead_seconds=selectors.cache_seconds(), everything=tout)
        seconds = formats.number(summary.seconds, 1)
        self.stdout.write(
            f"Observatoire : {formats.counted(summary.computed, 'tableau recalculé', 'tableaux recalculés')}"
            f" en {seconds} s"
            + (
                f", dont {formats.counted(summary.failed, 'en erreur', 'en erreur')}"
                if summary.failed
                else ""
            )
            + (
                f" ; {formats.counted(summary.removed, 'tableau obsolète supprimé', 'tableaux obsolètes supprimés')}"
                if summary.removed
                else ""
            )
            + (
                f" ; {formats.counted(summary.workbooks, 'classeur annuel produit', 'classeurs annuels produits')}"
                if summary.workbooks
                else ""
            )
            + "."
        )
