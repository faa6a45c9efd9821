"""Factories of the third places: a place open every day from 8:00 to 20:00, with a hall holding
two meeting rooms, an office and twenty shared desks; its manager and two members."""

import dataclasses
import datetime
from decimal import Decimal

from django.utils import timezone

from essor.accounts.models import Role
from essor.tierslieu.models import (
    Member,
    OpeningHours,
    Place,
    Plan,
    PlanKind,
    Space,
    SpaceKind,
    VatRegime,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, siret_for


@dataclasses.dataclass
class PlaceWorld:
    place: Place
    manager: object
    hall: Space
    room_a: Space
    room_b: Space
    office: Space
    desks: Space
    alice: Member
    bruno: Member
    outsider_user: object

    def at(self, days: int, hour: int, minute: int = 0) -> datetime.datetime:
        """An aware moment `days` from today at that local time."""
        day = timezone.localdate() + datetime.timedelta(days=days)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_place(*, name="Work&Co", slug="work-and-co", vat_regime=VatRegime.STANDARD) -> PlaceWorld:
    organisation = OrganisationFactory(name=f"{name} SCIC")
    manager = MembershipFactory(
        user=UserFactory(email=f"gestion@{slug}.example.org"),
        organisation=organisation,
        role=Role.ORGANISATION_ADMIN,
    ).user
    place = Place.objects.create(
        organisation=organisation,
        name=name,
        slug=slug,
        seller_siret=siret_for(organisation.siren),
        seller_address="5 rue du Port, 59140 Dunkerque",
        vat_regime=vat_regime,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(
            place=place, weekday=weekday, opens_at=datetime.time(8), closes_at=datetime.time(20)
        )
        for weekday in range(7)
    )
    hall = Space.objects.create(
        place=place, name="La Halle", kind=SpaceKind.HALL, hourly_price=Decimal("80.00")
    )
    room_a = Space.objects.create(
        place=place,
        parent=hall,
        name="Salle Jean Bart",
        kind=SpaceKind.MEETING_ROOM,
        hourly_price=Decimal("25.00"),
        solidarity_hourly_price=Decimal("12.50"),
        slot_minutes=30,
    )
    room_b = Space.objects.create(
        place=place,
        parent=hall,
        name="Salle du Phare",
        kind=SpaceKind.MEETING_ROOM,
        hourly_price=Decimal("20.00"),
    )
    office = Space.objects.create(
        place=place, name="Bureau 1", kind=SpaceKind.OFFICE, is_bookable=False
    )
    desks = Space.objects.create(
        place=place,
        name="Plateau partagé",
        kind=SpaceKind.HOT_DESKS,
        capacity=3,
        hourly_price=Decimal("3.00"),
    )
    alice = _member(place, "alice", "Alice Martin")
    bruno = _member(place, "bruno", "Bruno Lefebvre")
    return PlaceWorld(
        place=place,
        manager=manager,
        hall=hall,
        room_a=room_a,
        room_b=room_b,
        office=office,
        desks=desks,
        alice=alice,
        bruno=bruno,
        outsider_user=UserFactory(email=f"passant@{slug}.example.org"),
    )


def _member(place, key, name) -> Member:
    return Member.objects.create(
        place=place,
        user=UserFactory(email=f"{key}@{place.slug}.example.org", full_name=name),
        billing_name=name,
        billing_address="12 quai des Hollandais, 59140 Dunkerque",
        joined_on=datetime.date(2026, 1, 5),
    )


def monthly_plan(place, *, minutes=240, price="250.00", solidarity="150.00") -> Plan:
    return Plan.objects.create(
        place=place,
        name="Poste nomade au mois",
        kind=PlanKind.MONTHLY_DESK,
        price=Decimal(price),
        solidarity_price=Decimal(solidarity) if solidarity else None,
        included_meeting_minutes=minutes,
    )
