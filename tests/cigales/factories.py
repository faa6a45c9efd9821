"""Factories of the CIGALES module. `active_club` builds a club as the services would leave it:
members, officers and running totals consistent with its entries."""

import datetime
from decimal import Decimal

import factory

from essor.cigales import services
from essor.cigales.models import Club, Member, OfficerRole, OfficerTerm, Project
from tests.factories import OrganisationFactory


class ClubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Club

    name = factory.Sequence(lambda n: f"Cigales du Littoral {n}")
    convention_signed_on = datetime.date(2024, 1, 15)
    ends_on = datetime.date(2029, 1, 15)
    status = Club.Status.ACTIVE
    join_contact = "club@example.org"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    club = factory.SubFactory(ClubFactory)
    name = factory.Sequence(lambda n: f"Membre {n}")
    joined_on = datetime.date(2024, 1, 15)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    club = factory.SubFactory(ClubFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    summary = "Une épicerie solidaire en centre-ville."
    status = Project.Status.PROPOSED


def active_club(members: int = 5, *, officer=None, users=(), **kwargs) -> Club:
    """An active club with `members` members (the given `users` first, with accounts) and
    `officer` (a user) as its gérant for the current year."""
    club = ClubFactory(**kwargs)
    made = []
    for index in range(members):
        user = users[index] if index < len(users) else None
        made.append(MemberFactory(club=club, user=user, name=f"Membre {index + 1}"))
    if officer is not None:
        manager = next((m for m in made if m.user_id == officer.pk), None)
        if manager is None:
            manager = MemberFactory(club=club, user=officer, name="Gérante")
        today = datetime.date.today()
        OfficerTerm.objects.create(
            club=club,
            member=manager,
            role=OfficerRole.MANAGER,
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=300),
        )
    return club


def save_months(club: Club, actor, months: list[datetime.date], amount=Decimal("50")) -> None:
    """Every current member saves `amount` each month, through the service."""
    members = list(club.members.filter(left_on__isnull=True))
    for month in months:
        services.record_month(
            actor=actor, club=club, month=month, amounts=dict.fromkeys(members, amount)
        )
