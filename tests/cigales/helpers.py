"""Shared steps of the CIGALES tests."""

import datetime

from django.utils import timezone

from essor.cigales import services
from essor.cigales.models import Vote


def said(error) -> str:
    """Every French message of a raised ValidationError, in one string."""
    return " ".join(error.value.messages)


def vote(actor, club, project, choices: list[str]):
    """A meeting where the first len(choices) members are present and vote on the project."""
    members = list(club.members.filter(left_on__isnull=True).order_by("pk"))
    meeting = services.create_meeting(
        actor=actor,
        club=club,
        held_at=timezone.now() - datetime.timedelta(days=1),
        place="",
        items=[{"title": f"Investir dans {project.organisation}", "project": project}],
    )
    present = members[: len(choices)]
    services.record_attendance(actor=actor, meeting=meeting, members=present)
    item = meeting.items.get()
    return services.record_votes(
        actor=actor, item=item, votes=dict(zip(present, choices, strict=True))
    )


def agreed_project(actor, club, **kwargs):
    """A project the club voted for (every member present and in favour)."""
    from tests.cigales.factories import ProjectFactory

    project = ProjectFactory(club=club, **kwargs)
    services.present_project(actor=actor, project=project)
    members = club.members.filter(left_on__isnull=True).count()
    vote(actor, club, project, [Vote.Choice.FOR] * members)
    services.agree_project(actor=actor, project=project)
    project.refresh_from_db()
    return project
