"""Benchmark of the insertion indicators, on a synthetic set of SIAE.

Fills a database of its own (never var/essor.sqlite3) with `--siae` SIAE (all five kinds), one
annex a year, `--participants` participants spread over `--years` years, their contracts, barriers,
trainings, exits and monthly hours (bulk inserts), then times N requests through Django's test
Client for each indicators page and prints p50 / p95 and the number of SQL queries per page:

  territory     /insertion/indicateurs/?year=…               (agency: every SIAE)
  kind          /insertion/indicateurs/?year=…&kind=…
  commune       /insertion/indicateurs/?year=…&commune=…
  one SIAE      /insertion/indicateurs/?year=…&siae=…         (a funder's instructor)
  SIAE page     /insertion/siae/<pk>/                        (monthly FTE table of the year)
  XLSX export   /insertion/indicateurs/export.xlsx?year=…

Usage:
  .venv/bin/python bench/insertion_indicators.py
  .venv/bin/python bench/insertion_indicators.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_insertion
Add --reuse to skip the load when the database already holds --participants participants.
Target: p95 <= 200 ms per page (the XLSX download is shown for information), and a number of
queries that does not grow with the data (the same for every request of a scenario).
"""

import argparse
import datetime
import os
import random
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = ["ACI", "AI", "EI", "ETTI", "EITI"]
CATEGORIES = ["durable", "transition", "positive", "other", "withdrawn"]


