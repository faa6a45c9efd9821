"""Benchmark of the observatory: its pages and the yearly PDF report, on ten years of project
holders (10 × 5,000 holders with 20 accompaniment actions each: 1,000,000 actions).

Fills a database of its own (never var/essor.sqlite3) with bulk_create: directory organisations
and establishments (the ESS weight), project holders whose sector mix starts with culture then
sport and slowly shifts toward the priority sectors, their stages, creations (linked to new
organisations, some closed since), 20 actions each, and the CUD's targets. Then times the
background refresh of the stored tables, every observatory page through Django's test Client,
and builds the yearly report.

Each page is timed twice (p50, p95 and worst request):
  warm   the stored tables are fresh;
  cold   right after expiry: before each timed request every stored table is aged past its
         freshness and Django's cache is emptied, so the request reads stale tables, renders
         everything and queues the background refresh (as the first visitor after expiry does).
The year XLSX is served from the workbook the refresh stored (its content has not changed when
the tables are only aged); it is also timed when no stored workbook matches (the download builds
it with openpyxl and stores it).
It also times the first visit of an empty install (the only request that computes tables), and
checks that each page runs the same number of queries with one year and ten years of data (the
load runs year by year).

Usage:
  .venv/bin/python bench/observatory.py                       # SQLite, var/bench_observatory.sqlite3
  .venv/bin/python bench/observatory.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_observatory
Options: --holders 5000 (per year) --years 10 --actions 20 --requests 30 --reuse (skip the load).
Targets: every page p95 <= 200 ms with a constant number of queries; yearly PDF <= 30 s.
"""

import argparse
import datetime
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory_search import configure, percentile  # noqa: E402

# The sector mix of new holders: culture first, sport second, drifting toward the priority sectors.
START_MIX = {
    "culture": 30, "sport": 22, "action-sociale": 9, "education": 8, "environnement": 7,
    "insertion": 6, "sante": 4, "numerique": 4, "batiment": 2, "services-a-la-personne": 2,
    "mobilite": 2, "tourisme": 2, "alimentation-circuits-courts": 2,
}  # fmt: skip
PRIORITY = (
    "batiment",
    "services-a-la-personne",
    "mobilite",
    "tourisme",
    "alimentation-circuits-courts",
)
FAMILIES = ["association"] * 12 + ["cooperative", "cooperative", "mutual", "foundation", "company"]
HEADCOUNTS = ["NN", "00", "01", "02", "03", "11", "12", "21", "22"]
ACTION_KINDS = ["rendez-vous"] * 10 + ["atelier"] * 5 + ["formation"] * 3 + ["orientation"] * 2
PARTNERS = ["cigales", "france-active", "programme", "tiers-lieu", "autre"]


def mix_for(step: int, steps: int) -> dict[str, float]:
    """The mix of year `step` (0 = first year): priority sectors gain what culture and sport lose."""
    drift = step / max(1, steps - 1)
    mix = dict(START_MIX)
    mix["culture"] -= 8 * drift
    mix["sport"] -= 6 * drift
    for slug in PRIORITY:
        mix[slug] += 14 * drift / len(PRIORITY)
    return mix


def _days(rng, start: datetime.date, low: int, high: int) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(low, high))


