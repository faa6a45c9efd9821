"""Benchmark of the SCDL « subventions » 2.1.1 export: 100,000 subsidies streamed.

Fills a database of its own (never var/essor.sqlite3) with `--count` accepted subsidies (default
100,000) above the publication threshold, of three funders, some co-financed, with their
agreements signed this year; then exports them with `scdl.scdl_lines` (what `export_scdl` and the
public URL stream) to a file, `--runs` times, and prints p50 / p95 of the whole export, the rows per
second, and the Python memory peak (tracemalloc) of exporting the first tenth and the whole: flat
memory means the two peaks are close.

Usage:
  .venv/bin/python bench/scdl_export.py
  .venv/bin/python bench/scdl_export.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_scdl
Add --reuse to skip the load when the database already holds --count subsidies.
Target: 100,000 subsidies in <= 5 s, flat memory.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from funding_lists import TITLES, configure, luhn_complete, percentile, wipe  # noqa: E402


def load(count: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from essor.directory.models import Organisation
    from essor.funding.models import (
        Agreement,
        Application,
        Envelope,
        FunderProfile,
        PaymentMode,
        Programme,
        Share,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    today = timezone.localdate()
    year = today.year
    wipe()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    siren=luhn_complete(f"8{index:07d}"),
                    name=f"Bench {rng.choice(TITLES)} {index}",
                    legal_category="9220",
                    ess_family="association",
                    is_ess=True,
                    rna=f"W59{index:07d}",
                )
                for index in range(20_003)
            ],
            batch_size=2000,
        )
        programmes = []
        for number, organisation in enumerate(organisations[:3]):
            profile = FunderProfile.objects.create(
                organisation=organisation, siret=luhn_complete(f"{organisation.siren}0001")
            )
            programme = Programme.objects.create(
                funder=profile,
                name=f"Dispositif {number}",
                opens_on=datetime.date(year, 1, 1),
                closes_on=datetime.date(year, 12, 31),
                payment_mode=PaymentMode.ADVANCE if number else PaymentMode.SINGLE,
            )
            envelope = Envelope.objects.create(
                programme=programme, year=year, amount=Decimal(10**11)
            )
            programmes.append((programme, envelope))
        applicants = organisations[3:]
        now = timezone.now()
        # About 1.3 shares per application: count / 1.3 applications, some co-financed.
        plan = []
        while len(plan) < count:
            plan.append(2 if rng.random() < 0.3 else 1)
        total, sizes = 0, []
        for size in plan:
            if total >= count:
                break
            size = min(size, count - total)
            sizes.append(size)
            total += size
        applications = Application.objects.bulk_create(
            [
                Application(
                    organisation=applicants[index % len(applicants)],
                    reference=f"S-{index:07d}",
                    status="submitted",
                    submitted_at=now,
                    title=f"{rng.choice(TITLES)}, projet n° {index}",
                    year=year,
                    siret=luhn_complete(f"{applicants[index % len(applicants)].siren}0001"),
                    rna=applicants[index % len(applicants)].rna,
                )
                for index in range(len(sizes))
            ],
            batch_size=2000,
        )
        shares = []
        for application, size in zip(applications, sizes, strict=True):
            for programme, envelope in rng.sample(programmes, size):
                amount = Decimal(rng.randrange(24, 200) * 1000)
                shares.append(
                    Share(
                        application=application,
                        programme=programme,
                        amount_requested=amount,
                        amount_granted=amount,
                        envelope=envelope,
                        status="accepted",
                        decided_at=now,
                        motivation="Conforme.",
                        year=year,
                        organisation_id=application.organisation_id,
                    )
                )
        shares = Share.objects.bulk_create(shares, batch_size=2000)
        Agreement.objects.bulk_create(
            [
                Agreement(
                    share=share,
                    reference=f"CONV-{share.pk}",
                    signed_on=today - datetime.timedelta(days=rng.randrange(0, 200)),
                    amount=share.amount_granted,
                    payment_mode=share.programme.payment_mode,
                )
                for share in shares
            ],
            batch_size=2000,
        )
    print(f"{len(shares)} subventions chargées en {time.perf_counter() - started:.0f} s")


def export(year: int, path: Path, limit: int | None = None) -> int:
    from essor.funding.scdl import scdl_lines

    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        lines = scdl_lines(year=year)
        for line in islice(lines, None if limit is None else limit + 1):
            handle.write(line)
            rows += 1
    return rows - 1


def run(runs: int, count: int) -> None:
    from django.utils import timezone

    year = timezone.localdate().year
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "subventions.csv"
        export(year, path)  # warm-up
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            rows = export(year, path)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        size = path.stat().st_size
        tracemalloc.start()
        export(year, path, limit=max(1, count // 10))
        tenth_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        export(year, path)
        whole_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    print(f"\n{rows} lignes, {size / 1e6:.1f} Mo, {runs} exports")
    print(f"export time: p50 {p50:.2f} s, p95 {p95:.2f} s ({rows / p50:,.0f} lignes/s)")
    print(
        f"CPU time of this process (SQLite runs in it): p50 {statistics.median(cpu):.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU"
    )
    print(
        f"Python memory peak: {tenth_peak / 1e6:.1f} Mo for {count // 10} rows, "
        f"{whole_peak / 1e6:.1f} Mo for {rows} rows"
    )
    flat = whole_peak <= 2 * tenth_peak + 1e6
    print(f"target (<= 5 s, flat memory): {'met' if p95 <= 5 and flat else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'scdl_export.sqlite3'}",
        help="sqlite:///chemin ou postgres://… (une base dédiée au benchmark)",
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="garder les données déjà chargées")
    args = parser.parse_args()
    configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from essor.funding.models import Share

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    if not (args.reuse and Share.objects.filter(status="accepted").count() == args.count):
        load(args.count, args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
    run(args.runs, args.count)


if __name__ == "__main__":
    main()
