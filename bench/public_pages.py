"""Throughput of the public pages under gunicorn, as a ratio to a trivial view of the same run.

Builds a demo database of its own (`manage.py migrate` then `load_demo`; never var/essor.sqlite3),
starts gunicorn with 2 workers (DEBUG off, no access log), then drives each page anonymous visitors
reach, one after the other, with `wrk` (8 connections) and prints for each its requests per second,
its ratio to the trivial view, and its p50 / p99 latencies.

The trivial view is `/favicon.ico`: the whole middleware stack, then a redirect to the icon's static
URL (no database, no template). `/healthz` is no trivial view: it reads the database and the task
queue. The machine may be shared and its load vary during the run: the trivial view is measured
between every two pages, and each page's ratio is to the mean of the trivial measures just before
and just after it.

Without `wrk` (Debian package, `bash scripts/ensure-system-packages.sh wrk`), a load generator of
Python threads (http.client, keep-alive) drives the pages instead; it is slower than wrk, so its
trivial figure is lower, but the ratios of one run remain comparable.

Usage (with REDIS_URL set, the server uses Redis as in production):
  .venv/bin/python bench/public_pages.py                 # SQLite demo in var/bench/, reused
  .venv/bin/python bench/public_pages.py --fresh         # rebuild the demo database first
  .venv/bin/python bench/public_pages.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench
  .venv/bin/python bench/public_pages.py --seconds 10 --only guide,search
Target: every page >= 0.5 x the trivial view's requests per second.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_SQLITE = ROOT / "var" / "bench" / "public_pages.sqlite3"
TARGET_RATIO = 0.5
TRIVIAL = ("trivial", "/favicon.ico")


def server_environment(database_url: str | None) -> dict:
    """The environment of every process of the run (migrate, load_demo, gunicorn, this one)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="essor.settings",
        DEBUG="0",
        ESSOR_PRODUCTION="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL="http://127.0.0.1",
        MEDIA_ROOT=tempfile.mkdtemp(prefix="essor-bench-public-"),
    )
    # DEBUG is off, as in production: Essor then wants a secret key of its own.
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    if database_url:
        env["DATABASE_URL"] = database_url
        env.pop("SQLITE_PATH", None)
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(DEFAULT_SQLITE)
    return env


