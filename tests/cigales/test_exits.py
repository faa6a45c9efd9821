"""Exits: one per investment, shared between the members who funded it, to the cent."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from essor.cigales import services
from essor.cigales.models import Exit, ExitShare, Instrument, Project
from essor.cigales.split import split_pro_rata
from tests.cigales.factories import active_club, save_months
from tests.cigales.helpers import agreed_project, said
from tests.concurrency import OK, run_together

ON = datetime.date(2026, 6, 1)


def _loan(agent, club, amount="1000"):
    project = agreed_project(agent, club)
    return services.record_investment(
        actor=agent,
        project=project,
        instrument=Instrument.LOAN,
        amount=Decimal(amount),
        on=ON,
        rate_percent=Decimal("1"),
        duration_months=24,
    )


def test_three_equal_members_share_one_euro_to_the_cent():
    parts = split_pro_rata(
        Decimal("1.00"), [("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))]
    )

    assert parts == {"a": Decimal("0.34"), "b": Decimal("0.33"), "c": Decimal("0.33")}


def test_the_largest_remainder_takes_the_last_cent_before_the_earliest_member():
    # 0.10 € for weights 1 and 2: exact parts 3.33 and 6.67 cents: the second gets the cent.
    parts = split_pro_rata(Decimal("0.10"), [("first", Decimal(1)), ("second", Decimal(2))])

    assert parts == {"first": Decimal("0.03"), "second": Decimal("0.07")}


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(
        st.decimals(min_value="0.01", max_value=10**6, places=2), min_size=1, max_size=20
    ),
)
def test_the_parts_always_add_up_to_the_amount(amount, weights):
    parts = split_pro_rata(amount, list(enumerate(weights)))

    assert sum(parts.values()) == amount
    assert all(part >= 0 for part in parts.values())


@pytest.mark.django_db
def test_an_exit_is_shared_pro_rata_of_the_savings_made_before_the_investment(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    members = list(club.members.order_by("pk"))
    # The first member saved twice as much as each of the others.
    services.record_month(
        actor=agent,
        club=club,
        month=datetime.date(2026, 1, 1),
        amounts={m: Decimal("200") if m == members[0] else Decimal("100") for m in members},
    )
    investment = _loan(agent, club, "600")
    # Savings after the investment do not give a part of it.
    services.record_month(
        actor=agent,
        club=club,
        month=datetime.date(2026, 7, 1),
        amounts={members[4]: Decimal("400")},
    )

    services.record_exit(
        actor=agent,
        investment=investment,
        kind=Exit.Kind.REPAYMENT,
        on=datetime.date(2026, 11, 1),
        recovered=Decimal("700"),
    )

    shares = {s.member_id: s for s in ExitShare.objects.all()}
    assert shares[members[0].pk].invested == Decimal("200.00")
    # 70,000 cents: 23,333.33 and 4 × 11,666.67; the 3 cents left go to the largest remainders
    # (0.67), between equals to the members who joined first: the last one gets 116.66.
    assert [shares[m.pk].recovered for m in members] == [
        Decimal("233.33"),
        Decimal("116.67"),
        Decimal("116.67"),
        Decimal("116.67"),
        Decimal("116.66"),
    ]
    assert shares[members[0].pk].gain == Decimal("33.33")


@pytest.mark.django_db
def test_a_write_off_loses_the_investment_for_each_member(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    investment = _loan(agent, club, "500")

    services.record_exit(
        actor=agent, investment=investment, kind=Exit.Kind.WRITE_OFF, on=ON, recovered=0
    )

    club.refresh_from_db()
    assert [s.gain for s in ExitShare.objects.all()] == [Decimal("-100.00")] * 5
    assert club.cash == Decimal("500")
    assert Project.objects.get().status == Project.Status.EXITED


@pytest.mark.django_db
def test_a_write_off_recovering_money_is_refused(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    investment = _loan(agent, club)

    with pytest.raises(ValidationError) as error:
        services.record_exit(
            actor=agent, investment=investment, kind=Exit.Kind.WRITE_OFF, on=ON, recovered=5
        )
    assert "Une perte ne récupère rien" in said(error)


@pytest.mark.django_db
def test_shares_handed_out_to_members_leave_the_cash_unchanged(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    investment = _loan(agent, club, "500")

    services.record_exit(
        actor=agent,
        investment=investment,
        kind=Exit.Kind.SHARES_TO_MEMBERS,
        on=ON,
        recovered=Decimal("650"),
    )

    club.refresh_from_db()
    assert club.cash == Decimal("500")
    assert club.recovered == Decimal("650")


@pytest.mark.django_db
def test_an_exit_is_recorded_once(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    investment = _loan(agent, club)
    services.record_exit(
        actor=agent, investment=investment, kind=Exit.Kind.REPAYMENT, on=ON, recovered=1000
    )

    with pytest.raises(ValidationError) as error:
        services.record_exit(
            actor=agent, investment=investment, kind=Exit.Kind.REPAYMENT, on=ON, recovered=1000
        )
    assert "déjà enregistrée" in said(error)


@pytest.mark.django_db(transaction=True)
def test_two_officers_recording_the_same_exit_at_once_record_one(world):
    agent = world.users["agency_staff"]
    other_agent = world.users["agency_admin"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    investment = _loan(agent, club)

    outcomes = run_together(
        lambda: services.record_exit(
            actor=agent, investment=investment, kind=Exit.Kind.SALE, on=ON, recovered=1200
        ),
        lambda: services.record_exit(
            actor=other_agent, investment=investment, kind=Exit.Kind.SALE, on=ON, recovered=1200
        ),
        expected=(ValidationError,),
    )

    assert sorted(outcome == OK for outcome in outcomes) == [False, True]
    club.refresh_from_db()
    assert Exit.objects.count() == 1
    assert club.recovered == Decimal("1200")
    assert ExitShare.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_investments_at_once_cannot_over_commit_the_cash(world):
    agent = world.users["agency_staff"]
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], Decimal("200"))
    first, second = agreed_project(agent, club), agreed_project(agent, club)

    def invest(project):
        return lambda: services.record_investment(
            actor=agent,
            project=project,
            instrument=Instrument.LOAN,
            amount=Decimal("600"),
            on=ON,
            rate_percent=Decimal("1"),
            duration_months=12,
        )

    outcomes = run_together(invest(first), invest(second), expected=(ValidationError,))

    assert sorted(outcome == OK for outcome in outcomes) == [False, True]
    club.refresh_from_db()
    assert club.invested == Decimal("600")
