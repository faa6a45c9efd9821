"""The CIGALES module's demo step: three clubs of the CUD replayed through the services."""

import datetime
import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from essor.cigales.models import (
    AgendaItem,
    Club,
    Contribution,
    Exit,
    Instrument,
    Investment,
    Member,
    OfficerRole,
    Project,
)
from essor.demo import registry

LOAD_SECONDS = {}


@pytest.fixture(scope="module")
def cigales_demo(django_db_setup, django_db_blocker):
    """The directory's demo data and the cigales step only, loaded once."""
    from essor.demo.cigales import load, remove

    saved = dict(registry._STEPS)
    registry._STEPS.clear()
    registry.register_step(registry.DemoStep("cigales", 65, load=load, remove=remove))
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            out = StringIO()
            started = time.perf_counter()
            call_command("load_demo", stdout=out, stderr=StringIO())
            LOAD_SECONDS["load_demo"] = time.perf_counter() - started
            yield out.getvalue()
            transaction.set_rollback(True)
    finally:
        registry._STEPS.clear()
        registry._STEPS.update(saved)


@pytest.fixture
def demo(cigales_demo, db):
    return cigales_demo


def _years_since(day: datetime.date, today: datetime.date) -> int:
    return today.year - day.year - ((today.month, today.day) < (day.month, day.day))


def test_three_clubs_one_prorogued_in_its_seventh_year(demo):
    today = timezone.localdate()
    clubs = list(Club.objects.select_related("commune"))
    assert len(clubs) == 3
    assert {club.commune.name for club in clubs} == {
        "Dunkerque",
        "Grande-Synthe",
        "Coudekerque-Branche",
    }
    prorogued = [club for club in clubs if club.status == Club.Status.PROROGUED]
    assert len(prorogued) == 1
    assert _years_since(prorogued[0].convention_signed_on, today) == 6  # its seventh year
    assert prorogued[0].ends_on > today
    assert {club.status for club in clubs} == {Club.Status.ACTIVE, Club.Status.PROROGUED}
    for club in clubs:
        assert 6 <= club.members.count() <= 15
        current = set(
            club.officer_terms.filter(starts_on__lte=today, ends_on__gte=today).values_list(
                "role", flat=True
            )
        )
        assert current == set(OfficerRole.values)
    assert "CIGALES : 3 clubs" in demo


def test_every_instrument_and_two_exits_a_gain_and_a_write_off(demo):
    assert Investment.objects.count() >= 12
    assert set(Investment.objects.values_list("instrument", flat=True)) == set(Instrument.values)
    exits = list(Exit.objects.select_related("investment"))
    assert len(exits) == 2
    assert {exit.kind for exit in exits} == {Exit.Kind.SALE, Exit.Kind.WRITE_OFF}
    sale = next(exit for exit in exits if exit.kind == Exit.Kind.SALE)
    assert sale.recovered > sale.investment.amount
    assert all(exit.shares.exists() for exit in exits)
    # Two clubs hold shares of one enterprise.
    assert (
        Investment.objects.filter(instrument=Instrument.SHARE_CAPITAL)
        .values("project__organisation")
        .annotate(clubs=Count("club", distinct=True))
        .filter(clubs=2)
        .exists()
    )


def test_each_investment_follows_an_adopted_vote_and_enough_savings(demo):
    today = timezone.localdate()
    for investment in Investment.objects.select_related("project", "club"):
        assert investment.on <= today
        assert AgendaItem.objects.filter(
            project=investment.project,
            result=AgendaItem.Result.ADOPTED,
            meeting__held_at__date__lte=investment.on,
        ).exists()
        saved = Contribution.objects.filter(
            club=investment.club, month__lte=investment.on
        ).aggregate(t=Sum("amount"))["t"]
        invested = Investment.objects.filter(club=investment.club, on__lte=investment.on).aggregate(
            t=Sum("amount")
        )["t"]
        recovered = (
            Exit.objects.filter(club=investment.club, on__lte=investment.on).aggregate(
                t=Sum("recovered")
            )["t"]
            or 0
        )
        assert saved + recovered >= invested, investment
        assert 1 <= investment.project.mentors.count() <= 2


