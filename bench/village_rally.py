"""Benchmark of the Village's stamp rally, over HTTP: gunicorn on PostgreSQL, visitors played by an
asyncio client on loopback.

Drops and recreates a PostgreSQL database of its own (its name must contain « bench »; never
var/essor.sqlite3), migrates it, creates one published edition open today (Paris date), a zone and
24 stands, each with its keys and its question, then starts gunicorn (sync workers, DEBUG=0) on it,
with the background worker beside it as in production (`manage.py essor_worker`: /healthz answers
503 without its sign of life).

Each visitor does what a phone does on the real pages, with its own cookies and connection:

  passeport GET   /village/passeport/ (the csrftoken cookie and the form's token)
  passeport POST  action=new: the signed `village_passeport` cookie (the 302 is not followed)
  tampon GET      /village/tampon/<stand>/<token>/ for a stand it has not visited yet, with the
                  stand's rotating token signed now, as its kiosk's QR code holds it: the question
  tampon POST     the same URL with an answer (1 or 2): the stamp
  tampon POST ×2  for --double-tap of the answers (2 %), the same answer sent at once on a second
                  connection, as a double tap on a slow phone does: one stamp, the other page
                  says the passport has it already (what makes « 0 doublé » mean something)

The visitors' arrivals are drawn at random over --duration, so that stamps come at about
visitors × stamps / duration a second (open loop: a late answer does not slow the arrivals down).
Afterwards the database is counted (stamps lost, stamps doubled) and a trivial view (/healthz) is
hammered for 10 s by the same client, to print the server's raw throughput beside the rally's.

The HTTP/1.1 client is written on asyncio.open_connection (keep-alive when the server keeps the
connection; gunicorn's sync workers close it after each response, so each request opens one, as
behind a proxy that does not pool its upstream connections).

Usage:
  .venv/bin/python bench/village_rally.py --quick     # 100 visitors x 12 stamps in 30 s (~1 min)
  .venv/bin/python bench/village_rally.py             # 2,000 visitors x 12 stamps in 600 s
Options: --database-url postgres://postgres@127.0.0.1:5432/essor_bench_village --visitors 2000
--stamps 12 --duration 600 --port 0 (a free port) --workers 2 --double-tap 0.02 --seed 2026.
Settings: DEBUG=0 with a random SECRET_KEY, but ESSOR_PRODUCTION unset: that switch forces HTTPS
(redirect, secure cookies) and needs collectstatic's manifest; plain HTTP on loopback has neither.
Target: p95 <= 100 ms for each kind of request, 0 stamp lost, 0 stamp doubled (24,000 stamps,
about 40 a second, gunicorn with 2 workers).
"""

import argparse
import asyncio
import contextlib
import datetime
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.directory_search import percentile  # noqa: E402

HOST = "127.0.0.1"
STANDS = 24
TIMEOUT = 30.0  # seconds before a request counts as failed
HEALTHZ_SECONDS = 10.0
KINDS = ("passeport GET", "passeport POST", "tampon GET", "tampon POST", "tampon POST ×2")
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PASSPORT_COOKIE = "village_passeport"


# --- The database ---------------------------------------------------------------------------------


def recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    if not parsed.scheme.startswith("postgres"):
        sys.exit("Ce banc d'essai tourne sur PostgreSQL : --database-url postgres://…")
    if "bench" not in name:
        sys.exit(
            f"La base « {name} » est supprimée puis recréée : son nom doit contenir « bench »."
        )
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_environment(database_url: str, port: int) -> dict[str, str]:
    """Production-like settings (DEBUG off, a random secret key), without ESSOR_PRODUCTION: that
    switch forces HTTPS (redirect, secure cookies) and the collected static files' manifest, which
    plain HTTP on loopback does not have."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("ESSOR_PRODUCTION", "SQLITE_PATH", "REDIS_URL")
    }
    origin = f"http://{HOST}:{port}"
    env |= {
        "DJANGO_SETTINGS_MODULE": "essor.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "CSRF_TRUSTED_ORIGINS": origin,
        "SITE_URL": origin,
        "LOG_LEVEL": "WARNING",
    }
    return env


def migrate(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"Migrations : {time.perf_counter() - started:.0f} s")


def create_village():
    """One published edition open today (Paris date), a zone, 24 stands with keys and questions."""
    from django.utils import timezone

    from essor.village.models import Edition, Question, Stand, StandKey, Zone

    today = timezone.localdate()
    edition = Edition.objects.create(
        name="Village des solidarités (banc d'essai)",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
        place="Place Jean Bart, Dunkerque",
        opening_hours="10 h – 18 h",
        call_closes_on=today - datetime.timedelta(days=30),
        is_published=True,
    )
    zone = Zone.objects.create(edition=edition, name="Manger local", theme="Circuits courts")
    stands = Stand.objects.bulk_create(
        Stand(
            edition=edition,
            zone=zone,
            number=number,
            area=Decimal("9"),
            x=(number - 1) % 8 * 6,
            y=(number - 1) // 8 * 6,
        )
        for number in range(1, STANDS + 1)
    )
    StandKey.objects.bulk_create(StandKey(stand=stand) for stand in stands)
    Question.objects.bulk_create(
        Question(
            stand=stand,
            text=f"Que fait la structure du stand {stand.number} ?",
            choice_1="Elle répare des vélos.",
            choice_2="Elle vend des paniers de légumes.",
            correct=1 + stand.number % 2,
            explanation="Elle fait les deux, le samedi.",
        )
        for stand in stands
    )
    return edition, list(Stand.objects.filter(edition=edition).select_related("key", "edition"))


def count_stamps(edition) -> dict[str, int]:
    from django.db.models import Count

    from essor.village.models import Passport, Stamp

    stamps = Stamp.objects.filter(passport__edition=edition)
    doubled = stamps.values("passport", "stand").annotate(n=Count("id")).filter(n__gt=1)
    return {
        "passports": Passport.objects.filter(edition=edition).count(),
        "stored": stamps.count(),
        "doubled": doubled.count(),  # (passport, stand) pairs stamped more than once
        "extra": sum(row["n"] - 1 for row in doubled),  # so that a double hides no lost stamp
    }


# --- gunicorn --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int, log) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "essor.wsgi:application",
        "--workers", str(workers),
        "--worker-class", "sync",
        "--bind", f"{HOST}:{port}",
        "--timeout", "120",
        "--no-control-socket",  # its default path is shared by every gunicorn of the machine
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn s'est arrêté (code {server.returncode}).")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn ne répond pas sur /healthz après 60 s.")


def start_worker(env: dict[str, str], log) -> subprocess.Popen:
    """The background worker (e-mails, documents), as beside gunicorn in production."""
    command = [sys.executable, "manage.py", "essor_worker", "--no-reload", "--no-startup-delay"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_process(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # the process's own group (start_new_session)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- The HTTP/1.1 client ---------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)


@dataclass
class Result:
    kind: str
    path: str
    ms: float
    status: int  # 0: no response (connection refused or reset, timeout)
    ok: bool
    ended: float


@dataclass
class Recorder:
    results: list[Result] = field(default_factory=list)
    in_flight: int = 0
    peak_in_flight: int = 0
    active_visitors: int = 0
    peak_visitors: int = 0


class Client:
    """One browser: its connection (kept alive when the server allows it) and its cookies."""

    def __init__(self, port: int, recorder: Recorder):
        self.port, self.recorder = port, recorder
        self.reader = self.writer = None
        self.cookies: dict[str, str] = {}

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def _exchange(self, request: bytes) -> Response:
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        try:
            self.writer.write(request)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except (ConnectionError, OSError):
            status_line = b""
        if not status_line:
            await self.close()
            if reused:  # the server closed a kept connection: once more on a new one (as a
                # browser does, even for a POST, when nothing at all came back)
                return await self._exchange(request)
            raise ConnectionError("connexion fermée sans réponse")
        status = int(status_line.split()[1])
        headers = []
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        response = Response(status, headers, b"")
        if (response.header("transfer-encoding") or "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            while (await self.reader.readline()) not in (b"\r\n", b""):
                pass  # trailers
            response.body = b"".join(chunks)
        elif (length := response.header("content-length")) is not None:
            response.body = await self.reader.readexactly(int(length))
        else:
            response.body = await self.reader.read()
            await self.close()
        if (response.header("connection") or "").lower() == "close":
            await self.close()
        return response

    def _keep_cookies(self, response: Response) -> None:
        for name, value in response.headers:
            if name != "set-cookie":
                continue
            pair, *attributes = value.split(";")
            cookie, _, content = pair.strip().partition("=")
            expired = any(
                attribute.strip().lower() in ("max-age=0", "expires=thu, 01 jan 1970 00:00:00 gmt")
                for attribute in attributes
            )
            if expired or content in ("", '""'):
                self.cookies.pop(cookie, None)
            else:
                self.cookies[cookie] = content

    async def request(
        self, kind: str, path: str, *, form: dict | None = None, check=None
    ) -> Response | None:
        """Sends one request, records its latency (connection included) and whether it went
        well: a 2xx or 3xx status, and `check(response)` when given."""
        body = urlencode(form).encode() if form is not None else b""
        lines = [
            f"{'POST' if form is not None else 'GET'} {path} HTTP/1.1",
            f"Host: {HOST}:{self.port}",
            "User-Agent: essor-bench-village/1.0",
            "Accept: text/html",
            "Accept-Encoding: identity",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += [
                f"Origin: http://{HOST}:{self.port}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        recorder = self.recorder
        recorder.in_flight += 1
        recorder.peak_in_flight = max(recorder.peak_in_flight, recorder.in_flight)
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(self._exchange(raw), TIMEOUT)
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
            await self.close()
            response = None
        ended = time.perf_counter()
        recorder.in_flight -= 1
        if response is not None:
            self._keep_cookies(response)
        status = response.status if response else 0
        ok = 200 <= status < 400 and (check is None or bool(check(response)))
        recorder.results.append(Result(kind, path, (ended - started) * 1000, status, ok, ended))
        return response if ok else None


def csrf_token(response: Response) -> str:
    found = CSRF_INPUT.search(response.body)
    return found.group(1).decode() if found else ""


# --- The visitors ----------------------------------------------------------------------------------


RECEIVED = "Tampon reçu".encode()
ALREADY = "porte déjà le tampon".encode()


@dataclass
class Rally:
    port: int
    stands: list
    stamps: int
    double_tap: float
    t0: float
    recorder: Recorder = field(default_factory=Recorder)
    confirmed: int = 0  # stamps the page said were received (« Tampon reçu »)
    double_taps: int = 0  # answers sent twice at once
    abandoned: int = 0  # visitors stopped by a failed request


def stamp_url(stand, token: str) -> str:
    from django.urls import reverse

    return reverse("village:stamp", args=[stand.pk, token])


async def visitor(rally: Rally, arrival: float, rng: random.Random) -> None:
    from essor.village.stamps import rotating_token

    await asyncio.sleep(max(0.0, arrival - (time.perf_counter() - rally.t0)))
    recorder = rally.recorder
    recorder.active_visitors += 1
    recorder.peak_visitors = max(recorder.peak_visitors, recorder.active_visitors)
    client = Client(rally.port, recorder)
    try:
        passport_page = await client.request(
            "passeport GET", "/village/passeport/", check=csrf_token
        )
        if passport_page is None:
            rally.abandoned += 1
            return
        created = await client.request(
            "passeport POST",
            "/village/passeport/",
            form={"csrfmiddlewaretoken": csrf_token(passport_page), "action": "new"},
            check=lambda r: r.status == 302 and PASSPORT_COOKIE in client.cookies,
        )
        if created is None:
            rally.abandoned += 1
            return
        for stand in rng.sample(rally.stands, rally.stamps):
            path = stamp_url(stand, rotating_token(stand))  # what the kiosk's QR code holds now
            question = await client.request(
                "tampon GET", path, check=lambda r: b'name="answer"' in r.body and csrf_token(r)
            )
            if question is None:
                rally.abandoned += 1
                return
            form = {"csrfmiddlewaretoken": csrf_token(question), "answer": rng.choice([1, 2])}
            if rng.random() < rally.double_tap:
                answers = await double_tap(rally, client, path, form)
            else:
                answers = [await client.request("tampon POST", path, form=form, check=received)]
            received_here = sum(1 for answer in answers if answer and RECEIVED in answer.body)
            rally.confirmed += received_here
            if not received_here:
                rally.abandoned += 1
                return
    finally:
        recorder.active_visitors -= 1
        await client.close()


def received(response: Response) -> bool:
    return RECEIVED in response.body


async def double_tap(rally: Rally, client: Client, path: str, form: dict) -> list:
    """The answer sent twice at once (a double tap on a slow phone: the browser drops the first
    request, the server still gets both), on two connections with the same cookies. One stamp
    only; the other page says the passport already has it."""
    rally.double_taps += 1
    twin = Client(rally.port, rally.recorder)
    twin.cookies = dict(client.cookies)
    try:
        return await asyncio.gather(
            client.request(
                "tampon POST",
                path,
                form=form,
                check=lambda r: RECEIVED in r.body or ALREADY in r.body,
            ),
            twin.request(
                "tampon POST ×2",
                path,
                form=form,
                check=lambda r: RECEIVED in r.body or ALREADY in r.body,
            ),
        )
    finally:
        await twin.close()


async def run_rally(port, stands, *, visitors, stamps, duration, double_tap, seed) -> Rally:
    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, duration) for _ in range(visitors))
    rally = Rally(port, stands, stamps, double_tap, time.perf_counter())
    progress = asyncio.create_task(report_progress(rally.recorder, rally.t0, duration))
    await asyncio.gather(
        *(visitor(rally, arrival, random.Random(rng.random())) for arrival in arrivals)
    )
    progress.cancel()
    return rally


async def report_progress(recorder: Recorder, t0: float, duration: float) -> None:
    step = max(10.0, duration / 10)
    while True:
        await asyncio.sleep(step)
        done = [r for r in recorder.results if r.kind == "tampon POST" and r.ok]
        print(
            f"  {time.perf_counter() - t0:5.0f} s : {len(done):,} tampons, "
            f"{len(recorder.results):,} requêtes, {recorder.active_visitors} visiteurs en cours",
            flush=True,
        )


async def warm_up(port: int, stands) -> None:
    """The workers' first requests (templates, database connection) are not measured."""
    from essor.village.stamps import rotating_token

    recorder = Recorder()
    clients = [Client(port, recorder) for _ in range(4)]
    for _ in range(3):
        for client, stand in zip(clients, stands, strict=False):
            await client.request("warm-up", "/village/passeport/")
            await client.request("warm-up", stamp_url(stand, rotating_token(stand)))
            await client.request("warm-up", "/healthz")
    for client in clients:
        await client.close()


