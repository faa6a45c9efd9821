"""Benchmark of the third places: the availability grid and a member's page on two years of
bookings, then 100 simultaneous attempts on one slot over HTTP (gunicorn, PostgreSQL).

Drops and recreates a PostgreSQL database of its own (its name must contain « bench »), migrates
it, and loads with bulk inserts (not the services: this is a benchmark, not the demo):

  places    --places third places (5), each with 10 spaces: a hall holding four meeting rooms,
            four other rooms and a floor of 20 shared desks (50 spaces), open Monday to Friday
            8:00–19:00, and --members members (200) each
  bookings  a year back and a year ahead, every working day: each room 2 to 4 bookings that do
            not overlap, the hall some days instead of its rooms, 4 to 12 desks on the floor

Then, in this process through Django's test Client (DEBUG off), --requests requests each:

  availability (month)   /tiers-lieux/<lieu>/espaces/<n>/?mois=AAAA-MM   anonymous, a random
                         space and month of the two years
  member's page          /tiers-lieux/mes-lieux/                          as a random member

and prints p50 / p95 / worst (ms) and the query count (constant or not). Finally it starts
gunicorn (--workers 2, sync, DEBUG=0) and 100 members (--attempts) of one place each open the
availability page (their session and CSRF token), then all POST the same free slot at once: it
prints how many succeeded (302 to their page) and how many were refused (303 back to the grid,
with « déjà réservé » in a message), the latencies of the refusals, and counts the bookings of
that slot in the database.

Usage:
  .venv/bin/python bench/tierslieu.py --quick      # 2 places, 10 requests, 30 attempts
  .venv/bin/python bench/tierslieu.py              # 50 spaces, 2 years, 100 attempts
Options: --database-url postgres://postgres@127.0.0.1:5432/essor_bench_tierslieu --places 5
--members 200 --requests 50 --attempts 100 --workers 2 --seed 2026.
Targets: p95 <= 100 ms with a constant number of queries for both pages; exactly 1 of the
attempts succeeds, p95 of the refusals <= 200 ms.
"""

import argparse
import datetime
import gc
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# The HTTP set-up is the Village rally's (same machine, same production-like settings).
from village_rally import (  # noqa: E402
    HOST,
    free_port,
    migrate,
    recreate_database,
    server_environment,
    start_gunicorn,
    start_worker,
    stop_process,
)

TARGET_MS = 100
REFUSAL_TARGET_MS = 200
BATCH = 5000
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- Loading ------------------------------------------------------------------------------------


def load(places: int, members: int, seed: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from essor.accounts.models import Membership, Role, User
    from essor.demo.identifiers import siret, with_check_digit
    from essor.directory.models import Organisation
    from essor.tierslieu.models import Booking, Member, OpeningHours, Place, Space, SpaceKind

    rng = random.Random(seed)
    today = timezone.localdate()
    started = time.perf_counter()
    password = make_password(None)
    made = {"places": [], "bookings": 0}
    for index in range(places):
        siren = with_check_digit(str(91_000_000 + index))
        organisation = Organisation.objects.create(
            siren=siren, name=f"Bench tiers-lieu {index + 1}", legal_category="9220", is_ess=True
        )
        manager = User.objects.create(
            email=f"bench.tierslieu.gestion.{index}@example.org", password=password
        )
        Membership.objects.create(
            user=manager, organisation=organisation, role=Role.ORGANISATION_ADMIN
        )
        place = Place.objects.create(
            organisation=organisation,
            name=f"Bench tiers-lieu {index + 1}",
            slug=f"bench-{index + 1}",
            seller_siret=siret(siren, 1),
            seller_address="1 rue du Banc, 59140 Dunkerque",
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(
                place=place, weekday=day, opens_at=datetime.time(8), closes_at=datetime.time(19)
            )
            for day in range(5)
        )
        hall = Space.objects.create(place=place, name="Halle", kind=SpaceKind.HALL, hourly_price=80)
        inner = [
            Space.objects.create(
                place=place,
                parent=hall,
                name=f"Salle {n}",
                kind=SpaceKind.MEETING_ROOM,
                hourly_price=20,
                slot_minutes=30,
            )
            for n in range(1, 5)
        ]
        outer = [
            Space.objects.create(
                place=place, name=f"Salle {n}", kind=SpaceKind.MEETING_ROOM, hourly_price=20
            )
            for n in range(5, 9)
        ]
        desks = Space.objects.create(
            place=place, name="Plateau", kind=SpaceKind.HOT_DESKS, capacity=20, hourly_price=3
        )
        users = User.objects.bulk_create(
            User(email=f"bench.tierslieu.{index}.{n}@example.org", password=password)
            for n in range(members)
        )
        people = Member.objects.bulk_create(
            Member(
                place=place,
                user=user,
                billing_name=f"Membre {index}.{n}",
                billing_address="2 rue du Banc, 59140 Dunkerque",
                joined_on=today,
            )
            for n, user in enumerate(users)
        )
        batch: list = []

        def add(space, day, start_hour, hours, member, exclusive=True, batch=batch, place=place):
            starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(start_hour)))
            batch.append(
                Booking(
                    place=place,
                    space=space,
                    member=member,
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=hours),
                    exclusive=exclusive,
                    price=20 * hours,
                )
            )

        day = today - datetime.timedelta(days=365)
        last = today + datetime.timedelta(days=365)
        while day <= last:
            if day.weekday() < 5:
                hall_day = rng.random() < 0.05
                if hall_day:
                    add(hall, day, 9, 8, rng.choice(people))
                for room in outer + ([] if hall_day else inner):
                    hour = 8
                    for _ in range(rng.randint(2, 4)):
                        length = rng.choice([1, 1, 2])
                        hour += rng.randint(0, 2)
                        if hour + length > 19:
                            break
                        add(room, day, hour, length, rng.choice(people))
                        hour += length
                for member in rng.sample(people, rng.randint(4, 12)):
                    add(desks, day, 9, 4, member, exclusive=False)
            if len(batch) >= BATCH:
                Booking.objects.bulk_create(batch)
                made["bookings"] += len(batch)
                batch.clear()
            day += datetime.timedelta(days=1)
        Booking.objects.bulk_create(batch)
        made["bookings"] += len(batch)
        made["places"].append((place, [hall, *inner, *outer, desks], people))
    print(
        f"Chargé : {places} lieux, {places * 10} espaces, {places * members} membres, "
        f"{made['bookings']:,} réservations en {time.perf_counter() - started:.0f} s".replace(
            ",", "\u202f"
        )
    )
    return made


