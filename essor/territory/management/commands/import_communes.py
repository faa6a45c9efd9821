"""python manage.py import_communes                             # the installed npm package
python manage.py import_communes --cog v_commune_2026.csv      # or INSEE's COG file"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.core import npm_data
from essor.core.formats import counted
from essor.territory.importers import (
    DECOUPAGE_PACKAGE,
    ReferenceFileError,
    read_cog,
    read_package_communes,
)
from essor.territory.services import import_cog_rows


class Command(BaseCommand):
    help = (
        "Importe la liste officielle des communes, de leurs communes déléguées et associées et "
        f"de leurs anciens codes, depuis le paquet npm {DECOUPAGE_PACKAGE} installé (version "
        "fixée dans package.json), ou depuis le fichier du COG de l'INSEE (--cog)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cog",
            type=Path,
            help="Fichier CSV des communes du COG (INSEE, v_commune_AAAA.csv) à lire au lieu du "
            "paquet npm.",
        )

    def handle(self, *args, cog: Path | None, **options):
        if cog is not None and not cog.is_file():
            raise CommandError(f"Fichier introuvable : {cog}")
        try:
            source = cog.name if cog else npm_data.package_label(DECOUPAGE_PACKAGE)
            with tqdm(
                desc=f"Lecture de {source}", unit=" lignes", disable=None, file=self.stderr
            ) as bar:
                rows = (
                    read_cog(cog, progress=bar.update) if cog else read_package_communes(bar.update)
                )
        except npm_data.PackageMissing as error:
            raise CommandError(str(error)) from error
        except ReferenceFileError as error:
            raise CommandError(f"Import annulé, rien n'a été enregistré.\n{error}") from error
        self.stderr.write(f"Enregistrement de {counted(len(rows), 'ligne')}…")
        result = import_cog_rows(rows=rows)
        self.stdout.write(
            self.style.SUCCESS(
                f"{source} : {counted(result.read, 'ligne lue', 'lignes lues')} : "
                f"{counted(result.created, 'commune créée', 'communes créées')}, "
                f"{counted(result.updated, 'mise à jour', 'mises à jour')}, "
                f"{counted(result.unchanged, 'inchangée', 'inchangées')} ; "
                f"{counted(result.former_created, 'ancien code créé', 'anciens codes créés')}, "
                f"{counted(result.former_updated, 'mis à jour', 'mis à jour')}, "
                f"{counted(result.former_removed, 'retiré', 'retirés')}."
            )
        )