def configure(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "essor.settings"
    # DEBUG is off, as in production: Essor then wants a secret key of its own.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if path.resolve() == (ROOT / "var" / "essor.sqlite3").resolve():
            sys.exit("Le benchmark n'utilise jamais la base de développement var/essor.sqlite3.")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(path)
    else:
        os.environ["DATABASE_URL"] = database_url
        _create_pg_database(database_url)
    import django

    django.setup()


def _create_pg_database(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def _months(start: datetime.date, end: datetime.date):
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def load(siae_count: int, participant_count: int, years: int, seed: int) -> None:
    from django.db import transaction

    from essor.accounts.models import Membership, Role, User
    from essor.directory.models import Organisation
    from essor.insertion.models import (
        Barrier,
        BarrierType,
        Contract,
        Exit,
        FinancialAnnex,
        MonthlyHours,
        Participant,
        Siae,
        Training,
    )
    from essor.territory.models import Commune

    rng = random.Random(seed)
    last_year = datetime.date.today().year - 1
    first_year = last_year - years + 1
    period_start, period_end = datetime.date(first_year, 1, 1), datetime.date(last_year, 12, 31)
    communes = list(Commune.objects.values_list("pk", flat=True)) or [None]
    barrier_types = list(BarrierType.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic():
        MonthlyHours.objects.all().delete()
        Participant.objects.all().delete()
        FinancialAnnex.objects.all().delete()
        Siae.objects.all().delete()
        Organisation.objects.filter(name__startswith="SIAE banc d'essai").delete()
        Organisation.objects.filter(name="Financeur banc d'essai").delete()
        agency = Organisation.objects.filter(is_agency=True).first() or Organisation.objects.create(
            name="Agence banc d'essai", is_agency=True
        )
        funder = Organisation.objects.create(name="Financeur banc d'essai", legal_category="7346")
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"SIAE banc d'essai {n:03d}", is_ess=True, legal_category="9220")
            for n in range(siae_count)
        )
        siaes = Siae.objects.bulk_create(
            Siae(organisation=organisation, kind=KINDS[n % len(KINDS)])
            for n, organisation in enumerate(organisations)
        )
        Siae.funders.through.objects.bulk_create(
            Siae.funders.through(siae_id=siae.pk, organisation_id=funder.pk) for siae in siaes
        )
        annexes = {}
        for number, siae in enumerate(siaes, start=1):
            for year in range(first_year, last_year + 2):
                annexes[(siae.pk, year)] = FinancialAnnex(
                    siae=siae,
                    number=f"{siae.kind}059{year % 100:02d}{number:04d}A0M0",
                    start=datetime.date(year, 1, 1),
                    end=datetime.date(year, 12, 31),
                    conventioned_fte=Decimal(rng.randint(5, 40)),
                    amount_state=Decimal("100000"),
                )
        FinancialAnnex.objects.bulk_create(annexes.values())
        participants, plans = [], []
        per_siae = {}
        for n in range(participant_count):
            siae = siaes[n % len(siaes)]
            per_siae[siae.pk] = per_siae.get(siae.pk, 0) + 1
            participants.append(
                Participant(
                    siae=siae,
                    code=f"SAL-{per_siae[siae.pk]:04d}",
                    first_name="Prénom",
                    last_name=f"Nom{n}",
                    sex=rng.choice("FM"),
                    birth_year=rng.randint(1962, 2006),
                    education_level=rng.choice(["1-2", "3", "4", "5", "6+"]),
                    rsa=rng.random() < 0.4,
                    rqth=rng.random() < 0.15,
                    long_term_unemployed=rng.random() < 0.6,
                    qpv_resident=rng.random() < 0.3,
                    commune_id=rng.choice(communes),
                )
            )
            start = period_start + datetime.timedelta(
                days=rng.randint(0, (period_end - period_start).days - 60)
            )
            end = start + datetime.timedelta(days=rng.randint(90, 730))
            plans.append((start, end if end <= period_end else None))
        for person, (start, end) in zip(participants, plans, strict=True):
            person.entry_date, person.last_day = start, end
        Participant.objects.bulk_create(participants, batch_size=5000)
        contracts, exits, barriers, trainings = [], [], [], []
        hours_batch, hours_rows = [], 0
        for person, (start, end) in zip(participants, plans, strict=True):
            last_day = end or period_end
            for year in range(start.year, last_day.year + 1):
                contracts.append(
                    Contract(
                        participant=person,
                        annex=annexes[(person.siae_id, year)],
                        start=max(start, datetime.date(year, 1, 1)),
                        end=None
                        if (end is None and year == last_day.year)
                        else min(last_day, datetime.date(year, 12, 31)),
                        weekly_hours=Decimal(rng.choice([20, 26, 30, 35])),
                    )
                )
            if end is not None:
                exits.append(Exit(participant=person, date=end, category=rng.choice(CATEGORIES)))
            for month in _months(start, last_day):
                hours_batch.append(
                    MonthlyHours(
                        participant=person,
                        siae_id=person.siae_id,
                        month=month,
                        hours=Decimal(rng.randint(60, 150)),
                    )
                )
            if len(hours_batch) >= 20000:
                MonthlyHours.objects.bulk_create(hours_batch)
                hours_rows += len(hours_batch)
                hours_batch = []
            for barrier_type in rng.sample(barrier_types, rng.randint(0, 3)):
                barriers.append(
                    Barrier(
                        participant=person,
                        barrier_type_id=barrier_type,
                        identified_on=start,
                        support=rng.choice(["none", "internal", "external"]),
                    )
                )
            if rng.random() < 0.5:
                trainings.append(
                    Training(participant=person, title="Formation", start=start, hours=Decimal(35))
                )
        MonthlyHours.objects.bulk_create(hours_batch)
        hours_rows += len(hours_batch)
        Contract.objects.bulk_create(contracts, batch_size=5000)
        Exit.objects.bulk_create(exits, batch_size=5000)
        Barrier.objects.bulk_create(barriers, batch_size=5000)
        Training.objects.bulk_create(trainings, batch_size=5000)
        for email, organisation, role in (
            ("agence.bench@example.org", agency, Role.AGENCY_STAFF),
            ("financeur.bench@example.org", funder, Role.FUNDER_INSTRUCTOR),
        ):
            user, _ = User.objects.get_or_create(email=email)
            Membership.objects.get_or_create(
                user=user, organisation=organisation, defaults={"role": role}
            )
    # Fresh statistics (and, on PostgreSQL, the visibility map that index-only scans need), as
    # autovacuum would give a live database.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("participant", "monthlyhours", "exit", "barrier", "training", "contract"):
                cursor.execute(f"VACUUM ANALYZE insertion_{table}")
        else:
            cursor.execute("ANALYZE")
    print(
        f"Chargé : {siae_count} SIAE, {participant_count} salariés, {len(contracts)} contrats, "
        f"{hours_rows} mois d'heures, {len(exits)} sorties en {time.perf_counter() - started:.1f} s"
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(client, urls: list[str]) -> tuple[list[float], list[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:2]:  # warm-up
        client.get(url)
    times, cpu, queries = [], [], []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        queries.append(len(captured))
        assert response.status_code == 200, (url, response.status_code)
    return times, cpu, queries


def run(requests: int, years: int, seed: int) -> None:
    from django.test import Client

    from essor.accounts.models import User
    from essor.insertion.models import Siae
    from essor.territory.models import Commune

    rng = random.Random(seed + 1)
    last_year = datetime.date.today().year - 1
    year_list = list(range(last_year - years + 1, last_year + 1))
    agency, funder = Client(), Client()
    agency.force_login(User.objects.get(email="agence.bench@example.org"))
    funder.force_login(User.objects.get(email="financeur.bench@example.org"))
    siaes = list(Siae.objects.values_list("pk", flat=True))
    communes = list(Commune.objects.values_list("pk", flat=True))

    def urls(build):
        return [build() for _ in range(requests)]

    scenarios = {
        "territory (agency)": (
            agency,
            urls(lambda: f"/insertion/indicateurs/?year={rng.choice(year_list)}"),
        ),
        "by kind": (
            agency,
            urls(
                lambda: (
                    f"/insertion/indicateurs/?year={rng.choice(year_list)}&kind={rng.choice(KINDS)}"
                )
            ),
        ),
        "by commune": (
            agency,
            urls(
                lambda: (
                    f"/insertion/indicateurs/?year={rng.choice(year_list)}&commune={rng.choice(communes)}"
                )
            ),
        ),
        "one SIAE (funder)": (
            funder,
            urls(
                lambda: (
                    f"/insertion/indicateurs/?year={rng.choice(year_list)}&siae={rng.choice(siaes)}"
                )
            ),
        ),
        "SIAE page": (agency, urls(lambda: f"/insertion/siae/{rng.choice(siaes)}/")),
        "XLSX export": (
            agency,
            urls(lambda: f"/insertion/indicateurs/export.xlsx?year={rng.choice(year_list)}"),
        ),
    }
    # CPU time of this process (on SQLite: all the work; on PostgreSQL: without the server's)
    # tells what the page costs when the machine is shared with other work.
    print(
        f"\n{'page':<22} {'p50 (ms)':>9} {'p95 (ms)':>9} {'CPU p95':>9} {'queries':>9}"
        f"   (N = {requests}, load average {os.getloadavg()[0]:.1f})"
    )
    met = True
    for name, (client, scenario_urls) in scenarios.items():
        times, cpu, queries = timed(client, scenario_urls)
        counts = sorted(set(queries))
        p95 = percentile(times, 0.95)
        # The target is for the pages; the XLSX download is shown for information.
        met = met and len(counts) == 1 and (p95 <= 200 or name == "XLSX export")
        shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        print(
            f"{name:<22} {statistics.median(times):>9.1f} {p95:>9.1f} "
            f"{percentile(cpu, 0.95):>9.1f} {shown:>9}"
        )
    print(
        f"\ntarget (pages: p95 <= 200 ms, every scenario: constant queries): "
        f"{'met' if met else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'insertion_indicators.sqlite3'}",
        help="sqlite:///chemin ou postgres://… (une base dédiée au benchmark)",
    )
    parser.add_argument("--siae", type=int, default=50)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="garder les données déjà chargées")
    args = parser.parse_args()
    configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from essor.insertion.models import Participant

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    if not (args.reuse and Participant.objects.count() == args.participants):
        load(args.siae, args.participants, args.years, args.seed)
    run(args.requests, args.years, args.seed)


if __name__ == "__main__":
    main()
