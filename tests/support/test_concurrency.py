"""Two people moving the same holder at once: the row lock lets only one transition through."""

import datetime

import pytest

from essor.accounts.models import Role
from essor.core.models import AuditLogEntry
from essor.support import services
from essor.support.models import ProjectHolder, Stage
from tests.concurrency import run_together
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.support.factories import ProjectHolderFactory


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_transitions_apply_only_once():
    holder = ProjectHolderFactory()
    agency = OrganisationFactory(is_agency=True)
    first, second = (
        MembershipFactory(organisation=agency, role=Role.AGENCY_STAFF).user for _ in range(2)
    )

    outcomes = run_together(
        lambda: services.advance_stage(
            holder=holder, actor=first, to=Stage.EMERGENCE, on=datetime.date(2025, 4, 1)
        ),
        lambda: services.advance_stage(
            holder=holder, actor=second, to=Stage.EMERGENCE, on=datetime.date(2025, 4, 2)
        ),
    )

    assert sorted(str(type(outcome).__name__) for outcome in outcomes) == ["ValidationError", "str"]
    holder = ProjectHolder.objects.get(pk=holder.pk)
    assert AuditLogEntry.objects.filter(action="support.holder.emerge").count() == 1
    assert holder.stage == Stage.EMERGENCE


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_merges_of_the_same_duplicate_apply_only_once():
    duplicate = ProjectHolderFactory()
    keep_a, keep_b = ProjectHolderFactory(), ProjectHolderFactory()
    actor = UserFactory()

    outcomes = run_together(
        lambda: services.merge_holders(keep=keep_a, duplicate=duplicate, actor=actor, reason="A"),
        lambda: services.merge_holders(keep=keep_b, duplicate=duplicate, actor=actor, reason="B"),
    )

    assert sorted(str(type(outcome).__name__) for outcome in outcomes) == ["ValidationError", "str"]
    assert AuditLogEntry.objects.filter(action="support.holder.merge_into").count() == 1
