"""The savings ledger: monthly amounts within the published range, all or nothing, balanced."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from essor.cigales import services
from essor.cigales.models import Club, Contribution
from essor.core.formats import euros
from tests.cigales.factories import MemberFactory, active_club, save_months

pytestmark = pytest.mark.django_db
MONTH = datetime.date(2026, 3, 1)


@pytest.fixture
def agent(world):
    return world.users["agency_staff"]


@pytest.mark.parametrize("amount", ["7.50", "450", "120.35"])
def test_a_saving_within_the_range_is_recorded(agent, amount):
    club = active_club(5)
    member = club.members.first()

    services.record_month(actor=agent, club=club, month=MONTH, amounts={member: Decimal(amount)})

    assert member.contributions.get().amount == Decimal(amount)


@pytest.mark.parametrize("amount", ["7.49", "450.01"])
def test_a_saving_outside_the_range_is_refused_with_its_member_named(agent, amount):
    club = active_club(5)
    member = club.members.first()

    with pytest.raises(ValidationError) as error:
        services.record_month(
            actor=agent, club=club, month=MONTH, amounts={member: Decimal(amount)}
        )

    assert f"{member.name} : un versement mensuel va de 7,50\u00a0€ à 450,00\u00a0€" in " ".join(
        error.value.messages
    )
    assert not Contribution.objects.exists()


def test_one_wrong_amount_saves_nothing_of_the_month(agent):
    club = active_club(5)
    first, second = club.members.all()[:2]

    with pytest.raises(ValidationError):
        services.record_month(
            actor=agent,
            club=club,
            month=MONTH,
            amounts={first: Decimal("50"), second: Decimal("5")},
        )

    club.refresh_from_db()
    assert club.saved == 0
    assert not Contribution.objects.exists()


def test_a_month_is_recorded_once_per_member(agent):
    club = active_club(5)
    member = club.members.first()
    services.record_month(actor=agent, club=club, month=MONTH, amounts={member: Decimal("50")})

    with pytest.raises(ValidationError) as error:
        services.record_month(
            actor=agent,
            club=club,
            month=datetime.date(2026, 3, 15),
            amounts={member: Decimal("50")},
        )
    assert "déjà un versement pour 03/2026" in " ".join(error.value.messages)


def test_a_member_of_another_club_cannot_save_in_this_one(agent):
    club = active_club(5)
    stranger = MemberFactory()

    with pytest.raises(ValidationError) as error:
        services.record_month(
            actor=agent, club=club, month=MONTH, amounts={stranger: Decimal("50")}
        )
    assert "n'est pas membre de ce club" in " ".join(error.value.messages)


def test_a_member_who_left_saves_no_more(agent):
    club = active_club(6)
    leaver = club.members.first()
    services.member_leaves(actor=agent, member=leaver, on=datetime.date(2026, 1, 31))

    with pytest.raises(ValidationError) as error:
        services.record_month(actor=agent, club=club, month=MONTH, amounts={leaver: Decimal("50")})
    assert "n'était pas membre du club en 03/2026" in " ".join(error.value.messages)


def test_the_running_totals_equal_the_entries(agent):
    club = active_club(5)
    save_months(
        club, agent, [datetime.date(2026, m, 1) for m in (1, 2, 3)], amount=Decimal("33.33")
    )

    club.refresh_from_db()
    assert club.saved == Decimal("499.95")
    for member in club.members.all():
        assert member.saved == Decimal("99.99")


def test_handing_back_more_than_the_cash_is_refused(agent):
    club = active_club(5)
    save_months(club, agent, [MONTH], amount=Decimal("10"))

    with pytest.raises(ValidationError) as error:
        services.hand_back(
            actor=agent, club=club, member=club.members.first(), amount=Decimal("50.01"), on=MONTH
        )
    assert "50,00\u00a0€ de trésorerie" in " ".join(error.value.messages)


def test_the_database_refuses_a_negative_cash(agent):
    club = active_club(5)

    with pytest.raises(IntegrityError), transaction.atomic():
        Club.objects.filter(pk=club.pk).update(invested=Decimal("0.01"))


def test_a_month_to_come_is_refused(agent):
    club = active_club(5)
    next_month = (datetime.date.today().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)

    with pytest.raises(ValidationError) as error:
        save_months(club, agent, [next_month])
    assert "ce mois est à venir" in " ".join(error.value.messages)


def test_a_month_before_the_convention_is_refused(agent):
    club = active_club(5, convention_signed_on=datetime.date(2024, 1, 15))

    with pytest.raises(ValidationError) as error:
        save_months(club, agent, [datetime.date(2023, 12, 1)])
    assert "précède la convention" in " ".join(error.value.messages)


def test_recorded_savings_show_on_the_public_page_at_once(agent, client, settings):
    # Written in bulk (no signal): the service renders the cached public page again.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    club = active_club(5)
    client.get(reverse("cigales:home"))

    save_months(club, agent, [services.first_of_month(datetime.date.today())])

    assert euros(Decimal("250"), 0) in client.get(reverse("cigales:home")).text
