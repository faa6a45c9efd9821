"""Benchmark of the public directory's search, on a synthetic directory of the CUD.

Fills a database of its own (never var/essor.sqlite3) with `--count` organisations, their
establishments (random positions in the CUD area), sectors and French-like names and descriptions,
with bulk inserts (executemany on SQLite, COPY on PostgreSQL, the GIN index built after the load),
then times N requests through Django's test Client for each scenario and prints p50 / p95:

  full-text   /annuaire/?q=…              (FTS5 or tsvector, ranked, first page + count)
  filtered    /annuaire/?sector=…&commune=…
  map         /annuaire/carte.json?bbox=… (GeoJSON, at most 2,000 points)
  naive       the same text queries as a plain Django list would run them: icontains, an
              exact count and a page ordered by name (the baseline)

Usage:
  .venv/bin/python bench/directory_search.py                      # SQLite, 200,000 organisations
  .venv/bin/python bench/directory_search.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench --count 1500000
Add --reuse to skip the load when the database already holds --count organisations.
Target: p95 <= 50 ms for the full-text, filtered and map queries, full-text >= 10x faster than naive.
"""

import argparse
import datetime
import gc
import io
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUD_BBOX = (2.15, 50.95, 2.55, 51.08)  # west, south, east, north

FORMS = [
    "Association", "Amicale", "Comité", "Collectif", "Atelier", "Maison", "Club", "Union",
    "Fédération", "Compagnie", "Coopérative", "Ensemble", "Les Amis", "Réseau", "Foyer", "Cercle",
    "Fondation", "Mutuelle", "Entreprise", "Groupement",
]  # fmt: skip
THEMES = [
    "théâtre", "musique", "danse", "cinéma", "photographie", "lecture", "écriture", "peinture",
    "sculpture", "chorale", "harmonie", "fanfare", "carnaval", "patrimoine", "histoire", "mémoire",
    "football", "basket", "handball", "volley", "rugby", "tennis", "badminton", "natation", "voile",
    "aviron", "kayak", "judo", "karaté", "boxe", "escrime", "gymnastique", "athlétisme", "cyclisme",
    "randonnée", "pétanque", "échecs", "billard", "pêche", "chasse", "jardin", "potager", "verger",
    "apiculture", "maraîchage", "compost", "recyclerie", "ressourcerie", "réemploi", "couture",
    "tricot", "menuiserie", "bricolage", "réparation", "vélo", "mobilité", "covoiturage", "transport",
    "logement", "habitat", "rénovation", "bâtiment", "énergie", "solaire", "éolien", "climat",
    "biodiversité", "littoral", "dunes", "nature", "environnement", "insertion", "emploi",
    "formation", "orientation", "alphabétisation", "soutien", "scolaire", "jeunesse", "enfance",
    "crèche", "parentalité", "famille", "seniors", "aînés", "handicap", "autisme", "santé",
    "prévention", "addictions", "solidarité", "entraide", "alimentation", "épicerie", "restaurant",
    "cantine", "cuisine", "boulangerie", "brasserie", "café", "tiers-lieu", "coworking", "numérique",
    "informatique", "médiation", "citoyenneté", "démocratie", "consommateurs", "locataires",
    "quartier", "voisins", "accueil", "migrants", "réfugiés", "tourisme", "hébergement", "camping",
    "port", "marins", "pêcheurs", "sauvetage", "secourisme", "pompiers", "animaux", "refuge",
    "chevaux", "équitation", "agriculture", "circuits-courts", "paniers", "AMAP", "finance",
    "épargne", "microcrédit", "assurance", "prévoyance", "services", "aide-à-domicile", "ménage",
    "portage", "bien-vieillir", "sport-santé", "handisport", "radio", "journal", "édition", "livre",
    "bibliothèque", "ludothèque", "jeux", "festival", "spectacle", "cirque", "marionnettes", "arts",
    "artisanat", "métiers", "textile", "mode", "design", "architecture", "urbanisme", "paysage",
]  # fmt: skip
PLACES = [
    "Dunkerque", "Grande-Synthe", "Coudekerque-Branche", "Gravelines", "Saint-Pol-sur-Mer",
    "Malo-les-Bains", "Rosendaël", "Petite-Synthe", "Téteghem", "Leffrinckoucke", "Zuydcoote",
    "Bray-Dunes", "Cappelle-la-Grande", "Armbouts-Cappel", "Bourbourg", "Loon-Plage", "Craywick",
    "Spycker", "Ghyvelde", "Fort-Mardyck", "Flandre", "Littoral", "Opale", "Dunkerquois", "Moëres",
]  # fmt: skip
SYLLABLES = [
    "ber",
    "co",
    "da",
    "fla",
    "gue",
    "ha",
    "ker",
    "lan",
    "mo",
    "ne",
    "pi",
    "que",
    "ro",
    "sy",
    "ta",
    "vé",
    "wa",
    "zo",
    "lin",
    "mar",
    "dor",
    "vel",
]
VERBS = [
    "propose", "organise", "anime", "accompagne", "développe", "soutient", "accueille", "forme",
    "rassemble", "défend", "promeut", "fait découvrir",
]  # fmt: skip
PUBLICS = [
    "les habitants", "les jeunes", "les familles", "les demandeurs d'emploi", "les seniors",
    "les enfants", "les personnes en situation de handicap", "les bénévoles", "les salariés",
    "les associations du territoire", "les écoles", "les entreprises locales",
]  # fmt: skip
NAF_CODES = ["94.99Z", "88.99B", "93.12Z", "90.01Z", "85.59A", "88.10A", "81.21Z", "56.10A"]
LEGAL = [("9220", "association")] * 12 + [
    ("5458", "cooperative"), ("5460", "cooperative"), ("8210", "mutual"), ("9300", "foundation"),
    ("5710", "company"),
]  # fmt: skip
HEADCOUNTS = ["NN", "00", "01", "02", "03", "11", "12", "21"]


