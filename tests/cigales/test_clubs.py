"""A club's life: 5 to 20 members, 5 years, prorogued once, management, closing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from essor.cigales import services
from essor.cigales.models import Club, Member, OfficerRole
from tests.cigales.factories import ClubFactory, MemberFactory, active_club, save_months

pytestmark = pytest.mark.django_db
Status = Club.Status


@pytest.fixture
def agent(world):
    return world.users["agency_staff"]


def _creating_club(agent, members):
    club = services.create_club(
        actor=agent,
        data={"name": "Cigales de Rosendaël", "convention_signed_on": datetime.date(2026, 1, 10)},
        founder_name="Anne",
    )
    for index in range(members - 1):
        services.add_member(
            actor=agent, club=club, name=f"Membre {index}", joined_on=datetime.date(2026, 1, 10)
        )
    return club


def test_the_creator_of_a_club_is_its_first_member_and_its_manager(world):
    citizen = world.users["authenticated"]
    club = services.create_club(actor=citizen, data={"name": "Cigales du Port"}, founder_name="Léa")

    founder = club.members.get()
    assert founder.user == citizen
    assert club.officer_terms.get().role == OfficerRole.MANAGER
    assert club.status == Status.CREATING


def test_a_club_of_four_members_cannot_become_active(agent):
    club = _creating_club(agent, 4)

    with pytest.raises(ValidationError) as error:
        services.activate_club(actor=agent, club=club)
    assert "de 5 à 20 membres : celui-ci en compte 4" in " ".join(error.value.messages)
    club.refresh_from_db()
    assert club.status == Status.CREATING


def test_a_club_of_five_members_becomes_active_for_five_years(agent):
    club = _creating_club(agent, 5)

    services.activate_club(actor=agent, club=club)

    club.refresh_from_db()
    assert club.status == Status.ACTIVE
    assert club.ends_on == datetime.date(2031, 1, 10)


def test_a_club_of_twenty_one_members_cannot_become_active(agent):
    club = _creating_club(agent, 21)

    with pytest.raises(ValidationError) as error:
        services.activate_club(actor=agent, club=club)
    assert "celui-ci en compte 21" in " ".join(error.value.messages)


def test_an_active_club_of_twenty_members_refuses_a_twenty_first(agent):
    club = active_club(20)

    with pytest.raises(ValidationError) as error:
        services.add_member(
            actor=agent, club=club, name="Vingt et un", joined_on=datetime.date.today()
        )
    assert "de 5 à 20 membres" in " ".join(error.value.messages)
    assert club.members.count() == 20


def test_a_member_leaving_an_active_club_of_five_is_refused(agent):
    club = active_club(5)

    with pytest.raises(ValidationError) as error:
        services.member_leaves(actor=agent, member=club.members.first(), on=datetime.date.today())
    assert "celui-ci en compte 4" in " ".join(error.value.messages)


def test_a_club_is_prorogued_once_for_five_more_years(agent):
    club = active_club(
        5, convention_signed_on=datetime.date(2020, 3, 1), ends_on=datetime.date(2025, 3, 1)
    )

    services.prorogue_club(actor=agent, club=club)

    club.refresh_from_db()
    assert club.status == Status.PROROGUED
    assert club.ends_on == datetime.date(2030, 3, 1)
    assert club.prorogations == 1


def test_a_club_born_on_29_february_ends_on_28_february():
    club = ClubFactory(status=Status.CREATING, convention_signed_on=datetime.date(2024, 2, 29))
    for _ in range(5):
        MemberFactory(club=club, joined_on=datetime.date(2024, 2, 1))
    club.activate()

    assert club.ends_on == datetime.date(2029, 2, 28)


def test_a_prorogued_club_cannot_be_prorogued_again(agent):
    club = active_club(5, status=Status.PROROGUED, prorogations=1)

    with pytest.raises(ValidationError):
        services.prorogue_club(actor=agent, club=club)


def test_a_club_in_management_takes_no_more_savings(agent):
    club = active_club(5)
    services.start_managing(actor=agent, club=club)

    with pytest.raises(ValidationError) as error:
        save_months(club, agent, [datetime.date(2026, 1, 1)])
    assert "« En gestion »" in " ".join(error.value.messages)
    assert not club.contributions.exists()


def test_a_club_closes_only_once_its_cash_is_handed_back(agent):
    club = active_club(5)
    save_months(club, agent, [datetime.date(2026, 1, 1)], amount=Decimal("10"))
    services.start_managing(actor=agent, club=club)

    with pytest.raises(ValidationError) as error:
        services.close_club(actor=agent, club=club)
    assert "50,00\u00a0€" in " ".join(error.value.messages)
    for member in club.members.all():
        services.hand_back(
            actor=agent, club=club, member=member, amount=Decimal("10"), on=datetime.date.today()
        )
    services.close_club(actor=agent, club=club)

    club.refresh_from_db()
    assert club.status == Status.CLOSED
    assert club.cash == 0


def test_a_plain_member_cannot_add_members(world):
    member_user = world.users["organisation_member"]
    club = active_club(5, users=[member_user])

    with pytest.raises(PermissionDenied):
        services.add_member(actor=member_user, club=club, name="X", joined_on=datetime.date.today())


def test_an_officer_can_add_members(world):
    officer = world.users["organisation_admin"]
    club = active_club(5, officer=officer)

    services.add_member(actor=officer, club=club, name="Nouvelle", joined_on=datetime.date.today())

    assert Member.objects.filter(club=club, name="Nouvelle").exists()


def test_the_manager_is_elected_for_a_year_at_most(agent):
    club = active_club(5)
    member = club.members.first()

    with pytest.raises(ValidationError) as error:
        services.elect_officer(
            actor=agent,
            club=club,
            member=member,
            role=OfficerRole.MANAGER,
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2027, 1, 1),
        )
    assert "un an au plus" in " ".join(error.value.messages)
    services.elect_officer(
        actor=agent,
        club=club,
        member=member,
        role=OfficerRole.MANAGER,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )


def test_two_treasurers_at_once_are_refused(agent):
    club = active_club(5)
    first, second = club.members.all()[:2]
    services.elect_officer(
        actor=agent,
        club=club,
        member=first,
        role=OfficerRole.TREASURER,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2027, 6, 30),
    )

    with pytest.raises(ValidationError) as error:
        services.elect_officer(
            actor=agent,
            club=club,
            member=second,
            role=OfficerRole.TREASURER,
            starts_on=datetime.date(2027, 1, 1),
            ends_on=datetime.date(2027, 12, 31),
        )
    assert "déjà trésorier" in " ".join(error.value.messages)
