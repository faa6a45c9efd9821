"""Meetings: attendance, quorum, one recorded vote per member and item, the club's own rule."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essor.cigales import services
from essor.cigales.models import AgendaItem, DecisionRule, Vote
from tests.cigales.factories import MemberFactory, ProjectFactory, active_club
from tests.cigales.helpers import said, vote

pytestmark = pytest.mark.django_db
FOR, AGAINST, ABSTAIN = Vote.Choice.FOR, Vote.Choice.AGAINST, Vote.Choice.ABSTAIN
Result = AgendaItem.Result


@pytest.fixture
def agent(world):
    return world.users["agency_staff"]


def _result(agent, choices, members=10, **club):
    club = active_club(members, **club)
    return vote(agent, club, ProjectFactory(club=club), choices).result


def test_below_the_quorum_nothing_is_decided(agent):
    # 10 members, quorum 50 %: 4 present are not enough.
    assert _result(agent, [FOR] * 4) == Result.NO_QUORUM


def test_the_quorum_is_reached_at_exactly_its_share(agent):
    assert _result(agent, [FOR] * 5) == Result.ADOPTED


def test_a_tie_is_rejected_under_the_simple_majority(agent):
    assert _result(agent, [FOR, FOR, FOR, AGAINST, AGAINST, AGAINST]) == Result.REJECTED


def test_abstentions_do_not_count_against_under_the_simple_majority(agent):
    assert _result(agent, [FOR, FOR, AGAINST, ABSTAIN, ABSTAIN]) == Result.ADOPTED


def test_two_thirds_needs_two_thirds_of_the_votes_cast(agent):
    rule = {"decision_rule": DecisionRule.TWO_THIRDS}
    assert _result(agent, [FOR, FOR, FOR, FOR, AGAINST, AGAINST], **rule) == Result.ADOPTED
    assert _result(agent, [FOR, FOR, FOR, AGAINST, AGAINST, ABSTAIN], **rule) == Result.REJECTED


def test_unanimity_is_broken_by_one_abstention(agent):
    rule = {"decision_rule": DecisionRule.UNANIMITY}
    assert _result(agent, [FOR] * 6, **rule) == Result.ADOPTED
    assert _result(agent, [FOR] * 5 + [ABSTAIN], **rule) == Result.REJECTED


def _meeting(agent, club):
    return services.create_meeting(
        actor=agent,
        club=club,
        held_at=timezone.now(),
        place="Maison de quartier",
        items=[{"title": "Budget de l'année"}],
    )


def test_a_vote_by_a_non_member_is_refused_and_nothing_is_saved(agent):
    club = active_club(5)
    meeting = _meeting(agent, club)
    members = list(club.members.all())
    services.record_attendance(actor=agent, meeting=meeting, members=members)
    stranger = MemberFactory()

    with pytest.raises(ValidationError) as error:
        services.record_votes(
            actor=agent, item=meeting.items.get(), votes={members[0]: FOR, stranger: FOR}
        )

    assert "n'est pas membre du club : son vote est refusé" in said(error)
    assert not Vote.objects.exists()


def test_a_member_not_present_cannot_vote(agent):
    club = active_club(5)
    meeting = _meeting(agent, club)
    first, second = club.members.all()[:2]
    services.record_attendance(actor=agent, meeting=meeting, members=[first])

    with pytest.raises(ValidationError) as error:
        services.record_votes(actor=agent, item=meeting.items.get(), votes={second: FOR})

    assert "n'est pas noté présent" in said(error)


def test_a_stranger_cannot_be_marked_present(agent):
    club = active_club(5)
    meeting = _meeting(agent, club)

    with pytest.raises(ValidationError):
        services.record_attendance(actor=agent, meeting=meeting, members=[MemberFactory()])


def test_a_closed_meeting_changes_no_more(agent):
    club = active_club(5)
    meeting = _meeting(agent, club)
    services.record_attendance(actor=agent, meeting=meeting, members=list(club.members.all()))
    services.close_meeting(actor=agent, meeting=meeting, notes="Séance levée à 21 h.")

    with pytest.raises(ValidationError) as error:
        services.record_attendance(actor=agent, meeting=meeting, members=[])

    assert "arrêté" in said(error)


def test_a_member_who_joined_after_the_meeting_cannot_attend_it(agent):
    club = active_club(5)
    meeting = _meeting(agent, club)
    late = MemberFactory(club=club, joined_on=timezone.localdate() + datetime.timedelta(days=3))

    with pytest.raises(ValidationError):
        services.record_attendance(actor=agent, meeting=meeting, members=[late])
