"""Bookings: whole slots, inside opening hours, never overlapping — the same space, its tree, the
capacity of shared desks — with prices and cancellation fees."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from essor.tierslieu import services
from essor.tierslieu.models import Booking, Closure, SolidarityGrant, Subscription
from tests.tierslieu.factories import monthly_plan

pytestmark = pytest.mark.django_db


def _book(tl, space, start, end, member=None, actor=None):
    member = member or tl.alice
    return services.book(
        space=space, starts_at=start, ends_at=end, actor=actor or member.user, member=member
    )


def _messages(error) -> str:
    return " ".join(error.value.messages)


def test_a_member_books_a_free_slot_at_the_hourly_price(tl):
    booking = _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 12))

    assert booking.status == Booking.Status.CONFIRMED
    assert booking.price == Decimal("40.00")
    assert booking.exclusive


def test_an_overlapping_booking_of_the_same_room_is_refused(tl):
    _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 12))

    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_b, tl.at(2, 11), tl.at(2, 13), member=tl.bruno)
    assert "« Salle du Phare » est déjà réservé sur ce créneau" in _messages(error)
    assert Booking.objects.count() == 1


def test_back_to_back_bookings_do_not_overlap(tl):
    _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 12))
    _book(tl, tl.room_b, tl.at(2, 12), tl.at(2, 13), member=tl.bruno)

    assert Booking.objects.count() == 2


def test_a_booked_room_blocks_the_hall_that_contains_it(tl):
    _book(tl, tl.room_a, tl.at(2, 10), tl.at(2, 11))

    with pytest.raises(ValidationError) as error:
        _book(tl, tl.hall, tl.at(2, 9), tl.at(2, 18), member=tl.bruno)
    assert "« Salle Jean Bart » est réservé sur ce créneau" in _messages(error)


def test_a_booked_hall_blocks_the_rooms_it_contains(tl):
    _book(tl, tl.hall, tl.at(2, 9), tl.at(2, 18))

    with pytest.raises(ValidationError):
        _book(tl, tl.room_b, tl.at(2, 14), tl.at(2, 15), member=tl.bruno)


def test_two_rooms_of_one_hall_are_booked_at_the_same_time(tl):
    _book(tl, tl.room_a, tl.at(2, 10), tl.at(2, 11))
    _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 11), member=tl.bruno)

    assert Booking.objects.count() == 2


def test_shared_desks_take_bookings_up_to_their_capacity(tl):
    for _ in range(3):
        services.book(
            space=tl.desks,
            starts_at=tl.at(2, 9),
            ends_at=tl.at(2, 12),
            actor=tl.manager,
            outsider_name="Visiteur",
        )

    with pytest.raises(ValidationError) as error:
        _book(tl, tl.desks, tl.at(2, 11), tl.at(2, 13))
    assert "Les 3 postes de « Plateau partagé » sont tous réservés" in _messages(error)


def test_shared_desks_count_the_peak_not_every_booking_of_the_day(tl):
    # Three bookings that never overlap each other leave room for a fourth over all of them.
    for hour in (9, 11, 13):
        _book(tl, tl.desks, tl.at(2, hour), tl.at(2, hour + 1), member=tl.bruno)
    _book(tl, tl.desks, tl.at(2, 8), tl.at(2, 18))
    _book(tl, tl.desks, tl.at(2, 8), tl.at(2, 18), member=tl.bruno)

    assert Booking.objects.filter(space=tl.desks).count() == 5


def test_a_booking_off_the_slot_grid_is_refused(tl):
    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_a, tl.at(2, 10, 15), tl.at(2, 11))
    assert "créneaux de 30 minutes" in _messages(error)


def test_a_half_hour_slot_of_a_half_hour_room_is_accepted(tl):
    booking = _book(tl, tl.room_a, tl.at(2, 10, 30), tl.at(2, 11))

    assert booking.price == Decimal("12.50")


def test_a_booking_outside_opening_hours_is_refused(tl):
    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_b, tl.at(2, 19), tl.at(2, 21))
    assert "pas dans les horaires d'ouverture" in _messages(error)


def test_a_booking_on_a_closed_day_is_refused(tl):
    day = timezone.localdate() + datetime.timedelta(days=2)
    Closure.objects.create(place=tl.place, starts_on=day, ends_on=day, reason="Inventaire")

    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 11))
    assert f"Le lieu est fermé le {day:%d/%m/%Y}" in _messages(error)


def test_a_slot_after_midnight_in_paris_belongs_to_its_paris_day(tl):
    # 00:30 in Paris is the previous day in UTC: the closure of the Paris day must apply.
    tl.place.opening_hours.update(opens_at=datetime.time(0))
    day = timezone.localdate() + datetime.timedelta(days=3)
    Closure.objects.create(place=tl.place, starts_on=day, ends_on=day)

    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_a, tl.at(3, 0, 30), tl.at(3, 1))
    assert f"fermé le {day:%d/%m/%Y}" in _messages(error)


def test_a_past_slot_is_refused(tl):
    with pytest.raises(ValidationError) as error:
        _book(tl, tl.room_b, tl.at(-1, 10), tl.at(-1, 11))
    assert "Ce créneau est passé" in _messages(error)


def test_a_member_cannot_book_for_another_member(tl):
    with pytest.raises(PermissionDenied):
        _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 11), member=tl.bruno, actor=tl.alice.user)


def test_only_a_manager_books_for_an_outsider(tl):
    with pytest.raises(PermissionDenied):
        services.book(
            space=tl.room_b,
            starts_at=tl.at(2, 10),
            ends_at=tl.at(2, 11),
            actor=tl.alice.user,
            outsider_name="Une association",
        )

    booking = services.book(
        space=tl.room_b,
        starts_at=tl.at(2, 10),
        ends_at=tl.at(2, 11),
        actor=tl.manager,
        outsider_name="Une association",
    )
    assert booking.who == "Une association"


def test_a_space_that_is_not_bookable_by_the_slot_is_refused(tl):
    with pytest.raises(ValidationError) as error:
        _book(tl, tl.office, tl.at(2, 10), tl.at(2, 11))
    assert "ne se réserve pas au créneau" in _messages(error)


def test_a_monthly_plan_includes_meeting_room_hours_then_the_hourly_price(tl):
    plan = monthly_plan(tl.place, minutes=90)
    services.subscribe(member=tl.alice, plan=plan, actor=tl.manager, starts_on=timezone.localdate())

    first = _book(tl, tl.room_a, tl.at(1, 10), tl.at(1, 11))
    second = _book(tl, tl.room_a, tl.at(1, 14), tl.at(1, 15))

    assert (first.included_minutes, first.price) == (60, Decimal("0.00"))
    # 30 minutes left in the month, then 30 minutes at 25 € an hour.
    assert (second.included_minutes, second.price) == (30, Decimal("12.50"))


def test_a_granted_solidarity_price_applies_until_it_expires(tl):
    grant = SolidarityGrant.objects.create(
        member=tl.alice, profile="job_seeker", proof="preuve.pdf"
    )
    services.grant_solidarity_price(
        grant=grant, actor=tl.manager, valid_until=timezone.localdate() + datetime.timedelta(days=2)
    )

    on_time = _book(tl, tl.room_a, tl.at(2, 10), tl.at(2, 11))
    too_late = _book(tl, tl.room_a, tl.at(3, 10), tl.at(3, 11))

    assert (on_time.price, on_time.is_solidarity) == (Decimal("12.50"), True)
    assert (too_late.price, too_late.is_solidarity) == (Decimal("25.00"), False)


def test_a_member_cannot_grant_themself_the_solidarity_price(tl):
    grant = SolidarityGrant.objects.create(member=tl.alice, profile="job_seeker", proof="p.pdf")

    with pytest.raises(PermissionDenied):
        services.grant_solidarity_price(
            grant=grant, actor=tl.alice.user, valid_until=datetime.date(2099, 1, 1)
        )
    grant.refresh_from_db()
    assert grant.status == SolidarityGrant.Status.SUBMITTED


def test_cancelling_before_the_deadline_is_free(tl):
    booking = _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 12))

    services.cancel_booking(booking=booking, actor=tl.alice.user)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancellation_fee == Decimal("0.00")


def test_cancelling_after_the_deadline_costs_the_late_fee(tl):
    tl.place.cancellation_hours = 72
    tl.place.save()
    booking = _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 11))

    services.cancel_booking(booking=booking, actor=tl.alice.user)

    booking.refresh_from_db()
    assert booking.cancellation_fee == Decimal("10.00")  # half of 20 €


def test_the_fee_is_due_exactly_after_the_deadline(tl):
    booking = _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 11))
    deadline = booking.starts_at - datetime.timedelta(hours=24)

    assert services.cancellation_fee(booking, deadline) == Decimal("0.00")
    assert services.cancellation_fee(booking, deadline + datetime.timedelta(seconds=1)) == Decimal(
        "10.00"
    )


def test_a_manager_may_waive_the_fee_but_not_a_member(tl):
    booking = _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 11))

    with pytest.raises(PermissionDenied):
        services.cancel_booking(booking=booking, actor=tl.alice.user, waive_fee=True)
    services.cancel_booking(booking=booking, actor=tl.manager, waive_fee=True)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_cancelled_slot_can_be_booked_again(tl):
    booking = _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 11))
    services.cancel_booking(booking=booking, actor=tl.alice.user)

    _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 11), member=tl.bruno)

    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 1


def test_another_member_cannot_cancel_a_booking(tl):
    booking = _book(tl, tl.room_b, tl.at(3, 10), tl.at(3, 11))

    with pytest.raises(PermissionDenied):
        services.cancel_booking(booking=booking, actor=tl.bruno.user)


def test_the_database_refuses_an_overlap_that_skips_the_service(tl):
    _book(tl, tl.room_b, tl.at(2, 10), tl.at(2, 12))
    overlapping = Booking(
        place=tl.place,
        space=tl.room_b,
        member=tl.bruno,
        starts_at=tl.at(2, 11),
        ends_at=tl.at(2, 13),
    )

    if connection.vendor == "postgresql":
        with (
            pytest.raises(IntegrityError, match="tierslieu_booking_no_overlap"),
            transaction.atomic(),
        ):
            overlapping.save()
    else:
        # SQLite has no exclusion constraint: the booking service is the guard (tests above).
        overlapping.save()
        assert Booking.objects.filter(space=tl.room_b).count() == 2


def test_a_card_visit_is_used_at_check_in_and_refused_when_none_is_left(tl):
    from essor.tierslieu.models import Plan, PlanKind

    card = Plan.objects.create(
        place=tl.place, name="Carte 2 passages", kind=PlanKind.VISIT_CARD, price=Decimal("30"),
        visits=2,
    )  # fmt: skip
    subscription = services.subscribe(
        member=tl.alice, plan=card, actor=tl.manager, starts_on=timezone.localdate()
    )
    today = timezone.localdate()
    services.check_in(member=tl.alice, actor=tl.manager, day=today)
    services.check_in(member=tl.alice, actor=tl.manager, day=today + datetime.timedelta(days=1))

    with pytest.raises(ValidationError) as error:
        services.check_in(member=tl.alice, actor=tl.manager, day=today + datetime.timedelta(days=2))
    assert "n'a ni abonnement ni passage restant" in _messages(error)
    subscription.refresh_from_db()
    assert subscription.visits_left == 0
    assert Subscription.objects.get(pk=subscription.pk).check_ins.count() == 2