def pseudo_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def organisation_row(rng: random.Random, pk: int, today: datetime.date, now) -> dict:
    legal, family = rng.choice(LEGAL)
    theme, theme2 = rng.choice(THEMES), rng.choice(THEMES)
    place = rng.choice(PLACES)
    name = rng.choice(
        [
            f"{rng.choice(FORMS)} {theme} {place}",
            f"{rng.choice(FORMS)} {pseudo_name(rng)} {theme}",
            f"{rng.choice(FORMS)} des {theme} et {theme2}",
            f"{pseudo_name(rng)} {theme} {pseudo_name(rng)}",
        ]
    )
    description = (
        f"{rng.choice(['Notre structure', 'L association', 'Le collectif', 'Depuis sa création, elle'])}"
        f" {rng.choice(VERBS)} des activités de {theme} et de {rng.choice(THEMES)} pour"
        f" {rng.choice(PUBLICS)} de {rng.choice(PLACES)}. Elle {rng.choice(VERBS)} aussi"
        f" {rng.choice(PUBLICS)} autour de {rng.choice(THEMES)}."
    )
    esus = rng.random() < 0.05
    return {
        "id": pk,
        "siren": None,
        "name": name,
        "acronym": "".join(word[0] for word in name.split()[:4]).upper()
        if rng.random() < 0.3
        else "",
        "rna": None,
        "legal_category": legal,
        "cooperative_status": "",
        "has_ess_statutes": family == "company",
        "esus_start": today - datetime.timedelta(days=100) if esus else None,
        "esus_end": today + datetime.timedelta(days=600) if esus else None,
        "sirene_ess_flag": "O",
        "ess_family": family,
        "is_ess": True,
        "naf_code": rng.choice(NAF_CODES),
        "activity": f"Activités de {theme}",
        "headcount_band": rng.choice(HEADCOUNTS),
        "is_employer": rng.random() < 0.3,
        "creation_date": today - datetime.timedelta(days=rng.randint(100, 20000)),
        "is_active": rng.random() < 0.97,
        "closed_on": None,
        "diffusion_status": "O",
        "description": description,
        "email": "",
        "phone": "",
        "website": "",
        "is_agency": False,
        "is_demo": True,
        "merged_into_id": None,
        "field_sources": "{}",
        "last_sirene_date": None,
        "search_vector": None,
        "created_at": now,
        "updated_at": now,
    }


