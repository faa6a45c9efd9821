"""Two allocations of one stand at the same moment: the database keeps one."""

import pytest

from essor.village import services
from essor.village.models import ExhibitorApplication
from tests.concurrency import OK, run_together
from tests.village.factories import ApplicationFactory, StandFactory

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
