"""python manage.py send_funding_reminders [--date AAAA-MM-JJ] — to run daily (cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from essor.core.formats import counted, plural
from essor.funding.services import send_report_reminders


class Command(BaseCommand):
    help = (
        "Relance par courriel les structures dont le compte-rendu financier est bientôt dû ou en "
        "retard (une relance de chaque sorte par compte-rendu). À lancer chaque jour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", default=None, help="date du jour (AAAA-MM-JJ), pour tester")

    def handle(self, *args, date, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date invalide : {date} (format AAAA-MM-JJ).") from None
        sent = send_report_reminders(on=day)
        self.stdout.write(f"{counted(sent, 'relance')} {plural(sent, 'envoyée')}.")
