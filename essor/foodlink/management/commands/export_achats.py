"""python manage.py export_achats --annee 2026 [--acheteur SIRET] [--output achats.csv]

Writes a year's purchases in the national CSV format (ma-cantine, achats par SIRET)."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.foodlink import services
from essor.foodlink.models import BuyerProfile, Purchase


class Command(BaseCommand):
    help = "Exporte les achats d'une année au format national (CSV ma-cantine)."

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, required=True, help="Année civile des achats.")
        parser.add_argument("--acheteur", default="", help="SIRET d'une cantine (toutes sinon).")
        parser.add_argument(
            "--output", default="", help="Fichier de sortie (sortie standard sinon)."
        )

    def handle(self, *args, annee, acheteur, output, **options):
        purchases = Purchase.objects.filter(date__year=annee).select_related("buyer")
        if acheteur:
            if not BuyerProfile.objects.filter(siret=acheteur).exists():
                raise CommandError(f"Aucune cantine n'a le SIRET « {acheteur} ».")
            purchases = purchases.filter(buyer__siret=acheteur)
        purchases = purchases.order_by("buyer__siret", "date", "pk")
        total = purchases.count()
        rows = tqdm(
            purchases.iterator(chunk_size=2000),
            total=total,
            desc="Achats exportés",
            unit=" achats",
            file=sys.stderr,
            disable=not output,
        )
        if output:
            with open(output, "w", encoding="utf-8", newline="") as stream:
                count = services.write_export(stream, rows)
            self.stderr.write(f"{count} achats de {annee} écrits dans {output}.")
        else:
            services.write_export(self.stdout, rows)
