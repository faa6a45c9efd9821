"""python manage.py import_epci --siren 245900428                 # the installed npm package
python manage.py import_epci --fichier EPCI_au_01-01-2026.xlsx --siren 245900428   # INSEE's file"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essor.core import npm_data
from essor.core.formats import counted, plural
from essor.core.validators import is_valid_siren
from essor.territory.importers import (
    DECOUPAGE_PACKAGE,
    ReferenceFileError,
    read_epci_members,
    read_package_epci_members,
)
from essor.territory.models import Territory
from essor.territory.services import set_territory_communes


class Command(BaseCommand):
    help = (
        "Fixe les communes d'un territoire d'après la composition communale des EPCI, lue dans le "
        f"paquet npm {DECOUPAGE_PACKAGE} installé (version fixée dans package.json) ou dans le "
        "fichier publié par l'INSEE (--fichier, CSV ou XLSX). Les communes doivent avoir été "
        "importées (import_communes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fichier",
            type=Path,
            help="Fichier CSV ou XLSX de l'INSEE à lire au lieu du paquet npm.",
        )
        parser.add_argument(
            "--siren",
            required=True,
            action="append",
            help="SIREN de l'EPCI ; répétez l'option pour un territoire fait de plusieurs EPCI.",
        )
        parser.add_argument("--nom", help="Nom du territoire (par défaut, le libellé de l'EPCI).")
        parser.add_argument(
            "--partenaire",
            action="store_true",
            help="Territoire partenaire (identifié par son nom, peut réunir plusieurs EPCI).",
        )
        parser.add_argument(
            "--ajouter",
            action="store_true",
            help="Ajoute les communes au territoire au lieu de remplacer sa composition.",
        )

    def handle(self, *args, fichier: Path, siren, nom, partenaire, ajouter, **options):
        if fichier is not None and not fichier.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        sirens = {value.strip() for value in siren}
        if invalid := sorted(value for value in sirens if not is_valid_siren(value)):
            raise CommandError(f"SIREN d'EPCI invalide : {', '.join(invalid)}.")
        if partenaire and not nom:
            raise CommandError("Un territoire partenaire a besoin d'un nom (--nom).")
        if not partenaire and len(sirens) > 1:
            raise CommandError(
                "Plusieurs SIREN ne forment pas un EPCI : ajoutez --partenaire et --nom."
            )
        try:
            if fichier is None:
                source = npm_data.package_label(DECOUPAGE_PACKAGE)
                rows = read_package_epci_members(sirens)
            else:
                source = fichier.name
                rows = read_epci_members(fichier, sirens)
            found = {row.epci_siren for row in rows}
            if missing := sorted(sirens - found):
                raise CommandError(
                    f"Aucune commune pour {plural(len(missing), 'le', 'les')} SIREN "
                    f"{', '.join(missing)} dans {source} : vérifiez le SIREN et le millésime. "
                    "Rien n'a été enregistré."
                )
            # An EPCI already configured keeps its name (« Communauté urbaine de Dunkerque »
            # rather than the list's « CU de Dunkerque ») unless --nom gives another.
            existing = None if partenaire else Territory.objects.filter(siren__in=sirens).first()
            result = set_territory_communes(
                name=nom or (existing.name if existing else rows[0].epci_name),
                siren=None if partenaire else next(iter(sirens)),
                kind=Territory.Kind.PARTNER if partenaire else Territory.Kind.EPCI,
                commune_codes=[row.commune_code for row in rows],
                add=ajouter,
            )
        except npm_data.PackageMissing as error:
            raise CommandError(str(error)) from error
        except ReferenceFileError as error:
            raise CommandError(f"Import annulé, rien n'a été enregistré.\n{error}") from error
        territory = result.territory
        self.stdout.write(
            self.style.SUCCESS(
                f"{source} : "
                f"{'territoire créé' if result.created else 'territoire mis à jour'} : "
                f"{territory.name} ({territory.slug}) — "
                f"{counted(len(rows), 'ligne retenue', 'lignes retenues')}, "
                f"{counted(result.added, 'commune ajoutée', 'communes ajoutées')}, "
                f"{counted(result.removed, 'retirée', 'retirées')}, "
                f"{result.total} au total."
            )
        )
