"""Merging duplicate holders: actions move, nothing is deleted, the audit stays readable."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from essor.support import selectors, services
from essor.support.models import ConsentScope, ProjectHolder, Stage
from tests.factories import OrganisationFactory, sector
from tests.support.factories import ActionFactory, ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _merge(world, keep, duplicate):
    return services.merge_holders(
        keep=keep, duplicate=duplicate, actor=world.users["agency_staff"], reason="Même personne."
    )


def test_merge_moves_actions_and_sectors(world):
    keep = ProjectHolderFactory(sectors=[sector("culture")])
    duplicate = ProjectHolderFactory(sectors=[sector("tourisme")])
    action = ActionFactory(holder=duplicate)

    _merge(world, keep, duplicate)

    action.refresh_from_db()
    assert action.holder == keep
    assert set(keep.sectors.values_list("slug", flat=True)) == {"culture", "tourisme"}


def test_merge_keeps_the_duplicate_marked_and_out_of_the_lists(world):
    keep, duplicate = ProjectHolderFactory(), ProjectHolderFactory()

    _merge(world, keep, duplicate)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert ProjectHolder.objects.filter(pk=duplicate.pk).exists()
    assert duplicate not in selectors.active_holders()


def test_merge_fills_contact_details_with_their_consent(world):
    keep = ProjectHolderFactory()
    duplicate = ProjectHolderFactory(
        email="a@example.org", consent_on=D(2025, 1, 1), consent_scope=ConsentScope.PARTNERS
    )

    _merge(world, keep, duplicate)

    keep.refresh_from_db()
    assert (keep.email, keep.consent_on, keep.consent_scope) == (
        "a@example.org",
        D(2025, 1, 1),
        ConsentScope.PARTNERS,
    )


def test_the_kept_holder_shows_the_duplicates_audit(world):
    keep, duplicate = ProjectHolderFactory(), ProjectHolderFactory()
    services.update_holder(holder=duplicate, actor=world.users["agency_staff"], data={"idea": "X"})

    _merge(world, keep, duplicate)

    actions = {entry.action for entry in selectors.holder_history(keep)}
    assert {"support.holder.update", "support.holder.merge"} <= actions


def test_a_holder_cannot_be_merged_twice(world):
    keep, duplicate = ProjectHolderFactory(), ProjectHolderFactory()
    _merge(world, keep, duplicate)

    with pytest.raises(ValidationError, match="déjà été fusionnée"):
        _merge(world, ProjectHolderFactory(), duplicate)


def test_a_created_project_is_not_merged_into_an_unfinished_one(world):
    keep = ProjectHolderFactory()
    duplicate = ProjectHolderFactory(
        stage=Stage.CREATION,
        emergence_on=D(2025, 4, 1),
        structuring_on=D(2025, 5, 1),
        creation_date=D(2025, 6, 1),
        organisation=OrganisationFactory(),
    )
    with pytest.raises(ValidationError, match="conservez plutôt"):
        _merge(world, keep, duplicate)


def test_merge_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.merge_holders(
            keep=ProjectHolderFactory(),
            duplicate=ProjectHolderFactory(),
            actor=world.users["agency_staff"],
            reason="",
        )


def test_merge_keeps_the_earliest_first_contact_whatever_the_stage(world):
    keep = ProjectHolderFactory(
        first_contact_on=D(2025, 3, 10), stage=Stage.EMERGENCE, emergence_on=D(2025, 4, 1)
    )
    duplicate = ProjectHolderFactory(first_contact_on=D(2024, 11, 5))

    _merge(world, keep, duplicate)

    keep.refresh_from_db()
    assert keep.first_contact_on == D(2024, 11, 5)
