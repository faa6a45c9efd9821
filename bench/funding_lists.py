"""Benchmark of the funding back-office lists: the instruction list and the dashboard.

Fills a database of its own (never var/essor.sqlite3) with `--count` applications (default
50,000) of 5,000 synthetic organisations, one to three shares each on the programmes of three
funders, decisions in every state, agreements and payments for the accepted shares; then times
requests through Django's test Client and prints p50 / p95 and the process's peak memory:

  instruction (agency)       /financements/instruction/                (all shares, first page)
  instruction (funder)       the same page as one funder's instructor  (its shares only)
  instruction (filtered)     ?etat=…&dispositif=…&annee=…
  instruction (text)         ?q=…
  dashboard (<dimension>)    /financements/instruction/tableau-de-bord/?dimension=…&annee=…

Usage:
  .venv/bin/python bench/funding_lists.py
  .venv/bin/python bench/funding_lists.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_funding
Add --reuse to skip the load when the database already holds --count applications.
Target: p95 <= 100 ms for each list with 50,000 applications.
"""

import argparse
import datetime
import os
import random
import resource
import secrets
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES = [
    "Épicerie solidaire", "Atelier vélo", "Jardins partagés", "Recyclerie", "Tiers-lieu",
    "Mobilité solidaire", "Chantier d'insertion", "Repair café", "Accueil de jour", "Festival",
    "Ludothèque", "Cantine solidaire", "Friperie", "Cours de français", "Aide à domicile",
]  # fmt: skip
STATES = (
    ["draft"] * 5 + ["submitted"] * 10 + ["instruction"] * 15 + ["correction"] * 5
    + ["accepted"] * 45 + ["refused"] * 12 + ["closed"] * 8
)  # fmt: skip


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
        create_pg_database(database_url)
    import django

    django.setup()


def create_pg_database(database_url: str) -> None:
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


def luhn_complete(body: str) -> str:
    from stdnum import luhn

    return body + luhn.calc_check_digit(body)


def wipe() -> None:
    """Removes the funding data and the synthetic organisations of a previous run."""
    from essor.directory.models import Organisation
    from essor.funding.models import Application, FunderProfile, Programme, Share

    Share.objects.all().delete()
    Application.objects.all().delete()
    Programme.objects.all().delete()
    FunderProfile.objects.all().delete()
    Organisation.objects.filter(name__startswith="Bench ").delete()


