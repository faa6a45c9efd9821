"""Benchmark of the SIRENE import (directory.sirene): generate, import, measure.

    .venv/bin/python bench/sirene_import.py [--rows 2000000] [--database-url postgres://…]
        [--output-dir bench/output] [--keep]

Generates a StockEtablissement file in the exact INSEE format (all 54 columns, by name, ~1 % of
rows in the CUD's communes, ESS and non-ESS legal units) and its StockUniteLegale file, imports it
for the CUD (SIREN 245900428) into a fresh SQLite database (and PostgreSQL with --database-url,
whose structures with a generated SIREN, 3…, are deleted first), then imports it again as the
next month's stock (nothing changed: the common monthly case). Both imports run in a subprocess;
it prints rows, seconds, rows per second and CPU time of each, the subprocess's peak memory
(VmHWM from /proc/self/status, read in that process: `ru_maxrss` would also count the memory of
the benchmark it was forked from) and the time of a plain `csv` module pass as the reference.
"""

import argparse
import collections
import csv
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from essor.directory.sirene.columns import (  # noqa: E402
    STOCK_ETABLISSEMENT_COLUMNS as ESTABLISHMENT_HEADER,
)
from essor.directory.sirene.columns import (  # noqa: E402
    STOCK_UNITE_LEGALE_COLUMNS as LEGAL_UNIT_HEADER,
)

assert len(ESTABLISHMENT_HEADER) == 54 and len(LEGAL_UNIT_HEADER) == 35

CUD_CODES = [
    "59183", "59155", "59271", "59273", "59588", "59131", "59094", "59359", "59272", "59107",
    "59340", "59260", "59016", "59576", "59668", "59159", "59532",
    "59540", "59248", "59380", "59460", "59510", "59373", "59154", "59404",  # former codes
]  # fmt: skip
OTHER_CODES = [
    "75056", "69123", "13055", "31555", "06088", "44109", "67482", "34172", "33063", "59350",
    "62041", "59606", "80021", "02691", "76540", "35238", "29019", "2A004", "97411", "62193",
]  # fmt: skip
ESS_CATEGORIES = ["9220", "9220", "9220", "5458", "9300", "8210", "5560", "9221"]
OTHER_CATEGORIES = ["5710", "5499", "1000", "5710", "6540", "7346", "5720", "5485"]
STREETS = [
    "DE LA REPUBLIQUE", "DU PORT", "JEAN JAURES", "DES FUSILIERS MARINS", "DU GENERAL DE GAULLE",
    "DES CHANTIERS DE FRANCE", "DE LA DIGUE", "VICTOR HUGO", "DES MOULINS", "PASTEUR",
]  # fmt: skip
STREET_TYPES = ["RUE", "AV", "BD", "PL", "QUAI", "CHE", "IMP", "ALL"]
NAF = ["88.99B", "94.99Z", "56.10A", "47.11F", "85.59A", "93.12Z", "43.21A", "62.01Z"]
NAMES = [
    "LES JARDINS DU LITTORAL", "VELO SOLIDAIRE", "ENTREPRISE DURAND", "LA FABRIQUE, DES POSSIBLES",
    "COOPERATIVE DU NORD", "SAS MARTIN ET FILS", "ASSOCIATION SPORTIVE DU PORT", "BOULANGERIE DU MOLE",
]  # fmt: skip


def _pick(values: list[str], key: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values)).gather(key % len(values))