def establishment_row(rng, pk, organisation_id, head, commune_ids, now) -> dict:
    west, south, east, north = CUD_BBOX
    return {
        "id": pk,
        "organisation_id": organisation_id,
        "siret": None,
        "name": "",
        "is_head_office": head,
        "address": f"{rng.randint(1, 200)} rue {pseudo_name(rng)}",
        "address_complement": "",
        "postal_code": "59140",
        "city": "Dunkerque",
        "commune_id": rng.choice(commune_ids),
        "latitude": round(rng.uniform(south, north), 6),
        "longitude": round(rng.uniform(west, east), 6),
        "naf_code": "",
        "headcount_band": "",
        "is_employer": None,
        "is_open": rng.random() < 0.95,
        "diffusion_status": "O" if rng.random() < 0.97 else "P",
        "creation_date": None,
        "field_sources": "{}",
        "last_sirene_date": None,
        "created_at": now,
        "updated_at": now,
    }


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


def load(count: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from essor.directory import listing
    from essor.directory.models import Establishment, Organisation, Sector
    from essor.directory.search import PG_INDEX
    from essor.territory.selectors import main_territory

    rng = random.Random(seed)
    today, now = datetime.date.today(), timezone.now()
    commune_ids = list(main_territory().communes.values_list("id", flat=True))
    sector_ids = list(Sector.objects.values_list("id", flat=True))
    organisation_columns = [f.column for f in Organisation._meta.concrete_fields]
    establishment_columns = [f.column for f in Establishment._meta.concrete_fields]
    pg = connection.vendor == "postgresql"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM directory_organisation_sectors")
        cursor.execute("DELETE FROM directory_establishment")
        cursor.execute("DELETE FROM directory_organisation")
        if pg:  # a GIN index is much faster to build once than to maintain row by row
            cursor.execute("DROP INDEX IF EXISTS directory_organisation_search_gin")
            # The public listing is rebuilt once after the load, as an operator would for a
            # bulk load, rather than refreshed by its triggers at each batch.
            for statement in listing.trigger_switches(enabled=False):
                cursor.execute(statement)
        establishment_id = 0
        batch = 20_000
        for start in range(1, count + 1, batch):
            organisations, establishments, links = [], [], []
            for pk in range(start, min(start + batch, count + 1)):
                organisations.append(organisation_row(rng, pk, today, now))
                for index in range(1 if rng.random() < 0.8 else rng.randint(2, 3)):
                    establishment_id += 1
                    establishments.append(
                        establishment_row(rng, establishment_id, pk, index == 0, commune_ids, now)
                    )
                for sector_id in rng.sample(sector_ids, rng.randint(1, 2)):
                    links.append({"organisation_id": pk, "sector_id": sector_id})
            _insert(cursor, pg, "directory_organisation", organisation_columns, organisations)
            _insert(cursor, pg, "directory_establishment", establishment_columns, establishments)
            _insert(
                cursor,
                pg,
                "directory_organisation_sectors",
                ["organisation_id", "sector_id"],
                links,
            )
            print(f"  {min(start + batch - 1, count):>9,} structures chargées", flush=True)
    with connection.cursor() as cursor:
        if pg:  # after the commit: deferred foreign key checks forbid CREATE INDEX before it
            cursor.execute(PG_INDEX)
            for statement in [*listing.trigger_switches(enabled=True), *listing.REBUILD]:
                cursor.execute(statement)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('directory_organisation', 'id'), %s)", [count]
            )
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('directory_establishment', 'id'), %s)",
                [establishment_id],
            )
        cursor.execute("VACUUM ANALYZE" if pg else "ANALYZE")
    print(
        f"Chargement : {count:,} structures, {establishment_id:,} établissements "
        f"en {time.perf_counter() - started:.0f} s"
    )


def _insert(cursor, pg: bool, table: str, columns: list[str], rows: list[dict]) -> None:
    if pg:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(_copy_value(row[column]) for column in columns) + "\n")
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
            [[row[column] for column in columns] for row in rows],
        )


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(client, urls: list[str]) -> list[float]:
    for url in urls[:3]:  # warm-up (caches, first connection)
        client.get(url)
    # As essor/wsgi.py does in a server process: what start-up created is frozen out of the
    # garbage collector's reach, so that full collections do not walk it (without this, their
    # pauses, tens of milliseconds, land on whichever request triggers them).
    gc.collect()
    gc.freeze()
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def naive_search_page(filters, page_number):
    """The search page as a naive implementation would build it (the benchmark's baseline)."""
    from django.core.paginator import Paginator

    from essor.directory import search, selectors
    from essor.directory.models import Organisation

    public = Organisation.objects.filter(selectors._organisation_conditions(filters))
    ordered = search.naive_search(public, filters.text).values_list("id", flat=True)
    page = Paginator(ordered, selectors.PAGE_SIZE).get_page(page_number)
    page_ids = list(page.object_list)
    cards = selectors.with_listing_relations(Organisation.objects.filter(id__in=page_ids)).in_bulk()
    page.object_list = [cards[pk] for pk in page_ids]
    return page