# --- In-process timings -------------------------------------------------------------------------


def timed(requests: list[tuple]) -> tuple[list[float], list[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for client, url in requests[:3]:
        client.get(url)
    gc.collect()
    gc.freeze()
    times, counts = [], []
    for client, url in requests:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(captured.captured_queries))
    gc.unfreeze()
    return times, counts


def pages(made: dict, count: int, seed: int) -> bool:
    from django.test import Client
    from django.utils import timezone

    rng = random.Random(seed + 1)
    today = timezone.localdate()
    months = []
    for offset in range(-12, 12):
        index = today.year * 12 + today.month - 1 + offset
        months.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    grid = []
    members = []
    for _ in range(count):
        place, spaces, people = rng.choice(made["places"])
        space = rng.choice(spaces)
        # A member's view of the grid (with the booking form): never served from the page cache.
        client = Client()
        client.force_login(rng.choice(people).user)
        grid.append(
            (client, f"/tiers-lieux/{place.slug}/espaces/{space.pk}/?mois={rng.choice(months)}")
        )
        members.append((client, "/tiers-lieux/mes-lieux/"))
    met = True
    print(f"\n{'page':<22} {'p50 (ms)':>9} {'p95 (ms)':>9} {'worst':>9} {'queries':>9}")
    for name, requests in (("availability (month)", grid), ("member's page", members)):
        times, counts = timed(requests)
        p95 = percentile(times, 0.95)
        low, high = min(counts), max(counts)
        met &= p95 <= TARGET_MS and low == high
        print(
            f"{name:<22} {statistics.median(times):>9.1f} {p95:>9.1f} {max(times):>9.1f} "
            f"{(str(low) if low == high else f'{low}–{high}'):>9}   "
            f"{'constant' if low == high else 'NOT constant'}"
        )
    return met


# --- Simultaneous attempts over HTTP ------------------------------------------------------------


def session_cookie(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def free_slot(space) -> tuple[datetime.datetime, datetime.datetime]:
    """A slot of `space` with no booking: a working day in a year and a month, at 18:00."""
    from django.utils import timezone

    from essor.tierslieu.models import Booking

    day = timezone.localdate() + datetime.timedelta(days=400)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
    ends = starts + datetime.timedelta(hours=1)
    taken = Booking.objects.filter(space=space, starts_at__lt=ends, ends_at__gt=starts)
    assert not taken.exists(), "le créneau du test est déjà pris"
    return starts, starts + datetime.timedelta(hours=1)


def attempts(port: int, made: dict, count: int) -> bool:
    from essor.tierslieu.models import Booking

    place, spaces, people = made["places"][0]
    space = spaces[5]  # a room outside the hall
    starts, ends = free_slot(space)
    path = f"/tiers-lieux/{place.slug}/espaces/{space.pk}/"
    form = {
        "starts_at": f"{starts:%Y-%m-%d %H:%M}",
        "ends_at": f"{ends:%Y-%m-%d %H:%M}",
    }
    people = people[:count]
    prepared = []
    for member in people:
        cookie = session_cookie(member.user)
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        connection.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        csrf_cookie = next(
            value.split(";")[0].split("=", 1)[1]
            for header, value in response.getheaders()
            if header.lower() == "set-cookie" and value.startswith("csrftoken=")
        )
        token = CSRF_INPUT.search(body).group(1)
        prepared.append((f"sessionid={cookie}; csrftoken={csrf_cookie}", token))
    barrier = threading.Barrier(len(prepared))
    results: list[tuple[int, float, str]] = []
    lock = threading.Lock()

    def attempt(cookies, token):
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
        body = urlencode({**form, "csrfmiddlewaretoken": token})
        barrier.wait()
        started = time.perf_counter()
        connection.request(
            "POST",
            f"{path}reserver/",
            body=body,
            headers={
                "Cookie": cookies,
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{port}{path}",
                "Origin": f"http://{HOST}:{port}",
            },
        )
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        connection.close()
        with lock:
            results.append((response.status, elapsed, response.getheader("Location") or ""))

    threads = [threading.Thread(target=attempt, args=item) for item in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Success: 302 to the member's page; refusal (someone booked first): 303 back to the grid.
    succeeded = [r for r in results if r[0] == 302 and "mes-lieux" in r[2]]
    refused = [r for r in results if r[0] == 303 and path in r[2]]
    other = [r for r in results if r not in succeeded and r not in refused]
    booked = Booking.objects.filter(
        space=space, status="confirmed", starts_at__lt=ends, ends_at__gt=starts
    ).count()
    refusal_times = [r[1] for r in refused]
    print(
        f"\n{len(results)} tentatives simultanées sur un créneau (gunicorn, HTTP) : "
        f"{len(succeeded)} réussie, {len(refused)} refusées (« déjà réservé »), "
        f"{len(other)} autres réponses ; {booked} réservation en base."
    )
    if refusal_times:
        print(
            f"refus : p50 {statistics.median(refusal_times):.1f} ms, "
            f"p95 {percentile(refusal_times, 0.95):.1f} ms, pire {max(refusal_times):.1f} ms"
        )
    if other:
        print("autres réponses :", sorted({r[0] for r in other}))
    # The same refusal one at a time: the server's own time for one, without the queue of the
    # burst (with 2 sync workers, the last of 100 simultaneous requests waits for about 50).
    alone = []
    for cookies, token in prepared[:20]:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        started = time.perf_counter()
        connection.request(
            "POST",
            f"{path}reserver/",
            body=urlencode({**form, "csrfmiddlewaretoken": token}),
            headers={
                "Cookie": cookies,
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{HOST}:{port}",
            },
        )
        connection.getresponse().read()
        alone.append((time.perf_counter() - started) * 1000)
        connection.close()
    print(
        f"un refus seul (20 à la suite) : p50 {statistics.median(alone):.1f} ms, "
        f"p95 {percentile(alone, 0.95):.1f} ms"
    )
    return (
        len(succeeded) == 1
        and booked == 1
        and not other
        and bool(refusal_times)
        and percentile(refusal_times, 0.95) <= REFUSAL_TARGET_MS
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/essor_bench_tierslieu"
    )
    parser.add_argument("--places", type=int, default=5)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.places, args.requests, args.attempts = 2, 10, 30
    port = free_port()
    recreate_database(args.database_url)
    env = server_environment(args.database_url, port)
    migrate(env)
    os.environ.update(env)
    os.environ["ALLOWED_HOSTS"] = f"{HOST},localhost,testserver"
    import django

    django.setup()
    made = load(args.places, max(args.members, args.attempts), args.seed)
    met = pages(made, args.requests, args.seed)
    log_path = Path(tempfile.gettempdir()) / f"tierslieu_gunicorn_{port}.log"
    with open(log_path, "w") as log:
        worker = start_worker(env, log)  # /healthz wants the worker's sign of life
        server = start_gunicorn(env, port, args.workers, log)
        try:
            met &= attempts(port, made, args.attempts)
        finally:
            stop_process(server)
            stop_process(worker)
    print(
        f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU "
        "(shared machines inflate times)"
    )
    print(
        f"targets (pages p95 <= {TARGET_MS} ms, constant queries; exactly 1 booking; refusals "
        f"p95 <= {REFUSAL_TARGET_MS} ms): {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
