"""Who opens which CIGALES page: a member their club, its officers its ledger and meetings, the
agency every club, the funders the pole's dashboard, the public the aggregates."""

import datetime
from decimal import Decimal

from django.utils import timezone

from essor.cigales import services
from essor.cigales.models import Instrument
from tests.cigales.factories import active_club, save_months
from tests.cigales.helpers import agreed_project
from tests.url_access import AGENCY_ONLY, LOGGED_IN, PUBLIC, UrlCase

# The club's gérant is the organisation admin; the organisation member is a plain member.
CLUB_VIEWERS = {**AGENCY_ONLY, "organisation_admin": 200, "organisation_member": 200}
CLUB_OFFICERS = {**AGENCY_ONLY, "organisation_admin": 200}
DASHBOARD = {**AGENCY_ONLY, "funder_instructor": 200}
POST_ONLY = dict.fromkeys(PUBLIC, 405)


def club_of(world):
    """An active club whose gérant is the organisation admin, with a plain member (the
    organisation member), savings, an agreed project with a loan, and a meeting."""
    agent = world.users["agency_staff"]
    club = active_club(
        5, officer=world.users["organisation_admin"], users=[world.users["organisation_member"]]
    )
    save_months(club, agent, [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)], Decimal("100"))
    project = agreed_project(agent, club)
    services.record_investment(
        actor=agent,
        project=project,
        instrument=Instrument.LOAN,
        amount=Decimal("300"),
        on=timezone.localdate(),
        rate_percent=Decimal("1.5"),
        duration_months=24,
    )
    return club


def _club(world):
    return {"pk": club_of(world).pk}


def _plain_member(world):
    club = club_of(world)
    return club.members.get(user=world.users["organisation_member"])


def _meeting(world):
    return {"pk": club_of(world).meetings.first().pk}


def _project(world):
    return {"pk": club_of(world).projects.first().pk}


def _investment(world):
    return {"pk": club_of(world).investments.first().pk}


def _statement(world):
    return {"pk": _plain_member(world).pk, "year": timezone.localdate().year}


URL_ACCESS = [
    UrlCase("cigales:home", PUBLIC),
    UrlCase("cigales:open_data_csv", PUBLIC),
    UrlCase("cigales:open_data_json", PUBLIC),
    UrlCase("cigales:my_clubs", LOGGED_IN),
    UrlCase("cigales:club_create", LOGGED_IN, note="anyone with an account may start a club"),
    UrlCase("cigales:dashboard", DASHBOARD, note="the agency and the funders (the CUD)"),
    UrlCase("cigales:club", CLUB_VIEWERS, kwargs=_club),
    UrlCase("cigales:savings", CLUB_VIEWERS, kwargs=_club),
    UrlCase("cigales:meeting", CLUB_VIEWERS, kwargs=_meeting),
    UrlCase("cigales:minutes_pdf", CLUB_VIEWERS, kwargs=_meeting),
    UrlCase("cigales:project", CLUB_VIEWERS, kwargs=_project),
    UrlCase("cigales:club_edit", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:member_add", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:officer_elect", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:handback", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:meeting_create", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:project_create", CLUB_OFFICERS, kwargs=_club),
    UrlCase("cigales:investment_exit", CLUB_OFFICERS, kwargs=_investment),
    UrlCase(
        "cigales:member_leave",
        CLUB_OFFICERS,
        kwargs=lambda w: {"pk": _plain_member(w).pk},
    ),
    UrlCase(
        "cigales:club_transition",
        POST_ONLY,
        kwargs=lambda w: {"pk": club_of(w).pk, "action": "start_managing"},
    ),
    UrlCase(
        "cigales:statement",
        CLUB_VIEWERS,
        kwargs=_statement,
        note="the member themself, the club's officers and the agency",
    ),
    UrlCase("cigales:statement_pdf", CLUB_VIEWERS, kwargs=_statement),
]
