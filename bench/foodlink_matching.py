"""Benchmarks of the foodlink module: matching a consultation against 10,000 producers, and the
EGalim dashboard of a canteen with 20,000 purchases in a year.

Fills a database of its own (default var/bench/foodlink.sqlite3, rebuilt each run) with bulk
inserts, then times:

  matching   selectors.matching_for(consultation) for random consultations (place in the CUD,
             family, delivery window, 5–100 km, sometimes a required certification)
  dashboard  GET /circuits-courts/cantines/<pk>/egalim/?annee=… through Django's test Client
             (the whole page: aggregates, procurement guard, template), with its query count
  bilan      GET /circuits-courts/cantines/<pk>/bilan-ma-cantine.csv?annee=… (the yearly
             « bilan simple » of the same canteen), with its query count

Usage:
  .venv/bin/python bench/foodlink_matching.py
  .venv/bin/python bench/foodlink_matching.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_foodlink
Targets: matching p95 <= 50 ms; dashboard p95 <= 100 ms with a constant number of queries.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CENTER = (51.0, 2.35)  # the CUD and the Flemish hinterland


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
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(path)
    else:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def load_producers(count: int, rng: random.Random):
    from django.db import connection

    from essor.directory.models import Organisation
    from essor.foodlink.models import (
        CERTIFICATION_CODES,
        Family,
        ProducerCertification,
        ProducerProduct,
        ProducerProfile,
        months_to_mask,
    )
    from essor.territory.models import Commune

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE foodlink_producercertification, foodlink_producerproduct, "
                "foodlink_producerprofile CASCADE"
            )
        Organisation.objects.filter(name__startswith="Ferme bench ").delete()
    commune = Commune.objects.filter(latitude__isnull=False).first()
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"Ferme bench {n}", is_ess=False) for n in range(count)],
        batch_size=2000,
    )
    producers = ProducerProfile.objects.bulk_create(
        [
            ProducerProfile(
                organisation=organisation,
                commune=commune,
                # Spread over about 160 km x 160 km around the CUD.
                latitude=CENTER[0] + rng.uniform(-0.72, 0.72),
                longitude=CENTER[1] + rng.uniform(-1.15, 1.15),
                delivery_radius_km=rng.choice([10, 20, 30, 50, 80]),
                is_published=rng.random() < 0.95,
            )
            for organisation in organisations
        ],
        batch_size=2000,
    )
    today = datetime.date.today()
    products, certifications = [], []
    for producer in producers:
        for family in rng.sample(Family.values, rng.randint(1, 3)):
            start = rng.randint(1, 12)
            months = [((start + k - 1) % 12) + 1 for k in range(rng.randint(3, 12))]
            products.append(
                ProducerProduct(
                    producer=producer,
                    family=family,
                    name="Produit",
                    months_mask=months_to_mask(months),
                )
            )
        for code in rng.sample(CERTIFICATION_CODES, rng.choice([0, 0, 1, 2])):
            certifications.append(
                ProducerCertification(
                    producer=producer,
                    code=code,
                    expires_on=today + datetime.timedelta(days=rng.randint(-200, 800)),
                )
            )
    ProducerProduct.objects.bulk_create(products, batch_size=5000)
    ProducerCertification.objects.bulk_create(certifications, batch_size=5000)
    analyze()
    return len(products), len(certifications)


def analyze() -> None:
    """Fresh statistics after the bulk load, as autovacuum (PostgreSQL) or a deployment's
    `ANALYZE` would give them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def bench_matching(queries: int, rng: random.Random) -> None:
    from django.db import connection

    from essor.foodlink import selectors
    from essor.foodlink.models import Family

    today = datetime.date.today()
    samples, matched = [], []
    connection.ensure_connection()
    for _ in range(queries):
        start = today + datetime.timedelta(days=rng.randint(5, 300))
        kwargs = {
            "family": rng.choice(Family.values),
            "latitude": CENTER[0] + rng.uniform(-0.1, 0.1),
            "longitude": CENTER[1] + rng.uniform(-0.2, 0.2),
            "max_distance_km": rng.choice([5, 20, 50, 80, 100]),
            "delivery_start": start,
            "delivery_end": start + datetime.timedelta(days=rng.randint(0, 10)),
            "required_characteristics": rng.choice([[], [], ["BIO"], ["HVE", "LABEL_ROUGE"]]),
        }
        began = time.perf_counter()
        rows = selectors.matching_producers(**kwargs)
        samples.append((time.perf_counter() - began) * 1000)
        matched.append(len(rows))
    p50, p95 = percentiles(samples)
    verdict = "OK" if p95 <= 50 else "AU-DESSUS DE LA CIBLE"
    print(
        f"matching   {queries} consultations : p50 {p50:.1f} ms, p95 {p95:.1f} ms (cible 50 ms) "
        f"— {verdict} ; producteurs retenus : médiane {statistics.median(matched):.0f}, "
        f"max {max(matched)}"
    )


