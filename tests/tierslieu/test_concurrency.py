"""Many people at once: one slot gives exactly one booking (the same space, its tree, shared
desks), and invoices issued together get consecutive numbers, on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from essor.tierslieu import services
from essor.tierslieu.models import Booking, Invoice
from tests.concurrency import OK, run_together
from tests.tierslieu.factories import make_place

pytestmark = pytest.mark.django_db(transaction=True)


def _attempt(tl, space, start, end, name):
    def attempt():
        services.book(
            space=space, starts_at=start, ends_at=end, actor=tl.manager, outsider_name=name
        )

    return attempt


def test_twenty_attempts_on_one_slot_give_exactly_one_booking():
    tl = make_place()
    start, end = tl.at(2, 10), tl.at(2, 11)

    outcomes = run_together(
        *[_attempt(tl, tl.room_b, start, end, f"Personne {n}") for n in range(20)],
        expected=(ValidationError,),
    )

    assert outcomes.count(OK) == 1
    assert Booking.objects.filter(space=tl.room_b).count() == 1


def test_a_hall_and_its_room_booked_at_once_give_one_booking():
    tl = make_place()
    start, end = tl.at(2, 10), tl.at(2, 11)

    outcomes = run_together(
        _attempt(tl, tl.hall, start, end, "La halle"),
        _attempt(tl, tl.room_a, start, end, "La salle"),
        expected=(ValidationError,),
    )

    assert outcomes.count(OK) == 1
    assert Booking.objects.count() == 1


def test_shared_desks_never_exceed_their_capacity_under_concurrency():
    tl = make_place()
    start, end = tl.at(2, 9), tl.at(2, 12)

    outcomes = run_together(
        *[_attempt(tl, tl.desks, start, end, f"Nomade {n}") for n in range(8)],
        expected=(ValidationError,),
    )

    assert outcomes.count(OK) == 3
    assert Booking.objects.filter(space=tl.desks).count() == 3


def test_invoices_issued_at_once_get_consecutive_numbers_without_gap():
    tl = make_place()

    def issue(n):
        def run():
            services.issue_invoice(
                place=tl.place,
                actor=tl.manager,
                drafts=[services.LineDraft(f"Salle {n}", Decimal(1), Decimal("20.00"))],
                buyer_name=f"Client {n}",
                buyer_address="1 place Jean Bart, 59140 Dunkerque",
            )

        return run

    outcomes = run_together(*[issue(n) for n in range(10)])

    assert outcomes == [OK] * 10
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 11))
    # Each links to the one issued before it: one chain, no fork.
    hashes = list(Invoice.objects.order_by("created_at", "pk").values_list("previous_hash", "hash"))
    assert all(hashes[i][0] == hashes[i - 1][1] for i in range(1, len(hashes)))
