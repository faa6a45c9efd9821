"""Reads of the third places: availability grids, a member's bookings, the manager's lists, the
invoices' chain check and the accountant's export. Each list reads a constant number of queries."""

import calendar
import dataclasses
import datetime
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.utils import timezone

from essor.tierslieu import slots
from essor.tierslieu.models import (
    Booking,
    Invoice,
    InvoiceKind,
    Member,
    Place,
    SolidarityGrant,
    Space,
)
from essor.tierslieu.services import family_ids, invoice_fingerprint


def public_places():
    return Place.objects.filter(is_public=True).select_related("commune").order_by("name")


def place_spaces(place: Place) -> list[Space]:
    return list(Space.objects.filter(place=place).select_related("parent").order_by("name"))


def tree(spaces: list[Space]) -> list[tuple[Space, int]]:
    """The spaces in tree order with their depth (for an indented list)."""
    children: dict[int | None, list[Space]] = {}
    for space in spaces:
        children.setdefault(space.parent_id, []).append(space)
    ordered: list[tuple[Space, int]] = []

    def walk(parent_id, depth):
        for space in children.get(parent_id, []):
            ordered.append((space, depth))
            walk(space.pk, depth + 1)

    walk(None, 0)
    return ordered


@dataclasses.dataclass
class DayGrid:
    day: datetime.date
    closed: bool
    slots: list[slots.Slot]

    @property
    def free_count(self) -> int:
        return sum(1 for slot in self.slots if slot.free)


def month_grid(space: Space, year: int, month: int) -> list[DayGrid]:
    """Each day of the month with its slots, free or taken, for `space` (its tree included).
    Four queries whatever the month holds: spaces, hours, closures, bookings."""
    place = space.place
    spaces = list(Space.objects.filter(place=place).only("pk", "parent_id"))
    family = family_ids(space, spaces)
    hours = list(place.opening_hours.all())
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    closures = list(place.closures.filter(starts_on__lte=last, ends_on__gte=first))
    bookings = list(
        Booking.objects.filter(
            space_id__in=family,
            status=Booking.Status.CONFIRMED,
            starts_at__lt=slots.at(last + datetime.timedelta(days=1), 0),
            ends_at__gt=slots.at(first, 0),
        )
        .only("space_id", "starts_at", "ends_at")
        .order_by("starts_at")
    )
    by_day: dict[datetime.date, list] = {}
    for booking in bookings:
        day = slots.local(booking.starts_at).date()
        last_day = slots.local(booking.ends_at - datetime.timedelta(microseconds=1)).date()
        while day <= last_day:
            by_day.setdefault(day, []).append(booking)
            day += datetime.timedelta(days=1)
    days = []
    now = timezone.now()
    for number in range(1, last.day + 1):
        day = datetime.date(year, month, number)
        closed = slots.is_closed_on(day, closures)
        periods = [
            slots.Period(h.opens_at, h.closes_at) for h in hours if h.weekday == day.weekday()
        ]
        of_day = by_day.get(day, [])
        grid = []
        for starts_at, ends_at, label in slots.day_slots(
            day, slot_minutes=space.slot_minutes, periods=periods
        ):
            overlapping = [b for b in of_day if b.starts_at < ends_at and b.ends_at > starts_at]
            blocked = any(b.space_id != space.pk for b in overlapping)
            taken = sum(1 for b in overlapping if b.space_id == space.pk)
            grid.append(
                slots.Slot(
                    starts_at=starts_at,
                    ends_at=ends_at,
                    taken=space.capacity if blocked else taken,
                    capacity=space.capacity,
                    closed=closed or starts_at <= now,
                    label=label,
                )
            )
        days.append(DayGrid(day=day, closed=closed or not periods, slots=grid))
    return days


def member_of(user, place: Place) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(place=place, user=user).first()


def memberships(user):
    return Member.objects.filter(user=user).select_related("place").order_by("place__name")