async def healthz(port: int, concurrency: int, seconds: float) -> Recorder:
    """Closed loop: `concurrency` clients ask /healthz again as soon as it answers."""
    recorder = Recorder()
    deadline = time.perf_counter() + seconds

    async def loop():
        client = Client(port, recorder)
        while time.perf_counter() < deadline:
            await client.request("healthz", "/healthz", check=lambda r: b'"ok"' in r.body)
        await client.close()

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    return recorder


# --- Figures ---------------------------------------------------------------------------------------


def rate(results: list[Result], since: float) -> float:
    if not results:
        return 0.0
    return len(results) / max(1e-9, max(r.ended for r in results) - since)


def print_latencies(results: list[Result], kinds) -> float:
    print(f"{'requête':16s} {'nombre':>8s} {'p50':>9s} {'p95':>9s} {'max':>9s} {'échecs':>7s}")
    worst_p95 = 0.0
    for kind in kinds:
        of_kind = [r for r in results if r.kind == kind]
        if not of_kind:
            continue
        times = [r.ms for r in of_kind]
        p95 = percentile(times, 0.95)
        worst_p95 = max(worst_p95, p95)
        print(
            f"{kind:16s} {len(of_kind):>8,} {percentile(times, 0.5):>6.0f} ms {p95:>6.0f} ms "
            f"{max(times):>6.0f} ms {sum(not r.ok for r in of_kind):>7,}"
        )
    times = [r.ms for r in results]
    print(
        f"{'toutes':16s} {len(results):>8,} {percentile(times, 0.5):>6.0f} ms "
        f"{percentile(times, 0.95):>6.0f} ms {max(times):>6.0f} ms "
        f"{sum(not r.ok for r in results):>7,}"
    )
    return worst_p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/essor_bench_village"
    )
    parser.add_argument("--visitors", type=int, default=2000)
    parser.add_argument("--stamps", type=int, default=12, help="tampons par visiteur")
    parser.add_argument("--duration", type=float, default=600, help="secondes d'arrivées")
    parser.add_argument("--port", type=int, default=0, help="0 : un port libre")
    parser.add_argument("--workers", type=int, default=2, help="processus gunicorn (sync)")
    parser.add_argument(
        "--double-tap", type=float, default=0.02, help="part des réponses envoyées deux fois"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--quick", action="store_true", help="essai rapide : 100 visiteurs en 30 s (même cadence)"
    )
    args = parser.parse_args()
    if args.quick:
        args.visitors, args.duration = 100, 30.0
    if not 1 <= args.stamps <= STANDS:
        sys.exit(f"--stamps va de 1 à {STANDS} (un tampon par stand).")
    port = args.port or free_port()

    recreate_database(args.database_url)
    env = server_environment(args.database_url, port)
    migrate(env)
    # The bench process reads the same database (stands and their keys, the final counts).
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "SECRET_KEY", "SITE_URL"):
        os.environ[name] = env[name]
    import django

    django.setup()
    from django.db import connection

    edition, stands = create_village()
    connection.close()
    expected = args.visitors * args.stamps
    print(f"Base : PostgreSQL ({args.database_url}), {len(stands)} stands avec leur question")

    log_path = Path(tempfile.gettempdir()) / f"village_rally_gunicorn_{port}.log"
    with log_path.open("w") as log:
        server = worker = None
        try:
            worker = start_worker(env, log)
            server = start_gunicorn(env, port, args.workers, log)
            print(
                f"Serveur : gunicorn, {args.workers} processus sync, http://{HOST}:{port} "
                f"(DEBUG=0 ; journal {log_path})"
            )
            asyncio.run(warm_up(port, stands))
            print(
                f"Rallye : {args.visitors:,} visiteurs × {args.stamps} tampons = {expected:,} "
                f"tampons, arrivées sur {args.duration:.0f} s (offert : "
                f"{expected / args.duration:.1f} tampons/s), {args.double_tap:.0%} des réponses "
                "envoyées deux fois",
                flush=True,
            )
            machine = {"load_before": os.getloadavg()[0], "cpu": time.process_time()}
            rally = asyncio.run(
                run_rally(
                    port,
                    stands,
                    visitors=args.visitors,
                    stamps=args.stamps,
                    duration=args.duration,
                    double_tap=args.double_tap,
                    seed=args.seed,
                )
            )
            machine["cpu"] = time.process_time() - machine["cpu"]
            machine["load_after"] = os.getloadavg()[0]
            concurrency = max(2 * args.workers, min(64, rally.recorder.peak_visitors))
            trivial = asyncio.run(healthz(port, concurrency, HEALTHZ_SECONDS))
        finally:
            for process in (server, worker):
                if process is not None:
                    stop_process(process)
    report(rally, trivial, concurrency, machine, count_stamps(edition), args.visitors, expected)