def bench_dashboard(purchases: int, queries: int, rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from essor.accounts.models import Membership, Role
    from essor.directory.models import Organisation
    from essor.foodlink import services
    from essor.foodlink.models import EGALIM_CHARACTERISTICS, BuyerProfile, Family, Purchase
    from essor.territory.models import Commune

    commune = Commune.objects.filter(latitude__isnull=False).first()
    # A previous run on the same PostgreSQL database.
    Organisation.objects.filter(name="Cuisine centrale bench").delete()
    get_user_model().objects.filter(email="bench-cantine@example.org").delete()
    organisation = Organisation.objects.create(name="Cuisine centrale bench")
    buyer = BuyerProfile.objects.create(
        organisation=organisation,
        name="Cuisine centrale bench",
        siret="21590183400019",
        sector="school",
        meals_per_day=2500,
        management_mode="direct",
        delivery_address="Dunkerque",
        commune=commune,
        latitude=commune.latitude,
        longitude=commune.longitude,
    )
    year = datetime.date.today().year - 1
    rows = []
    for _ in range(purchases):
        codes = rng.sample(EGALIM_CHARACTERISTICS, rng.choice([0, 0, 1, 1, 2]))
        local = rng.random() < 0.3
        rows.append(
            Purchase(
                buyer=buyer,
                description="Achat",
                date=datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364)),
                price_ht=Decimal(rng.randint(100, 100_000)) / 100,
                family=rng.choice(Family.values),
                characteristics=codes,
                egalim_group=services.egalim_group(codes),
                is_local=local,
                is_short_chain=local and rng.random() < 0.7,
                origin=rng.choice(["", "FRANCE", "FRANCE", "EUROPE"]),
                source="manual",
            )
        )
    Purchase.objects.bulk_create(rows, batch_size=5000)
    analyze()
    # Other canteens' purchases around it, so that the index has to select.
    user = get_user_model().objects.create_user("bench-cantine@example.org", "x")
    Membership.objects.create(user=user, organisation=organisation, role=Role.ORGANISATION_ADMIN)
    client = Client()
    client.force_login(user)
    url = f"/circuits-courts/cantines/{buyer.pk}/egalim/?annee={year}"
    client.get(url)
    samples, counts = [], set()
    for _ in range(queries):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
        counts.add(len(captured.captured_queries))
    p50, p95 = percentiles(samples)
    verdict = "OK" if p95 <= 100 else "AU-DESSUS DE LA CIBLE"
    print(
        f"dashboard  {purchases} achats dans l'année : p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"(cible 100 ms) — {verdict} ; requêtes par page : {sorted(counts)}"
    )
    bench_bilan(client, buyer.pk, year, purchases, queries)


def bench_bilan(client, buyer_pk: int, year: int, purchases: int, queries: int) -> None:
    """The yearly « bilan simple » CSV for ma-cantine, of the same canteen and year."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/circuits-courts/cantines/{buyer_pk}/bilan-ma-cantine.csv?annee={year}"
    client.get(url)
    samples, counts = [], set()
    for _ in range(queries):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
        counts.add(len(captured.captured_queries))
    p50, p95 = percentiles(samples)
    print(
        f"bilan      {purchases} achats dans l'année, CSV ma-cantine : p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, pire {max(samples):.1f} ms ; requêtes : {sorted(counts)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'foodlink.sqlite3'}",
        help="sqlite:///chemin ou postgres://… (une base dédiée au benchmark)",
    )
    parser.add_argument("--producers", type=int, default=10_000)
    parser.add_argument("--purchases", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    configure(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    rng = random.Random(args.seed)
    began = time.perf_counter()
    products, certifications = load_producers(args.producers, rng)
    print(
        f"Chargement : {args.producers} producteurs, {products} produits, {certifications} "
        f"certifications en {time.perf_counter() - began:.1f} s"
    )
    bench_matching(args.queries, rng)
    bench_dashboard(args.purchases, args.queries, rng)


if __name__ == "__main__":
    main()
