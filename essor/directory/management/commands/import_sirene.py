"""python manage.py import_sirene --unites-legales FILE --etablissements FILE --territoire SIREN"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from essor.directory.sirene.services import SireneFileError, import_sirene


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Date invalide « {value} » : attendu AAAA-MM-JJ.") from exc


class Command(BaseCommand):
    help = (
        "Importe les établissements et unités légales de l'ESS d'un territoire depuis les "
        "fichiers stock SIRENE de l'INSEE (CSV ou ZIP tels que publiés)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unites-legales", required=True, help="StockUniteLegale (CSV/ZIP)")
        parser.add_argument("--etablissements", required=True, help="StockEtablissement (CSV/ZIP)")
        parser.add_argument(
            "--geolocalisation", help="GeolocalisationEtablissement (CSV « ; » ou ZIP)"
        )
        parser.add_argument("--territoire", required=True, help="SIREN du territoire (EPCI)")
        parser.add_argument(
            "--date", type=_date, help="date du stock, AAAA-MM-JJ (par défaut : aujourd'hui)"
        )

    def handle(self, *args, **options):
        bar = tqdm(total=None, unit=" enreg.", disable=options["verbosity"] == 0)

        def progress(done: int, total: int | None, message: str) -> None:
            bar.set_description(message)
            if total is not None and bar.total != total:
                bar.reset(total=total)
            bar.n = done
            bar.refresh()

        try:
            report = import_sirene(
                establishments_path=options["etablissements"],
                legal_units_path=options["unites_legales"],
                geolocation_path=options.get("geolocalisation"),
                territory_siren=options["territoire"],
                stock_date=options.get("date"),
                progress=progress,
            )
        except SireneFileError as exc:
            raise CommandError(f"{exc} Rien n'a été importé.") from exc
        finally:
            bar.close()
        for table in report.summary():
            self.stdout.write(table["title"])
            for label, value in table["rows"]:
                self.stdout.write(f"  {label} : {value:n}")
        self.stdout.write(self.style.SUCCESS("Import SIRENE terminé."))