def load(*, years: list[int], holders_per_year: int, actions: int, seed: int, timings: dict):
    from django.db import connection, transaction
    from django.utils import timezone

    from essor.directory.models import Establishment, Organisation, Sector
    from essor.observatory.models import Measure, SectorTarget
    from essor.support.models import Action, ProjectHolder
    from essor.territory.selectors import main_territory

    rng = random.Random(seed)
    today = timezone.localdate()
    communes = list(main_territory().communes.all())
    sectors = {sector.slug: sector for sector in Sector.objects.all()}
    Holder_sectors = ProjectHolder.sectors.through
    Organisation_sectors = Organisation.sectors.through

    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in (
                "support_action", "support_projectholder_sectors", "support_projectholder",
                "observatory_sectortarget", "directory_organisation_sectors",
                "directory_establishment",
            ):  # fmt: skip
                cursor.execute(f"DELETE FROM {table}")
        Organisation.objects.filter(is_agency=False).delete()

    # The territory's ESS: 12,000 organisations created over 40 years, some closed since.
    started = time.perf_counter()
    organisations = []
    for number in range(12_000):
        created = _days(rng, datetime.date(1985, 1, 1), 0, (today - datetime.date(1985, 1, 1)).days)
        closed = _days(rng, created, 200, 6000) if rng.random() < 0.15 else None
        closed = closed if closed and closed < today else None
        organisations.append(
            Organisation(
                name=f"Structure {number}",
                ess_family=rng.choice(FAMILIES),
                is_ess=True,
                legal_category="9220",
                headcount_band=rng.choice(HEADCOUNTS),
                is_employer=rng.random() < 0.3,
                creation_date=created,
                closed_on=closed,
                is_active=closed is None,
                is_demo=True,
            )
        )
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(organisations, batch_size=2000)
        Establishment.objects.bulk_create(
            [
                Establishment(
                    organisation=organisation,
                    is_head_office=True,
                    commune=rng.choice(communes),
                    creation_date=organisation.creation_date,
                    is_open=organisation.is_active,
                )
                for organisation in organisations
            ],
            batch_size=2000,
        )
        Organisation_sectors.objects.bulk_create(
            [
                Organisation_sectors(organisation_id=organisation.pk, sector_id=sector.pk)
                for organisation in organisations
                for sector in rng.sample(list(sectors.values()), rng.randint(1, 2))
            ],
            batch_size=5000,
        )
    timings["directory"] = time.perf_counter() - started

    holder_count = action_count = 0
    slugs = list(START_MIX)
    for step, year in enumerate(years):
        started = time.perf_counter()
        weights = [mix_for(step, len(years))[slug] for slug in slugs]
        holders, chosen, created_orgs = [], [], []
        for number in range(holders_per_year):
            first = _days(rng, datetime.date(year, 1, 1), 0, 364)
            first = min(first, today)
            # The stage is a protected state field: set once, when the holder is built.
            fields = {"stage": "idee"}
            fate = rng.random()
            organisation = None
            if fate < 0.6:
                fields["emergence_on"] = min(_days(rng, first, 20, 120), today)
                fields["stage"] = "emergence"
            if fate < 0.35:
                fields["structuring_on"] = min(_days(rng, fields["emergence_on"], 30, 200), today)
                fields["stage"] = "structuration"
            if fate < 0.12 and _days(rng, fields["structuring_on"], 60, 300) < today:
                fields["creation_date"] = _days(rng, fields["structuring_on"], 60, 300)
                fields["stage"] = "creation"
                closed = (
                    _days(rng, fields["creation_date"], 200, 2500) if rng.random() < 0.3 else None
                )
                closed = closed if closed and closed < today else None
                organisation = Organisation(
                    name=f"Création {year}-{number}",
                    ess_family="association",
                    is_ess=True,
                    creation_date=fields["creation_date"],
                    closed_on=closed,
                    is_active=closed is None,
                    is_demo=True,
                )
            elif fate > 0.8:
                fields["abandoned_on"] = min(_days(rng, first, 30, 400), today)
                fields["abandon_reason"] = "Projet mis en pause par la personne."
                fields["stage"] = "abandon"
            holder = ProjectHolder(
                kind="personne",
                name=f"Porteur {year}-{number}",
                name_key=f"porteur {year}-{number}",
                idea="Projet de l'économie sociale et solidaire.",
                commune=rng.choice(communes),
                in_qpv=rng.random() < 0.25,
                heard_via="bouche-a-oreille",
                first_contact_on=first,
                is_demo=True,
                **fields,
            )
            if organisation is not None:
                created_orgs.append((holder, organisation))
            holders.append(holder)
            first_sector = rng.choices(slugs, weights)[0]
            picked = {first_sector}
            if rng.random() < 0.3:
                picked.add(rng.choices(slugs, weights)[0])
            chosen.append(picked)
        with transaction.atomic():
            new_orgs = Organisation.objects.bulk_create(
                [organisation for _, organisation in created_orgs], batch_size=2000
            )
            for (holder, _), organisation in zip(created_orgs, new_orgs, strict=True):
                holder.organisation = organisation
            holders = ProjectHolder.objects.bulk_create(holders, batch_size=2000)
            Holder_sectors.objects.bulk_create(
                [
                    Holder_sectors(projectholder_id=holder.pk, sector_id=sectors[slug].pk)
                    for holder, picked in zip(holders, chosen, strict=True)
                    for slug in picked
                ],
                batch_size=5000,
            )
            batch = []
            for holder in holders:
                for _ in range(actions):
                    kind = rng.choice(ACTION_KINDS)
                    batch.append(
                        Action(
                            holder_id=holder.pk,
                            date=min(_days(rng, holder.first_contact_on, 0, 700), today),
                            kind=kind,
                            notes="Point d'étape.",
                            partner_kind=rng.choice(PARTNERS) if kind == "orientation" else "",
                            is_demo=True,
                        )
                    )
                if len(batch) >= 20_000:
                    Action.objects.bulk_create(batch, batch_size=5000)
                    action_count += len(batch)
                    batch = []
            Action.objects.bulk_create(batch, batch_size=5000)
            action_count += len(batch)
            SectorTarget.objects.bulk_create(
                [
                    SectorTarget(year=year, sector=sectors[slug], measure=measure, target=target)
                    for slug in PRIORITY
                    for measure, target in (
                        (Measure.NEW_HOLDERS, 150 + 40 * step),
                        (Measure.CREATIONS, 20 + 5 * step),
                    )
                ]
            )
        holder_count += len(holders)
        timings[year] = time.perf_counter() - started
        print(
            f"  {year} : {len(holders):,} porteurs, {holder_count:,} au total, "
            f"{action_count:,} actions ({timings[year]:.0f} s)",
            flush=True,
        )
        yield year
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def pages(year: int) -> dict[str, str]:
    from django.urls import reverse

    return {
        "overview (public)": f"{reverse('observatory:public')}?annee={year}",
        "dashboard (overview + targets)": f"{reverse('observatory:dashboard')}?annee={year}",
        "axis (Porteurs de projet)": reverse("observatory:axis", args=["porteurs-de-projet"])
        + f"?annee={year}",
        "axis (Poids de l'ESS)": reverse("observatory:axis", args=["poids-de-less"])
        + f"?annee={year}",
        "indicator (support, 10 years)": reverse(
            "observatory:indicator", args=["support.new_holders_by_sector"]
        )
        + f"?annee={year}",
        "indicator (ESS weight, 10 years)": reverse(
            "observatory:indicator", args=["observatory.organisations_by_sector"]
        )
        + f"?annee={year}",
        "targets": f"{reverse('observatory:targets')}?annee={year}",
        "open data CSV": reverse(
            "observatory:open_data_csv", args=["support.new_holders_by_sector", year]
        ),
        "open data JSON": reverse(
            "observatory:open_data_json", args=["support.holders_by_commune", year]
        ),
        "open data index": reverse("observatory:open_data_index"),
        "year XLSX": f"{reverse('observatory:year_xlsx')}?annee={year}",
        "reports": reverse("observatory:reports"),
    }


