"""A member's yearly statement, the follow-up reminders and the pole's published figures."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from essor.cigales import figures, selectors, services
from essor.cigales.models import Exit, FollowUp, Instrument
from essor.core.models import Notification
from tests.cigales.factories import active_club, save_months
from tests.cigales.helpers import agreed_project
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(world):
    return world.users["agency_staff"]


@pytest.fixture
def club(agent):
    club = active_club(5)
    save_months(club, agent, [datetime.date(2025, m, 1) for m in range(1, 13)], Decimal("100"))
    return club


def _capital(agent, club, on, amount="1200"):
    project = agreed_project(
        agent, club, organisation=OrganisationFactory(legal_category="5499", ess_family="company")
    )
    return services.record_investment(
        actor=agent,
        project=project,
        instrument=Instrument.SHARE_CAPITAL,
        amount=Decimal(amount),
        on=on,
        capital_after=Decimal("10000"),
    )


def test_a_statement_gives_the_year_saved_and_the_share_of_the_club(club):
    member = club.members.first()

    statement = selectors.statement(member, 2025)

    assert statement.saved_in_year == Decimal("1200")
    assert statement.months == 12
    assert statement.share == Decimal("20.0")
    assert statement.holds == Decimal("1200.00")


def test_a_subscription_shows_the_members_part_and_its_five_years(agent, club):
    _capital(agent, club, datetime.date(2026, 2, 29 - 1))
    member = club.members.first()

    statement = selectors.statement(member, 2026)

    (subscription,) = statement.subscriptions
    assert subscription.part == Decimal("240.00")
    assert subscription.five_years_on == datetime.date(2031, 2, 28)


def test_a_statement_counts_the_year_end_not_later_entries(agent, club):
    _capital(agent, club, datetime.date(2026, 3, 1))
    member = club.members.first()

    statement = selectors.statement(member, 2025)

    assert statement.subscriptions == []
    assert statement.holds == Decimal("1200.00")


def test_a_loss_lowers_what_the_club_holds_for_each_member(agent, club):
    investment = _capital(agent, club, datetime.date(2026, 1, 10), amount="1000")
    services.record_exit(
        actor=agent,
        investment=investment,
        kind=Exit.Kind.LIQUIDATION,
        on=datetime.date(2026, 6, 1),
        recovered=Decimal("400"),
    )

    statement = selectors.statement(club.members.first(), 2026)

    assert statement.holds == Decimal("1080.00")
    assert [share.gain for share in statement.exits] == [Decimal("-120.00")]


def test_mentors_are_reminded_of_a_follow_up_late_by_a_year_once_a_month(
    agent, club, django_capture_on_commit_callbacks
):
    investment = _capital(agent, club, datetime.date(2025, 6, 1))
    mentor = club.members.first()
    mentor.user = UserFactory(email="mentor@example.org")
    mentor.save()
    services.set_mentors(actor=agent, project=investment.project, mentors=[mentor])
    today = datetime.date(2026, 7, 1)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_follow_up_reminders(today=today) == 1
    assert services.send_follow_up_reminders(today=today + datetime.timedelta(days=10)) == 0
    assert Notification.objects.filter(user=mentor.user).count() == 1
    assert [m.to for m in mail.outbox] == [["mentor@example.org"]]


def test_a_recent_follow_up_silences_the_reminder(agent, club):
    investment = _capital(agent, club, datetime.date(2025, 6, 1))
    FollowUp.objects.create(
        project=investment.project, on=datetime.date(2026, 5, 1), note="Bon", jobs=3
    )

    assert services.send_follow_up_reminders(today=datetime.date(2026, 7, 1)) == 0


def test_a_small_count_of_members_is_hidden_in_the_published_figures(club):
    active_club(
        4, convention_signed_on=datetime.date(2034, 1, 1), ends_on=datetime.date(2039, 1, 1)
    )

    assert figures.year_figures(2025)["members"] == 5
    assert figures.year_figures(2035)["members"] is None


def test_jobs_follow_the_latest_follow_up_and_hide_small_counts(agent, club):
    investment = _capital(agent, club, datetime.date(2026, 1, 10))
    project = investment.project
    project.jobs_declared = 3
    project.save()
    table = figures.jobs_table(2026)
    assert table.rows[1][1] is None  # 3 jobs: secret
    FollowUp.objects.create(
        project=project, on=datetime.date(2026, 9, 1), note="Embauches", jobs=12
    )

    assert figures.jobs_table(2026).rows[1][1] == 12


def test_founders_without_consent_are_not_counted(agent, club):
    investment = _capital(agent, club, datetime.date(2026, 1, 10))
    project = investment.project
    project.founders_women = 7
    project.founders_consent = True
    project.save()

    assert figures.founders_table(2026).rows[0][1] == 7


def test_the_open_data_gives_one_row_per_year(client, club):
    response = client.get(reverse("cigales:open_data_csv"))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("annee;clubs_actifs;membres")
    assert any(line.startswith("2025;1;5;6000") for line in lines)