def test_the_pipeline_shows_a_declined_project_leverage_follow_ups_and_founders(demo):
    assert Project.objects.filter(status=Project.Status.DECLINED).count() == 1
    assert Project.objects.filter(status=Project.Status.PRESENTED).count() == 1
    assert Project.objects.filter(status=Project.Status.EXITED).count() == 2
    invested = Project.objects.filter(status__in=[Project.Status.INVESTED, Project.Status.EXITED])
    assert invested.filter(in_priority_neighbourhood=True).exists()
    assert invested.filter(founders_consent=True, founders_women__isnull=False).exists()
    assert invested.filter(founders_consent=False).exists()
    kinds = set(invested.values_list("leverages__kind", flat=True))
    assert {"solidarity_finance", "bank", "grant"} <= kinds
    assert invested.filter(follow_ups__jobs__isnull=False).distinct().count() >= 5


def test_five_years_of_monthly_savings_within_the_networks_range(demo):
    months = {
        club.name: club.contributions.values("month").distinct().count()
        for club in Club.objects.all()
    }
    assert max(months.values()) >= 60
    assert not Contribution.objects.filter(amount__lt=Decimal("7.50")).exists()
    assert not Contribution.objects.filter(amount__gt=Decimal("450")).exists()
    assert Contribution.objects.values("amount").distinct().count() > 5
    assert not Contribution.objects.filter(month__gt=timezone.localdate()).exists()


def test_running_totals_equal_the_sums_of_the_entries(demo):
    for club in Club.objects.all():
        assert club.saved == club.contributions.aggregate(t=Sum("amount"))["t"]
        assert club.invested == club.investments.aggregate(t=Sum("amount"))["t"]
        assert club.recovered == (club.exits.aggregate(t=Sum("recovered"))["t"] or 0)
        assert club.cash >= 0
    for member in Member.objects.all():
        assert member.saved == (member.contributions.aggregate(t=Sum("amount"))["t"] or 0)


def test_the_cigalier_account_sees_its_club_its_statement_and_the_officer_pages(demo, client):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email="cigalier@demo.essor.fr")
    member = Member.objects.select_related("club").get(user=user)
    club = member.club
    assert club.status == Club.Status.PROROGUED
    client.force_login(user)
    assert club.name in client.get(reverse("cigales:my_clubs")).content.decode()
    assert client.get(reverse("cigales:club", args=[club.pk])).status_code == 200
    year = timezone.localdate().year - 1
    assert client.get(reverse("cigales:statement", args=[member.pk, year])).status_code == 200
    assert client.get(reverse("cigales:savings", args=[club.pk])).status_code == 200
    assert client.get(reverse("cigales:officer_elect", args=[club.pk])).status_code == 200
    assert client.get(reverse("cigales:meeting_create", args=[club.pk])).status_code == 200
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert f"Gérant du club CIGALES « {club.name} »" in out.getvalue()
    assert "cigalier@demo.essor.fr" in demo


def test_the_pole_dashboard_shows_the_demo(demo, client):
    from essor.accounts.models import Membership, Role

    staff = Membership.objects.filter(role=Role.AGENCY_STAFF).select_related("user").first().user
    client.force_login(staff)
    assert client.get(reverse("cigales:dashboard")).status_code == 200
    assert client.get(reverse("cigales:home")).status_code == 200


def test_the_step_loads_in_reasonable_time(demo):
    assert LOAD_SECONDS["load_demo"] < 120


def test_remove_leaves_no_cigales_rows(demo):
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django_fsm_log.models import StateLog

    from essor.demo.cigales import remove

    remove()
    for model in apps.get_app_config("cigales").get_models():
        assert not model.objects.exists(), model
    assert not StateLog.objects.filter(
        content_type__in=ContentType.objects.filter(app_label="cigales")
    ).exists()