def build_database(env: dict, *, fresh: bool) -> None:
    if "SQLITE_PATH" in env:
        path = Path(env["SQLITE_PATH"])
        if path.resolve() == (ROOT / "var" / "essor.sqlite3").resolve():
            sys.exit("Le benchmark n'utilise jamais la base de développement var/essor.sqlite3.")
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    (ROOT / "var" / "static").mkdir(parents=True, exist_ok=True)  # WhiteNoise's STATIC_ROOT
    manage = [str(PYTHON), str(ROOT / "manage.py")]
    started = time.perf_counter()
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    load = [*manage, "load_demo", "--sans-comptes"]
    load += ["--remplacer"] if fresh and "DATABASE_URL" in env else ["--if-empty"]
    subprocess.run(load, env=env, check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
    print(f"Base prête en {time.perf_counter() - started:.0f} s.", flush=True)


def public_pages(env: dict) -> list[tuple[str, str]]:
    """(name, path) of every page anonymous visitors reach, with ids taken from the demo data.

    Downloads (CSV, XLSX, ICS, GeoJSON exports, PDF) and the JSON API are left out: they are
    files and data, not pages; the two map JSON feeds that pages load are in."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db.models import Count
    from django.urls import reverse

    from essor.directory.models import Establishment, Organisation, Sector
    from essor.directory.selectors import public_organisations
    from essor.foodlink.models import ProducerProfile
    from essor.funding.models import Programme
    from essor.territory.models import Territory
    from essor.tierslieu.models import Place
    from essor.village.models import Edition

    organisation = public_organisations().order_by("pk").first()
    assert isinstance(organisation, Organisation), "aucune structure publique dans la démo"
    # A filter that matches some structures: the most common sector and commune.
    sector = Sector.objects.annotate(n=Count("organisations")).order_by("-n").first()
    commune = (
        Establishment.objects.filter(commune__isnull=False)
        .values_list("commune__insee_code", flat=True)
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    producer = ProducerProfile.objects.filter(is_published=True).order_by("pk").first()
    programme = Programme.objects.order_by("pk").first()
    edition = Edition.objects.filter(is_published=True).order_by("-starts_on").first()
    territory = Territory.objects.order_by("pk").first()
    place = Place.objects.filter(is_public=True).order_by("pk").first()
    word = organisation.name.split()[0]
    pages = [
        ("home", reverse("home")),
        ("legal_notice", reverse("core:legal_notice")),
        ("accessibility", reverse("core:accessibility")),
        ("search", reverse("directory:search")),
        ("search_q", reverse("directory:search") + f"?q={word}"),
        (
            "search_filters",
            reverse("directory:search")
            + f"?sector={sector.slug if sector else ''}&commune={commune or ''}&employer=on",
        ),
        ("search_page2", reverse("directory:search") + "?page=2"),
        ("directory_map", reverse("directory:map_data")),
        ("organisation", reverse("directory:organisation", kwargs={"pk": organisation.pk})),
        ("directory_open_data", reverse("directory:open_data")),
        ("territories", reverse("territory:list")),
        ("guide", reverse("foodlink:guide")),
        ("guide_q", reverse("foodlink:guide") + "?q=lait"),
        ("guide_map", reverse("foodlink:guide_map_data")),
        ("booklet", reverse("foodlink:booklet")),
        ("catalogue", reverse("funding:catalogue")),
        ("funding_open_data", reverse("funding:open_data")),
        ("observatory", reverse("observatory:public")),
        (
            "observatory_indicator",
            reverse("observatory:indicator", kwargs={"key": "observatory.organisations_by_family"}),
        ),
        ("observatory_open_data", reverse("observatory:open_data")),
        ("village", reverse("village:home")),
        ("village_programme", reverse("village:programme")),
        ("village_draw", reverse("village:draw")),
        ("cigales", reverse("cigales:home")),
        ("tierslieux", reverse("tierslieu:home")),
        ("api_docs", reverse("api:openapi-view")),
        ("api_schema", reverse("api:openapi-json")),
    ]
    if territory:
        pages.append(("territory", reverse("territory:detail", kwargs={"slug": territory.slug})))
    if producer:
        pages.append(("producer", reverse("foodlink:producer", kwargs={"pk": producer.pk})))
    if programme:
        pages.append(
            ("programme", reverse("funding:programme_detail", kwargs={"pk": programme.pk}))
        )
    if edition:
        pages.append(("village_edition", reverse("village:edition", kwargs={"pk": edition.pk})))
    if place:
        space = place.spaces.filter(is_bookable=True).order_by("pk").first()
        pages.append(("tierslieu_place", reverse("tierslieu:place", kwargs={"slug": place.slug})))
        pages.append(
            (
                "tierslieu_grid",
                reverse("tierslieu:availability", kwargs={"slug": place.slug, "pk": space.pk}),
            )
        )
        pages.append(("tierslieu_creche", reverse("tierslieu:creche", kwargs={"slug": place.slug})))
    return pages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "essor.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", TRIVIAL[1])
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                sys.exit("gunicorn s'est arrêté au démarrage.")
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn ne répond pas après 60 s.")


def check_and_warm(base: str, pages: list[tuple[str, str]]) -> None:
    """Each page answers (200, or the trivial redirect), and each worker has built it once."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    for name, path in pages:
        for _ in range(6):
            try:
                status = opener.open(base + path, timeout=60).status
            except urllib.error.HTTPError as error:
                status = error.code
            expected = 301 if (name, path) == TRIVIAL else 200
            if status != expected:
                sys.exit(f"{name} ({path}) répond {status}, {expected} attendu.")


_DURATION = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _DURATION[unit]


def run_wrk(url: str, *, seconds: int, connections: int, threads: int) -> dict:
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "60s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "99" not in latency:
        sys.exit(f"Sortie de wrk inattendue pour {url} :\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _milliseconds(latency["50"]),
        "p99": _milliseconds(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def run_threads(url: str, *, seconds: int, connections: int, threads: int) -> dict:
    """wrk's measure with Python threads: one keep-alive connection per thread."""
    del threads
    host, port = url.split("//")[1].split("/")[0].split(":")
    path = "/" + url.split("//")[1].split("/", 1)[1]
    deadline = time.perf_counter() + seconds
    timings: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def drive(index: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            timings[index].append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                errors[index] += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)

    started = time.perf_counter()
    workers = [threading.Thread(target=drive, args=(i,)) for i in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    every = sorted(t for timing in timings for t in timing)
    return {
        "rps": len(every) / elapsed,
        "p50": every[len(every) // 2],
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))],
        "errors": sum(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL (par défaut : SQLite dans var/bench/)")
    parser.add_argument("--fresh", action="store_true", help="reconstruit la base de démo")
    parser.add_argument("--seconds", type=int, default=5, help="durée de mesure par page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="fils de wrk")
    parser.add_argument("--workers", type=int, default=2, help="processus gunicorn")
    parser.add_argument("--only", help="noms de pages séparés par des virgules")
    parser.add_argument("--python-client", action="store_true", help="sans wrk, même s'il existe")
    options = parser.parse_args()

    env = server_environment(options.database_url)
    build_database(env, fresh=options.fresh)
    pages = public_pages(env)
    if options.only:
        wanted = set(options.only.split(","))
        pages = [page for page in pages if page[0] in wanted]
    use_wrk = shutil.which("wrk") and not options.python_client
    drive = run_wrk if use_wrk else run_threads
    port = free_port()
    server = start_gunicorn(env, port, options.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        check_and_warm(base, [TRIVIAL, *pages])
        print(
            f"{'wrk' if use_wrk else 'client Python'}, {options.connections} connexions, "
            f"{options.seconds} s par page, gunicorn {options.workers} processus, "
            f"base {'PostgreSQL' if options.database_url else 'SQLite'}, "
            f"cache {'Redis' if env.get('REDIS_URL') else 'en mémoire de chaque processus'}",
            flush=True,
        )
        load = {"seconds": options.seconds, "connections": options.connections}
        load["threads"] = options.threads
        trivial_runs = [drive(base + TRIVIAL[1], **load)]
        results = []
        for name, path in pages:
            result = drive(base + path, **load)
            trivial_runs.append(drive(base + TRIVIAL[1], **load))
            result["trivial"] = (trivial_runs[-2]["rps"] + trivial_runs[-1]["rps"]) / 2
            results.append((name, path, result))
            print(
                f"  {name:<24} {result['rps']:>8.1f} req/s (vue triviale autour : "
                f"{result['trivial']:.0f})",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    rates = sorted(run["rps"] for run in trivial_runs)
    print(
        f"\nVue triviale {TRIVIAL[1]} : médiane {statistics.median(rates):.0f} req/s, "
        f"de {rates[0]:.0f} à {rates[-1]:.0f} sur {len(rates)} mesures\n"
    )
    print(
        f"{'page':<24} {'req/s':>8} {'triv.':>6} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8}  chemin"
    )
    slow = []
    for name, path, result in results:
        ratio = result["rps"] / result["trivial"]
        mark = " " if ratio >= TARGET_RATIO else "✗"
        if ratio < TARGET_RATIO:
            slow.append(name)
        errors = f"  ({result['errors']} erreurs)" if result["errors"] else ""
        print(
            f"{name:<24} {result['rps']:>8.1f} {result['trivial']:>6.0f} {ratio:>5.2f}{mark} "
            f"{result['p50']:>8.1f} "
            f"{result['p99']:>8.1f}  {path}{errors}"
        )
    print(
        f"\nObjectif : chaque page ≥ {TARGET_RATIO:.1f} × la vue triviale. "
        + (f"Sous l'objectif : {', '.join(slow)}." if slow else "Atteint pour toutes les pages.")
    )


if __name__ == "__main__":
    main()
