"""Benchmark of the CIGALES pages: a club's page, a member's yearly statement, the pole's dashboard.

The issue's size: 200 clubs × 20 members × 10 years of monthly savings (480,000 contributions) and
2,000 investments; each page at p95 <= 100 ms with a constant number of queries.

Fills a database of its own (never var/essor.sqlite3) with bulk inserts, not the services (this is
a benchmark, not the demo), keeping the running totals (`Club.saved/invested/recovered`,
`Member.saved`) equal to the rows, computed in Python:

  clubs         --clubs clubs of 20 members who all save every month for --years years (7.50 to
                450 €, each member their own amount); the older ones prorogued
  meetings      ten a year per club, most members present; the investment votes with their votes
  investments   --investments (10 per club by default), spread over the club's life within its
                cash: share capital (with the capital after), current accounts, participative
                titles, recoverable contributions to associations, loans (rate, duration)
  exits         one investment in ten, sold, repaid or written off, with the members' shares
  follow-ups    one a year per invested project, with jobs; funds raised alongside for half

Then times requests through Django's test Client (DEBUG off) and prints, for each page, p50 / p95
/ worst (ms) and the number of queries of each request (min–max, « constant » when every request
ran the same number):

  club (officer)        /cigales/clubs/<pk>/          as the club's gérant (one per club)
  club (agency)         /cigales/clubs/<pk>/          as the agency
  statement (member)    /cigales/membres/<pk>/releve/<year>/   the gérant's own statement
  statement (agency)    the same page for any member as the agency (it writes an audit entry)
  dashboard (agency)    /cigales/tableau-de-bord/

With --explain (or when a page misses 100 ms), the slowest queries of one request of each page
are printed with their plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).

Usage:
  .venv/bin/python bench/cigales.py --clubs 20          # a reduced size (about 30 s)
  .venv/bin/python bench/cigales.py                     # 200 clubs × 20 members × 10 years
  .venv/bin/python bench/cigales.py --database-url postgres://postgres@127.0.0.1:5432/essor_bench_cigales
Options: --years 10 --members 20 --investments (10 per club) --requests 50 --seed 2026 --reuse
(keep the data of a previous run of the same size) --explain.
The SQLite file is in the temporary directory by default; a PostgreSQL database's name must
contain « bench » (its CIGALES rows are deleted before loading).
"""

import argparse
import datetime
import gc
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 100
AMOUNTS = tuple(Decimal(a) for a in ("7.50", "15", "20", "30", "40", "50", "75", "100", "150"))
AMOUNT_WEIGHTS = (3, 5, 20, 20, 12, 20, 8, 8, 4)
# (legal category, cooperative status, kind) of the enterprises and how many in a hundred
ENTERPRISE_KINDS = (
    ("5458", "scop", "scop", 25),
    ("5499", "", "sarl", 20),
    ("5460", "", "coop", 15),
    ("9220", "", "association", 40),
)
EXIT_SHARE = 0.1
BATCH = 5000


# --- Settings and database -------------------------------------------------------------------------