def report(rally, trivial, concurrency, machine, counted, visitors, expected) -> None:
    recorder = rally.recorder
    results = recorder.results
    print()
    worst_p95 = print_latencies(results, KINDS)
    worst = max(results, key=lambda r: r.ms)
    print(f"Pire requête : {worst.kind} {worst.path} : {worst.ms:.0f} ms (statut {worst.status})")

    elapsed = max(r.ended for r in results) - rally.t0
    print(
        f"Débit du rallye : {rally.confirmed / elapsed:.1f} tampons/s, "
        f"{rate(results, rally.t0):.1f} requêtes/s en {elapsed:.0f} s (au plus "
        f"{recorder.peak_visitors} visiteurs et {recorder.peak_in_flight} requêtes en cours)"
    )
    trivial_times = [r.ms for r in trivial.results]
    trivial_start = min(r.ended - r.ms / 1000 for r in trivial.results)
    print(
        f"Vue triviale /healthz : {rate(trivial.results, trivial_start):.1f} requêtes/s "
        f"({concurrency} clients en boucle fermée, {HEALTHZ_SECONDS:.0f} s ; p50 "
        f"{percentile(trivial_times, 0.5):.0f} ms, p95 {percentile(trivial_times, 0.95):.0f} ms, "
        f"{sum(not r.ok for r in trivial.results)} échecs)"
    )
    print(
        f"Générateur de charge : {machine['cpu']:.0f} s de processeur "
        f"({machine['cpu'] / elapsed:.0%} d'un cœur) ; charge de la machine (1 min) : "
        f"{machine['load_before']:.1f} avant, {machine['load_after']:.1f} après, pour "
        f"{os.cpu_count()} cœurs"
    )
    lost = max(0, expected - counted["stored"] + counted["extra"])
    errors = [r for r in results if not r.ok]
    print(
        f"Passeports : {counted['passports']:,} créés pour {visitors:,} visiteurs ; "
        f"visiteurs arrêtés par une erreur : {rally.abandoned:,}"
    )
    print(
        f"Tampons : {expected:,} attendus, {rally.confirmed:,} confirmés à l'écran, "
        f"{counted['stored']:,} enregistrés ; perdus : {lost:,} ; en double : "
        f"{counted['doubled']:,} (réponses envoyées deux fois : {rally.double_taps:,})"
    )
    print(
        f"Erreurs : {len(errors):,} (réponses hors 2xx/3xx : "
        f"{sum(1 for r in errors if r.status >= 400):,}, sans réponse : "
        f"{sum(1 for r in errors if r.status == 0):,}, pages refusant le tampon : "
        f"{sum(1 for r in errors if 200 <= r.status < 400):,})"
    )
    met = worst_p95 <= 100 and lost == 0 and counted["doubled"] == 0
    print(
        f"Objectif : p95 ≤ 100 ms, 0 perdu, 0 doublé — p95 le plus lent {worst_p95:.0f} ms, "
        f"{lost:,} perdu(s), {counted['doubled']:,} doublé(s) : "
        f"{'atteint' if met else 'NON ATTEINT'}"
    )


if __name__ == "__main__":
    main()
