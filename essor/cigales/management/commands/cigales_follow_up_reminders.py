from django.core.management.base import BaseCommand

from essor.cigales import services


class Command(BaseCommand):
    help = (
        "Rappelle aux parrains et au bureau des clubs CIGALES les investissements sans suivi "
        "depuis un an (CIGALES_FOLLOW_UP_DAYS), une fois par mois au plus (à lancer chaque jour)."
    )

    def handle(self, *args, **options):
        reminded = services.send_follow_up_reminders()
        plural = "s" if reminded > 1 else ""
        self.stdout.write(f"{reminded} projet{plural} rappelé{plural} aux parrains.")
