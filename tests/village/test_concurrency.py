"""Two allocations of one stand at the same moment: the database keeps one."""

import datetime

import pytest
from django.utils import timezone

from essor.village import services, stamps
from essor.village.models import ExhibitorApplication, Stamp
from tests.concurrency import OK, run_together
from tests.village.factories import (
    ApplicationFactory,
    EditionFactory,
    StandFactory,
    ZoneFactory,
)

Status = ExhibitorApplication.Status


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_allocations_of_one_stand_give_it_once(world):
    stand = StandFactory()
    first, second = (
        ApplicationFactory(edition=stand.edition, status=Status.ACCEPTED) for _ in range(2)
    )
    agent = world.users["agency_staff"]

    outcomes = run_together(
        lambda: services.allocate_stand(application=first, stand=stand, actor=agent),
        lambda: services.allocate_stand(application=second, stand=stand, actor=agent),
    )

    assert sorted(outcome == OK for outcome in outcomes) == [False, True]
    assert ExhibitorApplication.objects.filter(stand=stand).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_scans_of_one_stand_stamp_the_passport_once():
    today = timezone.localdate()
    edition = EditionFactory(
        starts_on=today, ends_on=today, call_closes_on=today - datetime.timedelta(days=1)
    )
    stand = StandFactory(zone=ZoneFactory(edition=edition))
    services.key_of(stand)
    passport = services.new_passport(edition=edition)
    token = stamps.rotating_token(stand)

    outcomes = run_together(
        *(
            lambda: services.stamp(passport=passport, stand=stand, token=token, answer=None)
            for _ in range(2)
        )
    )

    assert sorted(outcome == OK for outcome in outcomes) == [False, True]
    assert Stamp.objects.count() == 1