def configure(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "essor.settings"
    # DEBUG is off, as in production: Essor then wants a secret key of its own.
    os.environ["DEBUG"] = "0"
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
        name = urlparse(database_url).path.lstrip("/")
        if "bench" not in name:
            sys.exit(
                f"Les données CIGALES de la base « {name} » sont supprimées avant le chargement : "
                "son nom doit contenir « bench »."
            )
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


def wipe() -> None:
    """Removes the CIGALES rows and the synthetic enterprises and accounts of a previous run."""
    from essor.accounts.models import User
    from essor.cigales import models as m
    from essor.directory.models import Organisation

    for model in (
        m.ExitShare, m.Exit, m.Vote, m.AgendaItem, m.Attendance, m.Meeting, m.FollowUp,
        m.Leverage, m.Investment, m.Contribution, m.Handback, m.OfficerTerm,
    ):  # fmt: skip
        model.objects.all()._raw_delete(model.objects.db)
    m.Project.mentors.through.objects.all().delete()
    m.Project.objects.all().delete()
    m.Member.objects.all().delete()
    m.Club.objects.all().delete()
    Organisation.objects.filter(name__startswith="Bench CIGALES ").delete()
    User.objects.filter(email__startswith="bench.cigales.").delete()


# --- Loading ------------------------------------------------------------------------------------------


def months_between(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s month up to the month before today's."""
    months, month = [], first.replace(day=1)
    while month < today.replace(day=1):
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


def luhn_complete(body: str) -> str:
    from stdnum import luhn

    return body + luhn.calc_check_digit(body)


class Loader:
    def __init__(self, *, clubs, members, years, investments, officers, seed, bar):
        from django.utils import timezone

        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.clubs, self.members, self.years = clubs, members, years
        self.investments, self.officers, self.bar = investments, officers, bar
        self.counts = dict.fromkeys(
            ("contributions", "meetings", "attendances", "investments", "exits", "follow_ups"), 0
        )

    def enterprises(self):
        from essor.directory.ess import apply_family
        from essor.directory.models import Organisation

        pool = [
            (category, cooperative, kind)
            for category, cooperative, kind, weight in ENTERPRISE_KINDS
            for _ in range(weight)
        ]
        organisations = []
        for index in range(max(500, self.clubs * 5)):
            category, cooperative, kind = pool[index % len(pool)]
            organisation = Organisation(
                siren=luhn_complete(f"7{index:07d}"),
                name=f"Bench CIGALES {kind} {index}",
                legal_category=category,
                cooperative_status=cooperative,
                is_active=True,
            )
            apply_family(organisation)
            organisations.append(organisation)
        Organisation.objects.bulk_create(organisations, batch_size=BATCH)
        self.by_kind = {}
        for organisation, (_, _, kind) in zip(
            organisations, (pool[i % len(pool)] for i in range(len(organisations))), strict=True
        ):
            self.by_kind.setdefault(kind, []).append(organisation)

    def users(self):
        from essor.accounts.models import Membership, Role, User
        from essor.directory.models import Organisation

        agency = Organisation.objects.filter(is_agency=True).first()
        if agency is None:
            agency = Organisation.objects.create(name="Agence (banc d'essai)", is_agency=True)
        self.agency_user = User.objects.create_user("bench.cigales.agence@example.org")
        Membership.objects.create(
            user=self.agency_user, organisation=agency, role=Role.AGENCY_STAFF
        )
        self.officer_users = [
            User.objects.create_user(f"bench.cigales.gerant{index}@example.org")
            for index in range(self.officers)
        ]

    def load(self):
        from django.db import transaction

        with transaction.atomic():
            self.enterprises()
            self.users()
            for index in range(self.clubs):
                self.club(index)
                self.bar.update(1)

    def club(self, index: int):
        from essor.cigales import models as m
        from essor.cigales.models import add_years
        from essor.cigales.split import split_pro_rata

        rng, today = self.rng, self.today
        signed_on = add_years(today, -self.years)
        prorogued = self.years >= 5
        club = m.Club.objects.create(
            name=f"Cigales du banc d'essai {index:04d}",
            status=m.Club.Status.PROROGUED if prorogued else m.Club.Status.ACTIVE,
            convention_signed_on=signed_on,
            ends_on=add_years(signed_on, 10 if prorogued else 5),
            prorogations=1 if prorogued else 0,
        )
        officer = self.officer_users[index] if index < len(self.officer_users) else None
        members = m.Member.objects.bulk_create(
            m.Member(
                club=club,
                name=f"Membre {index}-{number:02d}",
                joined_on=signed_on,
                user=officer if number == 0 else None,
            )
            for number in range(self.members)
        )
        m.OfficerTerm.objects.bulk_create(
            [
                m.OfficerTerm(
                    club=club,
                    member=members[0],
                    role=m.OfficerRole.MANAGER,
                    starts_on=today - datetime.timedelta(days=100),
                    ends_on=today + datetime.timedelta(days=200),
                ),
                m.OfficerTerm(
                    club=club,
                    member=members[1],
                    role=m.OfficerRole.TREASURER,
                    starts_on=signed_on,
                    ends_on=club.ends_on,
                ),
                m.OfficerTerm(
                    club=club,
                    member=members[2],
                    role=m.OfficerRole.SECRETARY,
                    starts_on=signed_on,
                    ends_on=club.ends_on,
                ),
            ]
        )
        months = months_between(signed_on, today)
        habit = {member.pk: rng.choices(AMOUNTS, AMOUNT_WEIGHTS)[0] for member in members}
        # Each member's savings after each month (the weights of an exit's shares).
        saved_by = {member.pk: [] for member in members}
        club_after = []  # the club's savings after each month
        rows, total = [], Decimal(0)
        for month in months:
            for member in members:
                amount = habit[member.pk]
                rows.append(m.Contribution(club=club, member=member, month=month, amount=amount))
                previous = saved_by[member.pk][-1] if saved_by[member.pk] else Decimal(0)
                saved_by[member.pk].append(previous + amount)
                total += amount
            club_after.append(total)
        m.Contribution.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["contributions"] += len(rows)
        for member in members:
            member.saved = saved_by[member.pk][-1] if months else Decimal(0)
        m.Member.objects.bulk_update(members, ["saved"])

        # Investments, spread over the club's life, within the cash it had on the day.
        count = self.investments // self.clubs + (index < self.investments % self.clubs)
        invested = Decimal(0)
        projects, investments, share_projects = [], [], []
        used = set()
        start = min(6, len(months) - 1)
        for number in range(count):
            month_index = start + number * (len(months) - start) // max(count, 1)
            on = months[month_index] + datetime.timedelta(days=14)
            cash = club_after[month_index] - invested
            amount = min(Decimal(rng.randrange(5, 50) * 100), (cash / 2).quantize(Decimal(100)))
            if amount < 100:
                continue
            if share_projects and rng.random() < 0.15:
                project = rng.choice(share_projects)  # the club holds >= 10 % of its capital
                investment = m.Investment(
                    project=project,
                    club=club,
                    instrument=m.Instrument.CURRENT_ACCOUNT,
                    on=on,
                    amount=amount,
                )
            else:
                kind = rng.choices(("scop", "sarl", "coop", "association"), (25, 20, 15, 40))[0]
                organisation = rng.choice(self.by_kind[kind])
                while organisation.pk in used:
                    organisation = rng.choice(self.by_kind[kind])
                used.add(organisation.pk)
                project = m.Project(
                    club=club,
                    organisation=organisation,
                    status=m.Project.Status.INVESTED,
                    summary=f"Projet {index}-{number}",
                    in_priority_neighbourhood=rng.random() < 0.3,
                    jobs_declared=rng.randint(1, 12),
                )
                projects.append(project)
                terms = {}
                if kind in ("scop", "sarl") and rng.random() < 0.7:
                    instrument = m.Instrument.SHARE_CAPITAL
                    terms["capital_after"] = amount * rng.randint(3, 10)
                elif kind == "coop" and rng.random() < 0.7:
                    instrument = m.Instrument.PARTICIPATIVE_TITLES
                elif kind == "association" and rng.random() < 0.6:
                    instrument = m.Instrument.RECOVERABLE_CONTRIBUTION
                else:
                    instrument = m.Instrument.LOAN
                    terms = {
                        "rate_percent": Decimal(rng.choice(("0", "1", "1.5", "2.5"))),
                        "duration_months": rng.choice((24, 36, 48, 60)),
                    }
                investment = m.Investment(
                    project=project, club=club, instrument=instrument, on=on, amount=amount, **terms
                )
                if instrument == m.Instrument.SHARE_CAPITAL:
                    share_projects.append(project)
            invested += amount
            investments.append((investment, month_index))
        m.Project.objects.bulk_create(projects)
        for investment, _ in investments:
            investment.project_id = investment.project.pk
        m.Investment.objects.bulk_create([i for i, _ in investments])
        self.counts["investments"] += len(investments)

        # Mentors, funds raised alongside.
        Mentors = m.Project.mentors.through
        Mentors.objects.bulk_create(
            Mentors(project_id=project.pk, member_id=member.pk)
            for project in projects
            for member in rng.sample(members, rng.choice((1, 2)))
        )
        first_on = {}
        for investment, _ in investments:
            first_on.setdefault(investment.project_id, investment.on)
        m.Leverage.objects.bulk_create(
            m.Leverage(
                project=project,
                kind=rng.choice(m.Leverage.Kind.values),
                funder="France Active Hauts-de-France",
                amount=Decimal(rng.randrange(5, 60) * 1000),
                on=first_on[project.pk] + datetime.timedelta(days=20),
            )
            for project in projects
            if rng.random() < 0.5
        )

        # Exits: one investment in ten made more than a year ago.
        recovered = Decimal(0)
        exits, shares, exited_on = [], [], {}
        for investment, month_index in investments:
            if investment.on > today - datetime.timedelta(days=400) or rng.random() >= EXIT_SHARE:
                continue
            kind = rng.choice(("sale", "repayment", "write_off"))
            back = {
                "sale": (investment.amount * Decimal("1.25")).quantize(Decimal("0.01")),
                "repayment": investment.amount,
                "write_off": Decimal(0),
            }[kind]
            latest = (today - investment.on).days - 10
            exit_on = investment.on + datetime.timedelta(days=rng.randint(365, max(365, latest)))
            exit_on = min(exit_on, today - datetime.timedelta(days=10))
            exit_record = m.Exit(
                investment=investment, club=club, kind=kind, on=exit_on, recovered=back
            )
            exits.append(exit_record)
            exited_on[investment.pk] = exit_on
            recovered += back
            weights = [(member.pk, saved_by[member.pk][month_index]) for member in members]
            cost = split_pro_rata(investment.amount, weights)
            parts = split_pro_rata(back, weights) if back else dict.fromkeys(cost, Decimal(0))
            shares.append((exit_record, cost, parts))
        m.Exit.objects.bulk_create(exits)
        m.ExitShare.objects.bulk_create(
            m.ExitShare(exit=exit_record, member_id=pk, invested=cost[pk], recovered=parts[pk])
            for exit_record, cost, parts in shares
            for pk in cost
        )
        self.counts["exits"] += len(exits)
        still_open = {i.project_id for i, _ in investments if i.pk not in exited_on}
        done = [p.pk for p in projects if p.pk not in still_open]
        m.Project.objects.filter(pk__in=done).update(status=m.Project.Status.EXITED)

        # A follow-up a year per project, until its exit.
        follow_ups = []
        for project in projects:
            last = today
            if project.pk not in still_open:
                last = max(exited_on[i.pk] for i, _ in investments if i.project_id == project.pk)
            jobs, year = project.jobs_declared, 1
            while (on := add_years(first_on[project.pk], year)) < last:
                jobs = max(0, jobs + rng.choice((-1, 0, 1, 2)))
                follow_ups.append(
                    m.FollowUp(
                        project=project, on=on, note="Visite annuelle.", jobs=jobs, author=None
                    )
                )
                year += 1
        m.FollowUp.objects.bulk_create(follow_ups)
        self.counts["follow_ups"] += len(follow_ups)

        self.meetings(club, members, months, investments)
        m.Club.objects.filter(pk=club.pk).update(
            saved=total, invested=invested, recovered=recovered
        )

    def meetings(self, club, members, months, investments):
        """Ten meetings a year (none in July and August), most members present; the meetings
        of the months with an investment vote on it."""
        from django.utils import timezone

        from essor.cigales import models as m

        rng = self.rng
        voted = {}
        for investment, month_index in investments:
            voted.setdefault(month_index, []).append(investment)
        meetings, plans = [], []
        for month_index, month in enumerate(months):
            if month.month in (7, 8) and month_index not in voted:
                continue
            held_at = timezone.make_aware(
                datetime.datetime.combine(month.replace(day=8), datetime.time(19))
            )
            meetings.append(m.Meeting(club=club, held_at=held_at, is_closed=True, place="Salle"))
            present = rng.sample(members, rng.randint(len(members) * 2 // 3, len(members)))
            plans.append((present, voted.get(month_index, [])))
        m.Meeting.objects.bulk_create(meetings)
        attendances, items, votes = [], [], []
        for meeting, (present, invested) in zip(meetings, plans, strict=True):
            attendances += [m.Attendance(meeting=meeting, member=member) for member in present]
            items.append(
                m.AgendaItem(
                    meeting=meeting, position=1, title="Nouvelles des projets", is_vote=False
                )
            )
            for position, investment in enumerate(invested, start=2):
                item = m.AgendaItem(
                    meeting=meeting,
                    position=position,
                    title=f"Investir {investment.amount} €",
                    project_id=investment.project_id,
                    result=m.AgendaItem.Result.ADOPTED,
                )
                items.append(item)
                votes += [(item, member) for member in present]
        m.Attendance.objects.bulk_create(attendances, batch_size=BATCH)
        m.AgendaItem.objects.bulk_create(items, batch_size=BATCH)
        m.Vote.objects.bulk_create(
            (m.Vote(item=item, member=member, choice=m.Vote.Choice.FOR) for item, member in votes),
            batch_size=BATCH,
        )
        self.counts["meetings"] += len(meetings)
        self.counts["attendances"] += len(attendances)


def check_totals() -> None:
    """The running totals equal the rows (what the services keep)."""
    from django.db.models import Sum

    from essor.cigales.models import Club, Contribution, Exit, Investment, Member

    saved = dict(Contribution.objects.values_list("club").annotate(t=Sum("amount")))
    invested = dict(Investment.objects.values_list("club").annotate(t=Sum("amount")))
    recovered = dict(Exit.objects.values_list("club").annotate(t=Sum("recovered")))
    for club in Club.objects.all():
        assert club.saved == saved.get(club.pk, 0), club
        assert club.invested == invested.get(club.pk, 0), club
        assert club.recovered == recovered.get(club.pk, 0), club
        assert club.cash >= 0, club
    by_member = dict(Contribution.objects.values_list("member").annotate(t=Sum("amount")))
    for pk, member_saved in Member.objects.values_list("pk", "saved"):
        assert member_saved == by_member.get(pk, 0), pk


# --- Timing --------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class SqlClock:
    """An execute wrapper timing each query precisely (the debug cursor rounds to the ms)."""

    def __init__(self):
        self.queries: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(((time.perf_counter() - started) * 1000, sql, params))


def timed(requests: list[tuple]) -> tuple[list[float], list[float], list[int], list[float], tuple]:
    """(client, url) pairs: each request's time (ms), the CPU time of this process (ms: less
    sensitive than the wall time to other processes on a shared machine, but without the time the
    database server spends), its query count, the time spent in SQL (ms), and the slowest
    request's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for client, url in requests[:3]:  # warm-up (caches, first connection)
        client.get(url)
    gc.collect()
    gc.freeze()  # as essor/wsgi.py does in a server process
    times, cpu, counts, sql, slowest = [], [], [], [], (0.0, [], "")
    for client, url in requests:
        clock = SqlClock()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(clock):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        times.append(elapsed)
        counts.append(len(captured.captured_queries))
        sql.append(sum(ms for ms, *_ in clock.queries))
        if elapsed > slowest[0]:
            slowest = (elapsed, clock.queries, url)
    gc.unfreeze()
    return times, cpu, counts, sql, slowest


def explain(slowest, top: int = 3) -> None:
    """The slowest queries of a request, with their plan."""
    from django.db import connection

    elapsed, queries, url = slowest
    print(f"\n  slowest request {url} ({elapsed:.0f} ms, {len(queries)} queries); slowest queries:")
    for ms, sql, params in sorted(queries, key=lambda query: query[0], reverse=True)[:top]:
        print(f"  - {ms:.1f} ms: {sql[:600]}")
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            for row in cursor.fetchall():
                print("      " + " | ".join(str(cell) for cell in row))


def run(count: int, seed: int, show_plans: bool) -> bool:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from essor.accounts.models import User
    from essor.cigales.models import Club, Member

    rng = random.Random(seed + 1)
    today = timezone.localdate()
    agency = Client()
    agency.force_login(User.objects.get(email="bench.cigales.agence@example.org"))
    officers = list(
        Member.objects.filter(user__email__startswith="bench.cigales.gerant")
        .select_related("user", "club")
        .order_by("club__name")
    )
    clients = {}
    for member in officers:
        clients[member.pk] = Client()
        clients[member.pk].force_login(member.user)
    clubs = list(Club.objects.values_list("pk", "convention_signed_on"))
    members = list(Member.objects.values_list("pk", "club__convention_signed_on"))

    def a_year(signed_on):
        return rng.randint(min(signed_on.year + 1, today.year), today.year)

    picks = [officers[i % len(officers)] for i in range(count)]
    scenarios = {
        "club (officer)": [(clients[o.pk], f"/cigales/clubs/{o.club_id}/") for o in picks],
        "club (agency)": [
            (agency, f"/cigales/clubs/{pk}/") for pk, _ in rng.sample(clubs, min(count, len(clubs)))
        ],
        "statement (member)": [
            (
                clients[o.pk],
                f"/cigales/membres/{o.pk}/releve/{a_year(o.club.convention_signed_on)}/",
            )
            for o in picks
        ],
        "statement (agency)": [
            (agency, f"/cigales/membres/{pk}/releve/{a_year(signed_on)}/")
            for pk, signed_on in rng.sample(members, count)
        ],
        "dashboard (agency)": [(agency, "/cigales/tableau-de-bord/")] * count,
    }
    results = {name: timed(requests) for name, requests in scenarios.items()}
    print(
        f"\n{'page':<20} {'p50 (ms)':>9} {'p95 (ms)':>9} {'worst':>9} {'CPU p95':>9} "
        f"{'SQL p50':>9} {'queries':>9}   (N = {count}, {connection.vendor})"
    )
    met = True
    for name, (times, cpu, counts, sql, _) in results.items():
        p95 = percentile(times, 0.95)
        met &= p95 <= TARGET_MS
        low, high = min(counts), max(counts)
        queries = f"{low}" if low == high else f"{low}–{high}"
        print(
            f"{name:<20} {statistics.median(times):>9.1f} {p95:>9.1f} {max(times):>9.1f} "
            f"{percentile(cpu, 0.95):>9.1f} {statistics.median(sql):>9.1f} {queries:>9}   "
            f"{'constant' if low == high else 'NOT constant'}"
        )
    for name, (times, _, _, _, slowest) in results.items():
        if show_plans or percentile(times, 0.95) > TARGET_MS:
            print(f"\n{name}:", end="")
            explain(slowest)
    print(
        f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU "
        "(shared machines inflate times)"
    )
    print(f"target (every p95 <= {TARGET_MS} ms): {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'essor-bench-cigales.sqlite3'}",
        help="sqlite:///chemin ou postgres://…/essor_bench_… (une base dédiée au benchmark)",
    )
    parser.add_argument("--clubs", type=int, default=200)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--investments", type=int, help="10 par club par défaut")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="garder les données déjà chargées")
    parser.add_argument("--explain", action="store_true", help="plans des requêtes les plus lentes")
    args = parser.parse_args()
    if not 5 <= args.members <= 20 or not 1 <= args.years <= 10:
        sys.exit("Un club compte de 5 à 20 membres et vit au plus 10 ans.")
    investments = args.investments if args.investments is not None else 10 * args.clubs
    configure(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from tqdm import tqdm

    from essor.cigales.models import Club, Contribution

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"Migrations : {time.perf_counter() - started:.0f} s")
    expected = args.clubs * args.members * args.years * 12
    if not (
        args.reuse
        and Club.objects.count() == args.clubs
        and Contribution.objects.count() == expected
    ):
        started = time.perf_counter()
        wipe()
        officers = min(args.requests, args.clubs)
        with tqdm(total=args.clubs, desc="Clubs", unit=" clubs", file=sys.stderr) as bar:
            loader = Loader(
                clubs=args.clubs,
                members=args.members,
                years=args.years,
                investments=investments,
                officers=officers,
                seed=args.seed,
                bar=bar,
            )
            loader.load()
        counts = ", ".join(f"{value:,} {key}" for key, value in loader.counts.items())
        print(f"Chargement : {args.clubs} clubs, {counts} en {time.perf_counter() - started:.0f} s")
        check_totals()
        print("Totaux courants des clubs et des membres : égaux aux lignes")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # index-only scans need the visibility map
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # reads need not search the WAL
    met = run(args.requests, args.seed, args.explain)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