def member_bookings(member: Member, *, upcoming: bool = True):
    bookings = Booking.objects.filter(member=member).select_related("space")
    now = timezone.now()
    if upcoming:
        return bookings.filter(ends_at__gt=now).order_by("starts_at")
    return bookings.filter(ends_at__lte=now).order_by("-starts_at")


def place_bookings(place: Place, day: datetime.date):
    return (
        Booking.objects.filter(
            place=place,
            starts_at__gte=slots.at(day, 0),
            starts_at__lt=slots.at(day + datetime.timedelta(days=1), 0),
        )
        .select_related("space", "member")
        .order_by("starts_at", "space__name")
    )


def place_members(place: Place):
    return (
        Member.objects.filter(place=place)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "grants",
                queryset=SolidarityGrant.objects.filter(status=SolidarityGrant.Status.GRANTED),
                to_attr="granted",
            )
        )
    )


def grants_to_review(place: Place):
    return (
        SolidarityGrant.objects.filter(member__place=place, status=SolidarityGrant.Status.SUBMITTED)
        .select_related("member")
        .order_by("submitted_at")
    )


def invoices(place: Place, *, year: int | None = None):
    found = Invoice.objects.filter(place=place).select_related("corrects", "member")
    if year:
        found = found.filter(year=year)
    return found.annotate(paid=Sum("payments__amount")).order_by("-year", "-sequence")


def member_invoices(member: Member):
    return (
        Invoice.objects.filter(member=member)
        .select_related("corrects")
        .annotate(paid=Sum("payments__amount"))
        .order_by("-issued_on", "-sequence")
    )


def chain_problems(place: Place) -> list[str]:
    """Whatever shows that an invoice was altered, removed or inserted (French), in order: a
    fingerprint that no longer matches, a broken link to the previous one, a gap in a year."""
    found = []
    previous_hash = ""
    expected: dict[int, int] = {}
    invoices_of_place = (
        Invoice.objects.filter(place=place)
        .select_related("corrects")
        .prefetch_related("lines")
        .order_by("created_at", "pk")
    )
    for invoice in invoices_of_place:
        if invoice.previous_hash != previous_hash:
            found.append(f"{invoice.number} : le lien avec la facture précédente est rompu.")
        if invoice_fingerprint(invoice, list(invoice.lines.all())) != invoice.hash:
            found.append(f"{invoice.number} : son contenu ne correspond plus à son empreinte.")
        wanted = expected.get(invoice.year, 1)
        if invoice.sequence != wanted:
            found.append(
                f"{invoice.number} : numéro {invoice.sequence} alors que le {wanted} était attendu."
            )
        expected[invoice.year] = invoice.sequence + 1
        previous_hash = invoice.hash
    return found


ACCOUNTING_HEADERS = [
    "Date",
    "Numéro",
    "Type",
    "Facture corrigée",
    "Client",
    "SIRET du client",
    "Total HT",
    "Taux de TVA",
    "TVA",
    "Total TTC",
    "Échéance",
    "Payé",
    "Empreinte",
]


def accounting_rows(place: Place, year: int):
    """One row per invoice and credit note of the year, for the accountant's sales journal."""
    for invoice in (
        Invoice.objects.filter(place=place, year=year)
        .select_related("corrects")
        .prefetch_related("lines")
        .annotate(paid=Sum("payments__amount"))
        .order_by("sequence")
    ):
        lines = list(invoice.lines.all())
        rate = lines[0].vat_rate if lines else Decimal(0)
        yield [
            invoice.issued_on,
            invoice.number,
            "Avoir" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Facture",
            invoice.corrects.number if invoice.corrects_id else "",
            invoice.buyer_name,
            invoice.buyer_siret,
            invoice.total_excl_vat,
            rate,
            invoice.total_vat,
            invoice.total_incl_vat,
            invoice.due_on,
            invoice.paid or Decimal("0.00"),
            invoice.hash,
        ]
