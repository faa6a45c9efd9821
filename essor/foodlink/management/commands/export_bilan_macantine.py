"""python manage.py export_bilan_macantine --annee 2025 [--acheteur SIRET] [--output bilans.csv]

Writes the canteens' yearly « bilan simple » in ma-cantine's format (one row per SIRET), computed
from the year's purchases by ma-cantine's rule (`essor/foodlink/egalim.py`)."""

from django.core.management.base import BaseCommand, CommandError

from essor.core.formats import counted, plural
from essor.foodlink import selectors, services
from essor.foodlink.models import BuyerProfile


class Command(BaseCommand):
    help = "Exporte le bilan annuel des cantines au format « bilan simple » de ma-cantine (CSV)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--annee", type=int, required=True, help="Année civile des achats (celle du bilan)."
        )
        parser.add_argument("--acheteur", default="", help="SIRET d'une cantine (toutes sinon).")
        parser.add_argument(
            "--output", default="", help="Fichier de sortie (sortie standard sinon)."
        )

    def handle(self, *args, annee, acheteur, output, **options):
        buyers = BuyerProfile.objects.all()
        if acheteur:
            buyers = buyers.filter(siret=acheteur)
            if not buyers.exists():
                raise CommandError(f"Aucune cantine n'a le SIRET « {acheteur} ».")
        buyer_ids = list(buyers.values_list("pk", flat=True))
        bilans = selectors.macantine_bilans(year=annee, buyer_ids=buyer_ids)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                services.write_macantine_bilans(stream, bilans)
        else:
            services.write_macantine_bilans(self.stdout, bilans)
        left_out = len(buyer_ids) - len(bilans)
        summary = f"{counted(len(bilans), 'bilan')} {annee}"
        if output:
            summary += f" {plural(len(bilans), 'écrit', 'écrits')} dans {output}"
        if left_out:
            summary += (
                f" ; {counted(left_out, 'cantine')} sans achat en {annee}, sans bilan "
                "(ma-cantine refuse une valeur totale nulle)"
            )
        self.stderr.write(summary + ".")
