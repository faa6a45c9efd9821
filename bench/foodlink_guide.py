"""Benchmark of the PDF booklet of the producers' guide: 300 producers (cover, introduction,
producers by commune and family with a QR code each, index), built as the background job does.

Fills a database of its own (default var/bench/foodlink_guide.sqlite3, rebuilt each run), then
times `essor.foodlink.tasks.build_booklet` and prints the number of pages and the size.

Usage:
  .venv/bin/python bench/foodlink_guide.py [--producers 300]
Target: <= 30 s for 300 producers.
"""

import argparse
import datetime
import os
import random
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def configure(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "essor.settings"
    # DEBUG is off, as in production: Essor then wants a secret key of its own.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
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
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="essor-bench-guide-")
    import django

    django.setup()


def load(count: int, rng: random.Random) -> None:
    from essor.demo.foodlink import CATALOGUE, FARM_KINDS, FARM_NAMES
    from essor.directory.models import Organisation
    from essor.foodlink.models import (
        ProducerCertification,
        ProducerProduct,
        ProducerProfile,
        months_to_mask,
    )
    from essor.territory.models import Commune

    communes = list(Commune.objects.filter(latitude__isnull=False))
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{rng.choice(FARM_KINDS)[0]} {rng.choice(FARM_NAMES)} {n}", is_ess=False
            )
            for n in range(count)
        ]
    )
    producers = []
    for organisation in organisations:
        commune = rng.choice(communes)
        producers.append(
            ProducerProfile(
                organisation=organisation,
                commune=commune,
                latitude=commune.latitude,
                longitude=commune.longitude,
                presentation="Exploitation familiale, vente directe.",
                delivery_radius_km=30,
                delivery_days=[1, 3],
                contact_phone="03 28 00 00 00",
                contact_email="contact@example.org",
                is_published=True,
            )
        )
    ProducerProfile.objects.bulk_create(producers)
    products, certifications = [], []
    for producer in producers:
        for family in rng.sample(list(CATALOGUE), rng.randint(1, 3)):
            name, months = rng.choice(CATALOGUE[family])
            products.append(
                ProducerProduct(
                    producer=producer, family=family, name=name, months_mask=months_to_mask(months)
                )
            )
        if rng.random() < 0.5:
            certifications.append(
                ProducerCertification(
                    producer=producer,
                    code=rng.choice(["BIO", "HVE", "LABEL_ROUGE"]),
                    expires_on=datetime.date.today() + datetime.timedelta(days=365),
                )
            )
    ProducerProduct.objects.bulk_create(products)
    ProducerCertification.objects.bulk_create(certifications)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'foodlink_guide.sqlite3'}",
    )
    parser.add_argument("--producers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    configure(args.database_url)
    from django.conf import settings
    from django.core.management import call_command

    from essor.foodlink import tasks

    call_command("migrate", verbosity=0)
    load(args.producers, random.Random(args.seed))
    began, cpu = time.perf_counter(), time.process_time()
    result = tasks.build_booklet()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    path = Path(settings.MEDIA_ROOT) / result["path"]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes())) or "?"
    verdict = "OK" if elapsed <= 30 else "AU-DESSUS DE LA CIBLE"
    print(
        f"livret     {result['producers']} producteurs : {elapsed:.1f} s (CPU {cpu:.1f} s ; cible 30 s)"
        f" — {verdict} ; "
        f"{pages} pages, {result['size'] / 1024:.0f} Ko"
    )


if __name__ == "__main__":
    main()
