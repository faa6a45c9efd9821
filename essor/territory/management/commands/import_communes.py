"""python manage.py import_communes --cog v_commune_2025.csv"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.territory.importers import ReferenceFileError, read_cog
from essor.territory.services import import_cog_rows


class Command(BaseCommand):
    help = "Importe la liste officielle des communes de l'INSEE (COG, fichier v_commune_AAAA.csv)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cog", required=True, type=Path, help="Fichier CSV des communes du COG (INSEE)."
        )

    def handle(self, *args, cog: Path, **options):
        if not cog.is_file():
            raise CommandError(f"Fichier introuvable : {cog}")
        with tqdm(desc="Lecture du COG", unit=" lignes", disable=None, file=self.stderr) as bar:
            try:
                rows = read_cog(cog, progress=bar.update)
            except ReferenceFileError as error:
                raise CommandError(f"Import annulé, rien n'a été enregistré.\n{error}") from error
        result = import_cog_rows(rows=rows)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.read} lignes lues : {result.created} communes créées, "
                f"{result.updated} mises à jour, {result.unchanged} inchangées ; "
                f"{result.former_created} anciens codes créés, "
                f"{result.former_updated} mis à jour."
            )
        )
