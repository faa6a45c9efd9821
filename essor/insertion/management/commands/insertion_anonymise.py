"""Anonymises the participants whose exit is older than the retention period (run daily by cron:
`python manage.py insertion_anonymise`)."""

import datetime

from django.core.management.base import BaseCommand
from tqdm import tqdm

from essor.core.formats import counted, plural
from essor.insertion import services
from essor.insertion.models import retention_months


class Command(BaseCommand):
    help = (
        "Anonymise les salariés en insertion sortis depuis plus longtemps que la durée de "
        "conservation (ESSOR_INSERTION_RETENTION_MONTHS, 24 mois par défaut)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date du jour (AAAA-MM-JJ), pour un rattrapage.")

    def handle(self, *args, date=None, **options):
        today = datetime.date.fromisoformat(date) if date else None
        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, desc="Anonymisation", unit="salarié", file=self.stderr)
            bar.update(1)

        count = services.anonymise_expired(today=today, progress=progress)
        if bar is not None:
            bar.close()
        self.stdout.write(
            f"{counted(count, 'salarié')} {plural(count, 'anonymisé')} "
            f"({retention_months()} mois après la sortie)."
        )
