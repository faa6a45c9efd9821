"""Reads of the CIGALES module: a club's page, a member's yearly statement, the pole's figures.

Each read runs a fixed number of queries whatever the club's size (tested), reading the running
totals the services keep on the club and member rows rather than adding up ten years of savings.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.utils import timezone

from essor.cigales.models import (
    Club,
    Contribution,
    Exit,
    ExitShare,
    FollowUp,
    Handback,
    Instrument,
    Investment,
    Leverage,
    Meeting,
    Member,
    OfficerTerm,
    Project,
    add_years,
)
from essor.cigales.split import split_pro_rata
from essor.core.disclosure import suppress_total

ZERO = Decimal(0)


def share_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """A fraction as a percentage with one decimal, or None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


@dataclass
class MemberLine:
    member: Member
    share: Decimal | None  # % of the club's savings
    holds: Decimal  # their part of the club's net assets at cost


@dataclass
class ClubPage:
    club: Club
    members: list[MemberLine]
    officers: list[OfficerTerm]
    projects: list[Project]
    meetings: list[Meeting]
    outstanding: Decimal  # invested and not exited, at cost
    net_assets: Decimal
    member_count: int


def club_page(club: Club) -> ClubPage:
    today = timezone.localdate()
    members = list(club.members.select_related("user").order_by("left_on", "name", "pk"))
    officers = list(
        club.officer_terms.filter(starts_on__lte=today, ends_on__gte=today)
        .select_related("member")
        .order_by("role")
    )
    projects = list(
        club.projects.select_related("organisation")
        .prefetch_related(
            Prefetch(
                "investments",
                queryset=Investment.objects.select_related("exit_record").order_by("on", "pk"),
            ),
            "mentors",
            Prefetch("leverages", queryset=Leverage.objects.order_by("on")),
        )
        .order_by("-created_at")
    )
    exited_cost = (
        Investment.objects.filter(club=club, exit_record__isnull=False).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    outstanding = club.invested - exited_cost
    net_assets = club.cash + outstanding
    lines = []
    for member in members:
        share = share_of(member.saved, club.saved)
        holds = (
            (net_assets * member.saved / club.saved).quantize(Decimal("0.01"))
            if club.saved and member.left_on is None
            else ZERO
        )
        lines.append(MemberLine(member=member, share=share, holds=holds))
    meetings = list(
        club.meetings.annotate(
            present=Count("attendances", distinct=True), points=Count("items", distinct=True)
        ).order_by("-held_at")[:10]
    )
    return ClubPage(
        club=club,
        members=lines,
        officers=officers,
        projects=projects,
        meetings=meetings,
        outstanding=outstanding,
        net_assets=net_assets,
        member_count=sum(1 for m in members if m.left_on is None),
    )


def lowest_cash_from(club: Club, day: datetime.date) -> Decimal:
    """The lowest cash the club holds on `day` or any later date, from its dated entries: what
    may leave the club on `day` without making its cash negative later. A month's savings count
    from the first of the month."""
    moves = defaultdict(Decimal)
    for month, total in (
        Contribution.objects.filter(club=club)
        .values("month")
        .annotate(t=Sum("amount"))
        .order_by()
        .values_list("month", "t")
    ):
        moves[month] += total
    for on, total in (
        Investment.objects.filter(club=club)
        .values("on")
        .annotate(t=Sum("amount"))
        .order_by()
        .values_list("on", "t")
    ):
        moves[on] -= total
    for on, total in (
        Handback.objects.filter(club=club)
        .values("on")
        .annotate(t=Sum("amount"))
        .order_by()
        .values_list("on", "t")
    ):
        moves[on] -= total
    for on, recovered, kind in Exit.objects.filter(club=club).values_list(
        "on", "recovered", "kind"
    ):
        if kind != Exit.Kind.SHARES_TO_MEMBERS:  # shares come back in kind, not as cash
            moves[on] += recovered
    cash = sum((value for on, value in moves.items() if on <= day), ZERO)
    lowest = cash
    for on in sorted(on for on in moves if on > day):
        cash += moves[on]
        lowest = min(lowest, cash)
    return lowest


def contributions_grid(club: Club, months: int = 12) -> tuple[list[datetime.date], dict]:
    """The last `months` months and each member's saving in each: {(member_id, month): amount}."""
    today = timezone.localdate().replace(day=1)
    start = today
    for _ in range(months - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    found = {
        (row.member_id, row.month): row.amount
        for row in Contribution.objects.filter(club=club, month__gte=start).only(
            "member_id", "month", "amount"
        )
    }
    shown = []
    month = start
    while month <= today:
        shown.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return shown, found


def last_amounts(club: Club) -> dict[int, Decimal]:
    """Each member's latest monthly saving, to prefill the next month."""
    latest = Contribution.objects.filter(member=OuterRef("pk")).order_by("-month")
    return {
        row["pk"]: row["last"]
        for row in club.members.annotate(last=Subquery(latest.values("amount")[:1])).values(
            "pk", "last"
        )
        if row["last"] is not None
    }


# --- a member's yearly statement -----------------------------------------------------------------


@dataclass
class Subscription:
    investment: Investment
    part: Decimal  # the member's part of the subscription
    five_years_on: datetime.date


@dataclass
class Statement:
    member: Member
    club: Club
    year: int
    saved_in_year: Decimal
    saved_to_date: Decimal
    share: Decimal | None
    holds: Decimal
    subscriptions: list[Subscription] = field(default_factory=list)
    exits: list[ExitShare] = field(default_factory=list)
    months: int = 0


def statement(member: Member, year: int) -> Statement:
    """What a member put in, what the club holds for them at the end of `year`, their part of the
    year's capital subscriptions with the day each reaches five years of holding (the IR-PME
    reduction asks for it; Essor does not compute the reduction), and the year's exits."""
    club = member.club
    end = datetime.date(year, 12, 31)
    rows = list(
        Contribution.objects.filter(club=club, month__lte=end)
        .order_by()
        .values_list("member_id", "month", "amount")
    )
    # Club state at the end of the year, each sum filtered by date.
    invested = Investment.objects.filter(club=club, on__lte=end).aggregate(
        total=Sum("amount"), exited=Sum("amount", filter=Q(exit_record__on__lte=end))
    )
    exits = Exit.objects.filter(club=club, on__lte=end).aggregate(
        total=Sum("recovered"),
        in_kind=Sum("recovered", filter=Q(kind=Exit.Kind.SHARES_TO_MEMBERS)),
    )
    handed = Handback.objects.filter(club=club, on__lte=end).aggregate(total=Sum("amount"))
    club_saved = sum((amount for _, _, amount in rows), ZERO)
    mine = [(month, amount) for member_id, month, amount in rows if member_id == member.pk]
    saved_to_date = sum((amount for _, amount in mine), ZERO)
    saved_in_year = sum((amount for month, amount in mine if month.year == year), ZERO)
    cash = (
        club_saved
        + (exits["total"] or ZERO)
        - (invested["total"] or ZERO)
        - (handed["total"] or ZERO)
        - (exits["in_kind"] or ZERO)
    )
    outstanding = (invested["total"] or ZERO) - (invested["exited"] or ZERO)
    holds = (
        ((cash + outstanding) * saved_to_date / club_saved).quantize(Decimal("0.01"))
        if club_saved
        else ZERO
    )
    subscriptions = []
    year_subscriptions = list(
        Investment.objects.filter(
            club=club, instrument=Instrument.SHARE_CAPITAL, on__year=year
        ).select_related("project__organisation")
    )
    members_order = list(club.members.order_by("joined_on", "pk").values_list("pk", flat=True))
    for investment in year_subscriptions:
        weights = defaultdict(Decimal)
        for member_id, month, amount in rows:
            if month <= investment.on:
                weights[member_id] += amount
        ordered = [(pk, weights[pk]) for pk in members_order if weights.get(pk)]
        if not ordered or member.pk not in dict(ordered):
            continue
        part = split_pro_rata(investment.amount, ordered)[member.pk]
        subscriptions.append(
            Subscription(
                investment=investment,
                part=part,
                five_years_on=add_years(investment.on, settings.CIGALES_HOLDING_YEARS),
            )
        )
    exit_shares = list(
        ExitShare.objects.filter(member=member, exit__on__year=year).select_related(
            "exit__investment__project__organisation"
        )
    )
    return Statement(
        member=member,
        club=club,
        year=year,
        saved_in_year=saved_in_year,
        saved_to_date=saved_to_date,
        share=share_of(saved_to_date, club_saved),
        holds=holds,
        subscriptions=subscriptions,
        exits=exit_shares,
        months=sum(1 for month, _ in mine if month.year == year),
    )


# --- the pole's figures --------------------------------------------------------------------------


def latest_jobs():
    """Per invested project: the jobs of its latest follow-up, or those declared at investment."""
    latest = FollowUp.objects.filter(project=OuterRef("pk"), jobs__isnull=False).order_by(
        "-on", "-pk"
    )
    return (
        Project.objects.filter(status__in=[Project.Status.INVESTED, Project.Status.EXITED])
        .annotate(followed_jobs=Subquery(latest.values("jobs")[:1]))
        .values("pk", "jobs_declared", "followed_jobs", "in_priority_neighbourhood")
    )


@dataclass
class PoleFigures:
    clubs_by_status: dict
    members: int | None  # hidden when 1 to 4 (statistical secrecy)
    saved: Decimal
    invested: Decimal
    recovered: Decimal
    by_instrument: list[tuple[str, Decimal, int]]
    leveraged: Decimal
    leverage_by_kind: list[tuple[str, Decimal]]
    jobs_declared: int
    jobs_now: int
    enterprises: int
    qpv_enterprises: int
    exits: int
    overdue: list[Project]


def pole_figures() -> PoleFigures:
    today = timezone.localdate()
    statuses = dict(Club.objects.values_list("status").annotate(n=Count("pk")))
    clubs_by_status = {label: statuses.get(value, 0) for value, label in Club.Status.choices}
    totals = Club.objects.aggregate(
        saved=Sum("saved"), invested=Sum("invested"), recovered=Sum("recovered")
    )
    members = Member.objects.filter(left_on__isnull=True).exclude(club__status="closed").count()
    instruments = {
        row["instrument"]: (row["total"], row["n"])
        for row in Investment.objects.values("instrument").annotate(
            total=Sum("amount"), n=Count("pk")
        )
    }
    by_instrument = [
        (label, *instruments.get(value, (ZERO, 0))) for value, label in Instrument.choices
    ]
    leverage = {
        row["kind"]: row["total"]
        for row in Leverage.objects.values("kind").annotate(total=Sum("amount"))
    }
    jobs = list(latest_jobs())
    organisations = Project.objects.filter(
        status__in=[Project.Status.INVESTED, Project.Status.EXITED]
    ).aggregate(
        all=Count("organisation", distinct=True),
        qpv=Count("organisation", distinct=True, filter=Q(in_priority_neighbourhood=True)),
    )
    overdue = list(overdue_follow_ups(today))
    return PoleFigures(
        clubs_by_status=clubs_by_status,
        members=suppress_total(members) if members else 0,
        saved=totals["saved"] or ZERO,
        invested=totals["invested"] or ZERO,
        recovered=totals["recovered"] or ZERO,
        by_instrument=by_instrument,
        leveraged=sum(leverage.values(), ZERO),
        leverage_by_kind=[
            (label, leverage.get(value, ZERO)) for value, label in Leverage.Kind.choices
        ],
        jobs_declared=sum(row["jobs_declared"] for row in jobs),
        jobs_now=sum(
            row["followed_jobs"] if row["followed_jobs"] is not None else row["jobs_declared"]
            for row in jobs
        ),
        enterprises=organisations["all"],
        qpv_enterprises=organisations["qpv"],
        exits=Exit.objects.count(),
        overdue=overdue,
    )


def overdue_follow_ups(today: datetime.date, limit: int | None = 50):
    """Invested projects whose last follow-up (or first investment) is more than a year old."""
    overdue_since = today - datetime.timedelta(days=settings.CIGALES_FOLLOW_UP_DAYS)
    last_follow_up = FollowUp.objects.filter(project=OuterRef("pk")).order_by("-on")
    first_investment = Investment.objects.filter(project=OuterRef("pk")).order_by("on")
    projects = (
        Project.objects.filter(status=Project.Status.INVESTED)
        .annotate(
            last_on=Subquery(last_follow_up.values("on")[:1]),
            invested_on=Subquery(first_investment.values("on")[:1]),
        )
        .filter(
            Q(last_on__lt=overdue_since) | Q(last_on__isnull=True, invested_on__lt=overdue_since)
        )
        .select_related("club", "organisation")
        .prefetch_related("mentors__user", "club__officer_terms__member__user")
        .order_by("last_on", "invested_on", "pk")
    )
    return projects[:limit] if limit else projects


def public_clubs():
    """The clubs shown to the public: active or prorogued, with their commune and member count."""
    return (
        Club.objects.filter(status__in=[Club.Status.ACTIVE, Club.Status.PROROGUED])
        .select_related("commune")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True)
        )
        .order_by("name")
    )
