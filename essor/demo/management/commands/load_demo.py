"""python manage.py load_demo [--if-empty] [--seed N] [--remplacer]"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from essor.demo import registry
from essor.demo.accounts import account_lines
from essor.demo.loader import (
    DEFAULT_SEED,
    ORGANISATION_COUNT,
    demo_data_present,
    load_demo,
    remove_demo_data,
)
from essor.directory.models import Organisation


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : l'agence, les cofinanceurs, un territoire "
        "partenaire, environ 300 structures fictives de l'ESS et un compte par rôle."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne fait rien si des structures existent déjà (utilisé par make run).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Graine du tirage aléatoire (par défaut {DEFAULT_SEED}) : "
            "une même graine donne les mêmes données.",
        )
        parser.add_argument(
            "--sans-comptes",
            action="store_true",
            help="N'affiche pas les comptes de démonstration (make run les affiche au démarrage).",
        )
        parser.add_argument(
            "--remplacer",
            action="store_true",
            help="Supprime d'abord les données de démonstration déjà chargées.",
        )

    def handle(self, *args, if_empty, seed, remplacer, sans_comptes=False, **options):
        if settings.ESSOR_PRODUCTION:
            # No option lifts this: the demo accounts share a published password.
            raise CommandError(
                "Refusé : cette instance est configurée pour la production (ESSOR_PRODUCTION=1). "
                "Les données de démonstration créent des comptes dont le mot de passe est publié "
                "et ne se chargent jamais sur une instance de production. Pour essayer Essor, "
                "utilisez une autre base, sans ESSOR_PRODUCTION (make run)."
            )
        if if_empty and Organisation.objects.exists():
            self.stdout.write(
                "Des structures existent déjà : données de démonstration non chargées."
            )
            return
        if demo_data_present() and not remplacer:
            raise CommandError(
                "Les données de démonstration sont déjà chargées. Relancez avec --remplacer "
                "pour les remplacer."
            )
        started = time.perf_counter()
        with (
            transaction.atomic(),
            tqdm(
                total=ORGANISATION_COUNT + 3 + len(registry.steps()),
                desc="Données de démonstration",
                unit=" structures",
                disable=None,
                file=self.stderr,
            ) as bar,
        ):
            if remplacer:
                remove_demo_data()
            try:
                summary = load_demo(seed=seed, progress=bar.update)
            except ValueError as error:
                raise CommandError(str(error)) from error
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.organisations} structures fictives et {summary.establishments} "
                f"établissements créés (graine {seed}) en {elapsed:.1f} s ; "
                f"{summary.revisions} modifications de fiche et {summary.claims} demandes de "
                "gestion en attente."
            )
        )
        for line in summary.modules:
            self.stdout.write(f"  {line}")
        if sans_comptes:
            return
        self.stdout.write("")
        for line in account_lines([(email, label) for email, label, _ in summary.accounts]):
            self.stdout.write(line)