def run(queries: int, seed: int) -> None:
    from unittest import mock

    from django.test import Client

    from essor.directory.models import Sector
    from essor.territory.selectors import main_territory

    rng = random.Random(seed + 1)
    client = Client()
    themes = [theme for theme in THEMES if theme.isalpha()]
    texts = []
    for _ in range(queries):
        kind = rng.random()
        if kind < 0.4:
            texts.append(rng.choice(themes))
        elif kind < 0.8:
            texts.append(f"{rng.choice(themes)} {rng.choice(PLACES)}")
        else:
            texts.append(f"{rng.choice(FORMS).split()[-1]} {rng.choice(themes)[:4]}")
    search_urls = [f"/annuaire/?{urlencode({'q': text})}" for text in texts]
    sectors = list(Sector.objects.values_list("slug", flat=True))
    communes = list(main_territory().communes.values_list("insee_code", flat=True))
    filtered_urls = [
        f"/annuaire/?{urlencode({'sector': rng.choice(sectors), 'commune': rng.choice(communes)})}"
        for _ in range(queries)
    ]
    map_urls = []
    west, south, east, north = CUD_BBOX
    for _ in range(queries):
        width, height = rng.uniform(0.02, 0.1), rng.uniform(0.01, 0.05)
        x, y = rng.uniform(west, east - width), rng.uniform(south, north - height)
        map_urls.append(
            f"/annuaire/carte.json?bbox={x:.4f},{y:.4f},{x + width:.4f},{y + height:.4f}"
        )

    results = {
        "full-text": timed(client, search_urls),
        "filtered (sector + commune)": timed(client, filtered_urls),
        "map (bbox GeoJSON)": timed(client, map_urls),
    }
    # The naive baseline: what a plain Django list view does, icontains filters, an exact count
    # and a page ordered by name (Django's Paginator), with the same result cards.
    with mock.patch("essor.directory.selectors.search_page", naive_search_page):
        results["naive icontains"] = timed(client, search_urls)

    print(f"\n{'scenario':<30} {'p50 (ms)':>9} {'p95 (ms)':>9}   (N = {queries})")
    for name, times in results.items():
        print(f"{name:<30} {statistics.median(times):>9.1f} {percentile(times, 0.95):>9.1f}")
    print("\nslowest requests:")
    for name, urls in zip(
        results, [search_urls, filtered_urls, map_urls, search_urls], strict=True
    ):
        slowest = max(range(len(urls)), key=lambda index: results[name][index])
        print(f"  {name:<28} {results[name][slowest]:>7.1f} ms  {unquote_plus(urls[slowest])}")
    fts, naive = results["full-text"], results["naive icontains"]
    print(
        f"\nfull-text vs naive: {statistics.median(naive) / statistics.median(fts):.1f}x faster at p50,"
        f" {percentile(naive, 0.95) / percentile(fts, 0.95):.1f}x at p95"
    )
    slowest_p95 = max(percentile(results[name], 0.95) for name in list(results)[:3])
    target = slowest_p95 <= 50 and statistics.median(naive) / statistics.median(fts) >= 10
    print(
        f"target (p95 <= 50 ms for full-text, filtered and map; full-text >= 10x naive): "
        f"{'met' if target else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{ROOT / 'var' / 'bench' / 'directory_search.sqlite3'}",
        help="sqlite:///chemin ou postgres://… (une base dédiée au benchmark)",
    )
    parser.add_argument("--count", type=int, default=None, help="200000 (SQLite), 1500000 (PG)")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="garder les données déjà chargées")
    args = parser.parse_args()
    configure(args.database_url)
    count = args.count or (200_000 if args.database_url.startswith("sqlite") else 1_500_000)

    from django.core.management import call_command
    from django.db import connection

    from essor.directory.models import Organisation

    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    if not (args.reuse and Organisation.objects.count() == count):
        load(count, args.seed)
    run(args.queries, args.seed)


if __name__ == "__main__":
    main()
