"""python manage.py import_epci --fichier EPCI_au_01-01-2025.xlsx --siren 245900428"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from essor.core.formats import plural
from essor.core.validators import is_valid_siren
from essor.territory.importers import ReferenceFileError, read_epci_members
from essor.territory.models import Territory
from essor.territory.services import set_territory_communes


class Command(BaseCommand):
    help = (
        "Fixe les communes d'un territoire d'après la composition communale des EPCI publiée par "
        "l'INSEE (CSV ou XLSX). Les communes doivent avoir été importées (import_communes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fichier", required=True, type=Path, help="Fichier CSV ou XLSX.")
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
        if not fichier.is_file():
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
            rows = read_epci_members(fichier, sirens)
            found = {row.epci_siren for row in rows}
            if missing := sorted(sirens - found):
                raise CommandError(
                    f"Aucune commune pour {plural(len(missing), 'le', 'les')} SIREN {', '.join(missing)} dans {fichier.name} : "
                    "vérifiez le SIREN et le millésime du fichier. Rien n'a été enregistré."
                )
            result = set_territory_communes(
                name=nom or rows[0].epci_name,
                siren=None if partenaire else next(iter(sirens)),
                kind=Territory.Kind.PARTNER if partenaire else Territory.Kind.EPCI,
                commune_codes=[row.commune_code for row in rows],
                add=ajouter,
            )
        except ReferenceFileError as error:
            raise CommandError(f"Import annulé, rien n'a été enregistré.\n{error}") from error
        territory = result.territory
        self.stdout.write(
            self.style.SUCCESS(
                f"{'Territoire créé' if result.created else 'Territoire mis à jour'} : "
                f"{territory.name} ({territory.slug}) — {len(rows)} lignes retenues, "
                f"{result.added} communes ajoutées, {result.removed} retirées, "
                f"{result.total} au total."
            )
        )
