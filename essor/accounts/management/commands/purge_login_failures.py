from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from essor.accounts import services


class Command(BaseCommand):
    help = "Supprime les échecs de connexion plus anciens que la durée de blocage."

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=int,
            default=settings.LOGIN_LOCKOUT_MINUTES,
            help="Âge minimal des échecs supprimés, en minutes (défaut : LOGIN_LOCKOUT_MINUTES).",
        )

    def handle(self, *args, minutes, **options):
        deleted = services.purge_login_failures(older_than=timedelta(minutes=minutes))
        self.stdout.write(f"{deleted} échec(s) de connexion supprimé(s).")