def _luhn(body: pl.Expr, length: int) -> pl.Expr:
    """The Luhn check digit of a `length`-digit integer (vectorised)."""
    total = pl.lit(0, dtype=pl.Int64)
    for position in range(length):  # position 0 = rightmost digit of the body: it is doubled
        digit = (body // (10**position)) % 10
        if position % 2 == 0:
            digit = pl.when(digit * 2 > 9).then(digit * 2 - 9).otherwise(digit * 2)
        total = total + digit
    return (10 - total % 10) % 10


def _hash(index: pl.Expr, salt: int) -> pl.Expr:
    return ((index * 2654435761 + salt * 40503) % 4294967291).cast(pl.Int64)


def generate(directory: Path, rows: int) -> tuple[Path, Path]:
    """Writes StockEtablissement_utf8.csv (`rows` rows) and StockUniteLegale_utf8.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    index = pl.col("i")
    unit = index // 2  # two establishments per legal unit, about the national ratio
    siren_body = 30_000_000 + unit
    siren = siren_body * 10 + _luhn(siren_body, 8)
    nic = index % 2 + 1
    siret_body = siren * 10_000 + nic
    siret = siret_body * 10 + _luhn(siret_body, 13)
    in_cud = _hash(unit, 1) % 100 == 0
    partial = _hash(index, 2) % 40 == 0
    street_number = (_hash(index, 3) % 150 + 1).cast(pl.String)
    lambert_x = (
        pl.when(in_cud)
        .then(640_000 + _hash(index, 4) % 25_000)
        .otherwise(200_000 + _hash(index, 4) % 900_000)
    )
    lambert_y = (
        pl.when(in_cud)
        .then(7_095_000 + _hash(index, 5) % 15_000)
        .otherwise(6_200_000 + _hash(index, 5) % 900_000)
    )
    empty = pl.lit(None, dtype=pl.String)  # INSEE writes empty fields as nothing: ,,
    masked = pl.lit("[ND]")

    def unless_partial(expr: pl.Expr) -> pl.Expr:
        return pl.when(partial).then(masked).otherwise(expr)

    columns = {
        "siren": siren.cast(pl.String),
        "nic": (nic * 10 + siret % 10).cast(pl.String).str.zfill(5),
        "siret": siret.cast(pl.String),
        "statutDiffusionEtablissement": pl.when(partial).then(pl.lit("P")).otherwise(pl.lit("O")),
        "dateCreationEtablissement": pl.format(
            "{}-{}-{}",
            (1970 + _hash(index, 6) % 55).cast(pl.String),
            (_hash(index, 7) % 12 + 1).cast(pl.String).str.zfill(2),
            (_hash(index, 8) % 28 + 1).cast(pl.String).str.zfill(2),
        ),
        "trancheEffectifsEtablissement": _pick(
            ["NN", "00", "01", "02", "03", "11", "12"], _hash(index, 9)
        ),
        "anneeEffectifsEtablissement": pl.lit("2023"),
        "activitePrincipaleRegistreMetiersEtablissement": empty,
        "dateDernierTraitementEtablissement": pl.lit("2025-11-03T10:22:31"),
        "etablissementSiege": pl.when(nic == 1).then(pl.lit("true")).otherwise(pl.lit("false")),
        "nombrePeriodesEtablissement": pl.lit("2"),
        "complementAdresseEtablissement": unless_partial(
            pl.when(_hash(index, 10) % 5 == 0).then(pl.lit("BATIMENT B")).otherwise(empty)
        ),
        "numeroVoieEtablissement": unless_partial(street_number),
        "indiceRepetitionEtablissement": empty,
        "dernierNumeroVoieEtablissement": empty,
        "indiceRepetitionDernierNumeroVoieEtablissement": empty,
        "typeVoieEtablissement": unless_partial(_pick(STREET_TYPES, _hash(index, 11))),
        "libelleVoieEtablissement": unless_partial(_pick(STREETS, _hash(index, 12))),
        "codePostalEtablissement": pl.when(in_cud).then(pl.lit("59140")).otherwise(pl.lit("75011")),
        "libelleCommuneEtablissement": pl.when(in_cud)
        .then(pl.lit("DUNKERQUE"))
        .otherwise(pl.lit("PARIS 11")),
        "libelleCommuneEtrangerEtablissement": empty,
        "distributionSpecialeEtablissement": empty,
        "codeCommuneEtablissement": pl.when(in_cud)
        .then(_pick(CUD_CODES, _hash(index, 13)))
        .otherwise(_pick(OTHER_CODES, _hash(index, 13))),
        "codeCedexEtablissement": empty,
        "libelleCedexEtablissement": empty,
        "codePaysEtrangerEtablissement": empty,
        "libellePaysEtrangerEtablissement": empty,
        "identifiantAddresseEtablissement": empty,
        "coordonneeLambertAbscisseEtablissement": unless_partial(lambert_x.cast(pl.String) + ".5"),
        "coordonneeLambertOrdonneeEtablissement": unless_partial(lambert_y.cast(pl.String) + ".25"),
        **dict.fromkeys(ESTABLISHMENT_HEADER[30:44], empty),
        "dateDebut": pl.lit("2019-01-01"),
        "etatAdministratifEtablissement": pl.when(_hash(index, 14) % 7 == 0)
        .then(pl.lit("F"))
        .otherwise(pl.lit("A")),
        "enseigne1Etablissement": pl.when(_hash(index, 15) % 4 == 0)
        .then(_pick(NAMES, _hash(index, 16)))
        .otherwise(empty),
        "enseigne2Etablissement": empty,
        "enseigne3Etablissement": empty,
        "denominationUsuelleEtablissement": empty,
        "activitePrincipaleEtablissement": _pick(NAF, _hash(index, 17)),
        "nomenclatureActivitePrincipaleEtablissement": pl.lit("NAFRev2"),
        "caractereEmployeurEtablissement": _pick(["O", "N"], _hash(index, 18)),
        "activitePrincipaleNAF25Etablissement": _pick(NAF, _hash(index, 17)),
    }
    columns["identifiantAdresseEtablissement"] = columns.pop("identifiantAddresseEtablissement")
    establishments = pl.LazyFrame({"i": pl.int_range(rows, eager=True)}).select(
        **{name: columns[name] for name in ESTABLISHMENT_HEADER}
    )
    establishment_path = directory / "StockEtablissement_utf8.csv"
    establishments.sink_csv(establishment_path)

    u = pl.col("i")
    unit_siren_body = 30_000_000 + u
    ess = _hash(u, 19) % 3 == 0
    unit_columns = {
        "siren": (unit_siren_body * 10 + _luhn(unit_siren_body, 8)).cast(pl.String),
        "statutDiffusionUniteLegale": pl.lit("O"),
        "unitePurgeeUniteLegale": empty,
        "dateCreationUniteLegale": pl.lit("2001-05-14"),
        "sigleUniteLegale": pl.when(ess).then(pl.lit("ASL")).otherwise(empty),
        **dict.fromkeys(LEGAL_UNIT_HEADER[5:12], empty),
        "identifiantAssociationUniteLegale": empty,
        "trancheEffectifsUniteLegale": _pick(["NN", "00", "01", "02", "11"], _hash(u, 20)),
        "anneeEffectifsUniteLegale": pl.lit("2023"),
        "dateDernierTraitementUniteLegale": pl.lit("2025-10-01T08:00:00"),
        "nombrePeriodesUniteLegale": pl.lit("3"),
        "categorieEntreprise": pl.lit("PME"),
        "anneeCategorieEntreprise": pl.lit("2022"),
        "dateDebut": pl.lit("2015-01-01"),
        "etatAdministratifUniteLegale": pl.when(_hash(u, 21) % 11 == 0)
        .then(pl.lit("C"))
        .otherwise(pl.lit("A")),
        "nomUniteLegale": empty,
        "nomUsageUniteLegale": empty,
        "denominationUniteLegale": _pick(NAMES, _hash(u, 22)),
        "denominationUsuelle1UniteLegale": empty,
        "denominationUsuelle2UniteLegale": empty,
        "denominationUsuelle3UniteLegale": empty,
        "categorieJuridiqueUniteLegale": pl.when(ess)
        .then(_pick(ESS_CATEGORIES, _hash(u, 23)))
        .otherwise(_pick(OTHER_CATEGORIES, _hash(u, 23))),
        "activitePrincipaleUniteLegale": _pick(NAF, _hash(u, 24)),
        "nomenclatureActivitePrincipaleUniteLegale": pl.lit("NAFRev2"),
        "nicSiegeUniteLegale": pl.lit("00016"),
        "economieSocialeSolidaireUniteLegale": pl.when(_hash(u, 25) % 20 == 0)
        .then(pl.lit("O"))
        .otherwise(pl.lit("N")),
        "societeMissionUniteLegale": pl.lit("N"),
        "caractereEmployeurUniteLegale": pl.lit("O"),
        "activitePrincipaleNAF25UniteLegale": _pick(NAF, _hash(u, 24)),
    }
    for name in LEGAL_UNIT_HEADER[5:12]:
        unit_columns[name] = empty
    legal_unit_path = directory / "StockUniteLegale_utf8.csv"
    (
        pl.LazyFrame({"i": pl.int_range((rows + 1) // 2, eager=True)})
        .select(**{name: unit_columns[name] for name in LEGAL_UNIT_HEADER})
        .sink_csv(legal_unit_path)
    )
    return establishment_path, legal_unit_path


def csv_module_pass(path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one plain pass of the csv module over the file."""
    started, cpu = time.perf_counter(), time.process_time()
    with path.open(encoding="utf-8", newline="") as handle:
        # Consume the rows at C speed, doing nothing with them: the fastest plain csv pass.
        collections.deque(csv.reader(handle), maxlen=0)
    return time.perf_counter() - started, time.process_time() - cpu


IMPORT_SCRIPT = """
import datetime, json, resource, sys, time
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from essor.directory.models import Establishment, Organisation
# A PostgreSQL database is reused: a previous run's structures (generated SIRENs 3…) go first.
Establishment.objects.filter(siret__gte="3", siret__lt="4").delete()
Organisation.objects.filter(siren__gte="3", siren__lt="4").delete()


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(stock_date):
    started, cpu_before = time.perf_counter(), cpu()
    from essor.directory.sirene.services import import_sirene  # the first time: counted
    report = import_sirene(
        establishments_path=sys.argv[1],
        legal_units_path=sys.argv[2],
        territory_siren="245900428",
        stock_date=stock_date,
    )
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": cpu() - cpu_before,
        "report": report.as_dict(),
    }


first = timed(datetime.date(2025, 11, 1))
again = timed(datetime.date(2025, 12, 1))  # next month's stock, unchanged: the common case
# The peak resident memory of this process since its exec (ru_maxrss would add the parent's).
status = Path("/proc/self/status").read_text()
peak_kib = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
print(json.dumps({"first": first, "again": again, "peak_kib": peak_kib}))
"""


def run_import(establishments: Path, legal_units: Path, env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(establishments), str(legal_units)],
        cwd=ROOT,
        env={
            # DEBUG is off, as in production: Essor then wants a secret key of its own.
            "SECRET_KEY": secrets.token_urlsafe(50),
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "essor.settings",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"L'import a échoué :\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "bench" / "output" / "sirene")
    parser.add_argument(
        "--database-url",
        default="",
        help="also import into this PostgreSQL database (a benchmark's own: its structures whose "
        "SIREN starts with 3, as the generated ones do, are deleted first)",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the generated files if present")
    args = parser.parse_args()

    establishments = args.output_dir / "StockEtablissement_utf8.csv"
    legal_units = args.output_dir / "StockUniteLegale_utf8.csv"
    if not (args.keep and establishments.exists() and legal_units.exists()):
        started = time.perf_counter()
        establishments, legal_units = generate(args.output_dir, args.rows)
        print(f"Fichiers générés en {time.perf_counter() - started:.1f} s")
    size_mib = establishments.stat().st_size / 1024**2
    print(f"Établissements : {establishments} ({size_mib:,.0f} Mio)")
    print(f"Unités légales : {legal_units} ({legal_units.stat().st_size / 1024**2:,.0f} Mio)")
    print(f"Cœurs disponibles : {len(os.sched_getaffinity(0))}")
    print(f"Charge de la machine (1, 5, 15 min) : {os.getloadavg()}")

    reference, reference_cpu = csv_module_pass(establishments)
    targets = [("SQLite", {"SQLITE_PATH": str(args.output_dir / "bench.sqlite3")})]
    if args.database_url:
        targets.append(("PostgreSQL", {"DATABASE_URL": args.database_url}))
    for engine, env in targets:
        if engine == "SQLite":
            for suffix in ("", "-wal", "-shm"):
                Path(env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
        outcome = run_import(establishments, legal_units, env)
        for title, run in (("premier import", outcome["first"]), ("réimport", outcome["again"])):
            rows = run["report"]["establishments"]["read"]
            seconds = run["seconds"]
            print(f"\n== Import {engine} : {title} ==")
            print(f"lignes lues            : {rows:,}")
            print(f"durée                  : {seconds:.2f} s")
            print(f"lignes par seconde     : {rows / seconds:,.0f}")
            print(f"temps CPU (user+sys)   : {run['cpu_seconds']:.2f} s")
            for label, key in (
                ("établissements", "establishments"),
                ("unités légales", "organisations"),
            ):
                counts = json.dumps(run["report"][key], ensure_ascii=False)
                print(f"{label:<23}: {counts}")
        peak = outcome["peak_kib"] / 1024
        print(f"mémoire maximale       : {peak:,.0f} Mio (VmHWM du processus des deux imports)")
    print("\n== Référence : module csv seul (une passe, sans rien faire) ==")
    print(f"durée                  : {reference:.2f} s ({args.rows / reference:,.0f} lignes/s)")
    print(f"temps CPU              : {reference_cpu:.2f} s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"mémoire du banc (génération comprise) : {own / 1024:,.0f} Mio")


if __name__ == "__main__":
    main()