def agency_client():
    from django.test import Client

    from essor.accounts.models import Membership, Role, User
    from essor.directory.models import Organisation

    agency = Organisation.objects.filter(is_agency=True).first() or Organisation.objects.create(
        name="Agence (banc d'essai)", is_agency=True
    )
    user, _ = User.objects.get_or_create(email="banc@observatoire.invalid")
    Membership.objects.get_or_create(user=user, organisation=agency, role=Role.AGENCY_STAFF)
    client = Client()
    client.force_login(user)
    return client


def query_counts(client, urls: dict[str, str]) -> dict[str, int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essor.observatory import services

    services.refresh_tables()  # the steady state: what the timer keeps
    counts = {}
    for name, url in urls.items():
        cache.clear()
        client.get(url)  # the session and the per-process caches
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(context.captured_queries)
    return counts


def expire_tables() -> None:
    """Right after expiry: every stored table past its freshness, no rendered fragment cached, no
    refresh queued yet."""
    from django.core.cache import cache

    from essor.observatory.models import ComputedTable

    ComputedTable.objects.update(computed_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    cache.clear()


def drop_queued_refreshes() -> None:
    """No worker runs here: the refreshes queued by the cold requests are removed."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def time_pages(client, urls: dict[str, str], requests: int, *, cold: bool) -> dict:
    from django.core.cache import cache

    from essor.observatory import services

    services.refresh_tables(everything=True)
    cache.clear()
    results = {}
    for name, url in urls.items():
        client.get(url)  # warm-up (and, when warm, fills the cache)
        times = []
        for _ in range(requests):
            if cold:
                expire_tables()
            started = time.perf_counter()
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        results[name] = (percentile(times, 0.5), percentile(times, 0.95), max(times))
    drop_queued_refreshes()
    return results


def time_workbook_builds(client, url: str, requests: int) -> tuple[float, float, float]:
    """The year XLSX when its stored workbook does not match the tables (a change the refresh
    has not caught up with yet): the download builds it and stores it (ms)."""
    from essor.observatory.models import YearWorkbook

    times = []
    for _ in range(requests):
        YearWorkbook.objects.all().delete()
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 0.5), percentile(times, 0.95), max(times)


def time_empty_install(client, url: str) -> float:
    """The first visit of an install whose tables were never computed (ms)."""
    from django.core.cache import cache

    from essor.observatory.models import ComputedTable

    ComputedTable.objects.all().delete()
    cache.clear()
    started = time.perf_counter()
    client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    drop_queued_refreshes()
    return elapsed


def time_refreshes() -> dict[str, float]:
    """The background work (s): everything from scratch, then what the five-minute timer does."""
    from essor.observatory import selectors, services
    from essor.observatory.models import ComputedTable, YearWorkbook

    ComputedTable.objects.all().delete()
    YearWorkbook.objects.all().delete()
    full = services.refresh_tables()
    timer = services.refresh_tables(ahead_seconds=selectors.cache_seconds())
    return {
        f"tous les tableaux ({full.computed} : {len(selectors.refreshed_years())} ans)"
        f" et {full.workbooks} classeurs annuels": full.seconds,
        f"passage de la minuterie ({timer.computed} tableaux : 2 ans,"
        f" {timer.workbooks} classeurs)": timer.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="sqlite:///" + str(ROOT / "var" / "bench_observatory.sqlite3")
    )
    parser.add_argument("--holders", type=int, default=5000, help="porteurs de projet par année")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--actions", type=int, default=20, help="actions par porteur")
    parser.add_argument("--requests", type=int, default=30, help="requêtes mesurées par page")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="ne recharge pas les données")
    args = parser.parse_args()
    configure(args.database_url)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from essor.observatory import services
    from essor.observatory.selectors import current_year
    from essor.support.models import Action, ProjectHolder

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    last = current_year() - 1
    years = list(range(last - args.years + 1, last + 1))
    print(f"Base : {connection.vendor} ({args.database_url})")
    client = agency_client()
    urls = pages(last)
    counts_first = None
    if not args.reuse:
        timings: dict = {}
        print(
            f"Chargement de {args.years} années × {args.holders:,} porteurs × {args.actions} actions"
        )
        for loaded in load(
            years=years,
            holders_per_year=args.holders,
            actions=args.actions,
            seed=args.seed,
            timings=timings,
        ):
            if loaded == years[0]:
                counts_first = query_counts(client, urls)
    print(
        f"Données : {ProjectHolder.objects.count():,} porteurs, {Action.objects.count():,} actions"
    )
    counts_all = query_counts(client, urls)

    print()
    for label, seconds in time_refreshes().items():
        print(f"Recalcul en tâche de fond, {label} : {seconds:.1f} s")
    empty = time_empty_install(client, urls["overview (public)"])
    print(
        f"Première visite d'une installation vide (vue d'ensemble, calcule ses tableaux) : {empty:.0f} ms"
    )
    warm = time_pages(client, urls, args.requests, cold=False)
    cold = time_pages(client, urls, args.requests, cold=True)
    built = time_workbook_builds(client, urls["year XLSX"], args.requests)
    services.refresh_tables()  # the stored workbooks again
    print()
    print(
        f"{'page':36s} {'requêtes':>9s} {'chaud p50':>10s} {'p95':>7s} {'pire':>7s}"
        f" {'froid p50':>10s} {'p95':>7s} {'pire':>7s}"
    )
    slowest = 0.0
    for name in urls:
        queries = (
            f"{counts_first[name]}→{counts_all[name]}" if counts_first else str(counts_all[name])
        )
        slowest = max(slowest, warm[name][1], cold[name][1])
        print(
            f"{name:36s} {queries:>9s} {warm[name][0]:>7.0f} ms {warm[name][1]:>4.0f} ms"
            f" {warm[name][2]:>4.0f} ms {cold[name][0]:>7.0f} ms {cold[name][1]:>4.0f} ms"
            f" {cold[name][2]:>4.0f} ms"
        )
    print(
        f"year XLSX built by the download (no stored workbook matches): p50 {built[0]:.0f} ms,"
        f" p95 {built[1]:.0f} ms, pire {built[2]:.0f} ms"
    )
    if counts_first:
        constant = counts_first == counts_all
        print(
            f"Nombre de requêtes constant (1 an puis {args.years} ans de données) : {'oui' if constant else 'NON'}"
        )
    reading = [name for name in urls if name.startswith(("overview", "dashboard", "axis", "indic"))]
    slowest_reading = max(max(warm[name][1], cold[name][1]) for name in reading)
    print(
        "p95 le plus lent des pages de lecture (vue d'ensemble, tableau de bord, axes, "
        f"indicateurs ; chaud ou froid) : {slowest_reading:.0f} ms (objectif ≤ 200 ms)"
    )
    print(f"p95 le plus lent de toutes les pages (chaud ou froid) : {slowest:.0f} ms")

    started = time.perf_counter()
    content = services.build_report_pdf(year=last)
    elapsed = time.perf_counter() - started
    print(
        f"Rapport annuel {last} (PDF, {len(content) // 1024} Ko) : {elapsed:.1f} s (objectif ≤ 30 s)"
    )


if __name__ == "__main__":
    main()
