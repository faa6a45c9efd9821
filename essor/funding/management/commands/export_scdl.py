"""python manage.py export_scdl --annee 2026 [--attribuant SIRET] [--output FICHIER]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.core.formats import counted, plural
from essor.core.validators import is_valid_siret
from essor.funding.models import FunderProfile
from essor.funding.scdl import scdl_lines
from essor.funding.selectors import scdl_shares


class Command(BaseCommand):
    help = (
        "Exporte les subventions au format SCDL « subventions » 2.1.1 (CSV) pour une année, "
        "pour un financeur ou pour tous."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annee", type=int, required=True, help="année des conventions")
        parser.add_argument("--attribuant", default=None, help="SIRET du financeur (tous sinon)")
        parser.add_argument("--output", default=None, help="fichier de sortie (sinon la sortie)")

    def handle(self, *args, annee, attribuant, output, **options):
        if attribuant is not None:
            attribuant = attribuant.replace(" ", "")
            if not is_valid_siret(attribuant):
                raise CommandError(f"SIRET invalide : {attribuant}.")
            if not FunderProfile.objects.filter(siret=attribuant).exists():
                raise CommandError(f"Aucun financeur n'a le SIRET {attribuant}.")
        if output:
            total = scdl_shares(year=annee, funder_siret=attribuant).count()
            with open(output, "w", encoding="utf-8", newline="") as handle:
                lines = scdl_lines(year=annee, funder_siret=attribuant)
                handle.write(next(lines))
                for line in tqdm(lines, total=total, unit=" subventions", file=sys.stderr):
                    handle.write(line)
            self.stderr.write(
                f"{counted(total, 'subvention')} {plural(total, 'exportée')} dans {output}."
            )
        else:
            for line in scdl_lines(year=annee, funder_siret=attribuant):
                self.stdout.write(line, ending="")