def load(count: int, seed: int, *, organisations: int = 5000) -> dict:
    """Synthetic funding data, bulk inserted. Returns the funders' instructor users."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from essor.accounts.models import Membership, Role, User
    from essor.directory.models import Organisation, Sector
    from essor.funding.models import (
        Agreement,
        Application,
        Envelope,
        FunderProfile,
        Payment,
        PaymentMode,
        Programme,
        Share,
    )
    from essor.territory.models import Commune

    rng = random.Random(seed)
    started = time.perf_counter()
    today = timezone.localdate()
    year = today.year
    wipe()
    sectors = list(Sector.objects.all())
    communes = list(Commune.objects.all()[:40])
    with transaction.atomic():
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    siren=luhn_complete(f"8{index:07d}"),
                    name=f"Bench {rng.choice(TITLES)} {index}",
                    legal_category="9220",
                    ess_family="association",
                    is_ess=True,
                )
                for index in range(organisations + 3)
            ],
            batch_size=2000,
        )
        funders, instructors, programmes = [], {}, []
        for number, funder_org in enumerate(orgs[:3]):
            funder_org.is_ess = False
            funder_org.save(update_fields=["is_ess"])
            profile = FunderProfile.objects.create(
                organisation=funder_org, siret=luhn_complete(f"{funder_org.siren}0001")
            )
            funders.append(profile)
            user, _ = User.objects.get_or_create(email=f"bench.instructeur{number}@example.org")
            Membership.objects.get_or_create(
                user=user, organisation=funder_org, defaults={"role": Role.FUNDER_INSTRUCTOR}
            )
            instructors[profile.pk] = user
            for index in range(4):
                programme = Programme.objects.create(
                    funder=profile,
                    name=f"Dispositif {number}-{index}",
                    opens_on=datetime.date(year - 2, 1, 1),
                    closes_on=datetime.date(year, 12, 31),
                    payment_mode=PaymentMode.ADVANCE if index % 2 else PaymentMode.SINGLE,
                )
                programmes.append(programme)
        envelopes = {}
        for programme in programmes:
            for y in (year - 2, year - 1, year):
                envelopes[programme.pk, y] = Envelope.objects.create(
                    programme=programme, year=y, amount=Decimal(10**9)
                )
        applicants = orgs[3:]
        now = timezone.now()
        applications = Application.objects.bulk_create(
            [
                Application(
                    organisation=applicants[index % len(applicants)],
                    reference=f"B-{index:07d}",
                    status="submitted",
                    submitted_at=now,
                    title=f"{rng.choice(TITLES)} n° {index}",
                    year=rng.choice((year - 2, year - 1, year)),
                    sector=rng.choice(sectors),
                    commune=rng.choice(communes),
                    siret=luhn_complete(f"{applicants[index % len(applicants)].siren}0001"),
                )
                for index in range(count)
            ],
            batch_size=2000,
        )
        for application in applications:  # bulk_create does not call save()
            application.search_text = Application.search_key(
                f"{application.reference} {application.title}"
            )
        Application.objects.bulk_update(applications, ["search_text"], batch_size=2000)
        shares = []
        for application in applications:
            state = rng.choice(STATES)
            for programme in rng.sample(programmes, rng.choice((1, 1, 2, 3))):
                requested = Decimal(rng.randrange(2, 80) * 1000)
                share = Share(
                    application=application,
                    programme=programme,
                    amount_requested=requested,
                    status=state,
                    year=application.year,
                    organisation_id=application.organisation_id,
                    sector_id=application.sector_id,
                    commune_id=application.commune_id,
                )
                if state == "accepted":
                    share.amount_granted = requested
                    share.envelope = envelopes[programme.pk, application.year]
                    share.decided_at = now
                    share.motivation = "Conforme."
                shares.append(share)
        shares = Share.objects.bulk_create(shares, batch_size=2000)
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(
                    share=share,
                    reference=f"CONV-{share.pk}",
                    signed_on=today,
                    amount=share.amount_granted,
                    payment_mode=share.programme.payment_mode,
                )
                for share in shares
                if share.status == "accepted"
            ],
            batch_size=2000,
        )
        paid = [rng.random() < 0.6 for _ in agreements]
        paid_share_ids = [
            a.share_id for a, is_paid in zip(agreements, paid, strict=True) if is_paid
        ]
        Payment.objects.bulk_create(
            [
                Payment(
                    agreement=agreement,
                    kind="single",
                    amount=agreement.amount,
                    due_on=today,
                    status="paid" if is_paid else "scheduled",
                    paid_on=today if is_paid else None,
                )
                for agreement, is_paid in zip(agreements, paid, strict=True)
            ],
            batch_size=2000,
        )
        Share.objects.filter(pk__in=paid_share_ids).update(amount_paid=F("amount_granted"))
    print(
        f"{count} dossiers, {len(shares)} demandes, {len(agreements)} conventions chargés "
        f"en {time.perf_counter() - started:.0f} s"
    )
    return instructors


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(client, urls: list[str]) -> list[float]:
    for url in urls[:3]:
        client.get(url)
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def run(queries: int, seed: int) -> None:
    from django.test import Client

    from essor.accounts.models import Membership, Role
    from essor.directory.models import Organisation
    from essor.funding.models import Application, Programme

    rng = random.Random(seed + 1)
    agency = Organisation.objects.filter(is_agency=True).first()
    if agency is None:
        agency = Organisation.objects.create(name="Agence (benchmark)", is_agency=True)
    from essor.accounts.models import User

    agency_user, _ = User.objects.get_or_create(email="bench.agence@example.org")
    Membership.objects.get_or_create(
        user=agency_user, organisation=agency, defaults={"role": Role.AGENCY_STAFF}
    )
    instructor = (
        Membership.objects.filter(role=Role.FUNDER_INSTRUCTOR, user__email__startswith="bench.")
        .select_related("user")
        .first()
        .user
    )
    agency_client, funder_client = Client(), Client()
    agency_client.force_login(agency_user)
    funder_client.force_login(instructor)
    years = sorted(set(Application.objects.values_list("year", flat=True).distinct()))
    programmes = list(Programme.objects.values_list("pk", flat=True))
    base = "/financements/instruction/"
    filtered = [
        base
        + "?"
        + urlencode(
            {
                "etat": rng.choice(["submitted", "instruction", "accepted", "refused"]),
                "dispositif": rng.choice(programmes),
                "annee": rng.choice(years),
            }
        )
        for _ in range(queries)
    ]
    texts = [base + "?" + urlencode({"q": rng.choice(TITLES).split()[0]}) for _ in range(queries)]
    pages = [base + f"?page={rng.randrange(1, 200)}" for _ in range(queries)]
    results = {
        "instruction (agency)": timed(agency_client, [base] * queries),
        "instruction (funder)": timed(funder_client, [base] * queries),
        "instruction (page n)": timed(agency_client, pages),
        "instruction (filtered)": timed(agency_client, filtered),
        "instruction (text)": timed(agency_client, texts),
    }
    for dimension in ("programme", "funder", "sector", "commune", "year"):
        urls = [
            f"{base}tableau-de-bord/?"
            + urlencode({"dimension": dimension, "year": rng.choice(years)})
            for _ in range(queries)
        ]
        results[f"dashboard ({dimension}, agency)"] = timed(agency_client, urls)
    results["dashboard (programme, funder)"] = timed(
        funder_client, [f"{base}tableau-de-bord/"] * queries
    )
    print(f"\n{'scenario':<34} {'p50 (ms)':>9} {'p95 (ms)':>9}   (N = {queries})")
    worst = 0.0
    for name, times in results.items():
        p95 = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"{name:<34} {statistics.median(times):>9.1f} {p95:>9.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of the process: {peak:.0f} MB")
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU (shared machines inflate times)"
    )
    print(
        f"target (every p95 <= 100 ms): {'met' if worst <= 100 else 'NOT met'} (worst {worst:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'funding_lists.sqlite3'}",
        help="sqlite:///chemin ou postgres://… (une base dédiée au benchmark)",
    )
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="garder les données déjà chargées")
    args = parser.parse_args()
    configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from essor.funding.models import Application

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    if not (args.reuse and Application.objects.count() == args.count):
        load(args.count, args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    run(args.queries, args.seed)


if __name__ == "__main__":
    main()
