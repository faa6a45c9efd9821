"""Builds the "Rapport annuel de l'ESS" of a year from the command line (with a progress bar)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.core.formats import file_size
from essor.observatory import selectors, services


class Command(BaseCommand):
    help = "Produit le rapport annuel de l'ESS (PDF) d'une année."

    def add_arguments(self, parser):
        parser.add_argument("--annee", "--year", dest="year", type=int, help="Année du rapport")
        parser.add_argument(
            "--sortie",
            "--output",
            dest="output",
            help="Fichier PDF à écrire (par défaut : enregistré parmi les rapports de l'agence)",
        )

    def handle(self, *args, year=None, output=None, **options):
        year = year or services.default_report_year()
        if year not in selectors.available_years():
            years = selectors.available_years()
            raise CommandError(
                f"L'année {year} n'est pas disponible : choisissez une année de {years[-1]} "
                f"à {years[0]}."
            )
        bar = tqdm(total=1, desc=f"Rapport {year}", unit="étape", disable=options["verbosity"] == 0)

        def progress(done, total, message):
            bar.total = total
            bar.set_postfix_str(message)
            bar.update(done - bar.n)

        try:
            content = services.build_report_pdf(year=year, progress=progress)
        finally:
            bar.close()
        if output:
            Path(output).write_bytes(content)
            self.stdout.write(f"Rapport {year} écrit dans {output} ({file_size(len(content))}).")
            return
        report = services.start_report(year=year, actor=None)
        services.store_report(report=report, content=content)
        self.stdout.write(
            f"Rapport {year} enregistré : {report.file.name} ({file_size(report.size)})."
        )
