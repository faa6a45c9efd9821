import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from essor.accounts.models import Membership, Role
from essor.directory import services
from essor.directory.models import Organisation, OrganisationClaim, ProfileRevision
from essor.directory.selectors import public_organisations
from essor.directory.selectors_backoffice import audit_entries
from tests.backoffice.helpers import audit_actions
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sector,
)


@pytest.fixture
def duplicate(world):
    organisation = OrganisationFactory(
        name="Jardins du Littoral (doublon)", siren=None, rna="W595009999", acronym="JDL"
    )
    organisation.sectors.add(sector("environnement"))
    return organisation


def _merge(world, duplicate, actor_role="agency_staff"):
    return services.merge_organisations(
        keep=world.structure,
        duplicate=duplicate,
        actor=world.users[actor_role],
        reason="Même association saisie deux fois.",
    )


def test_merge_moves_establishments_and_keeps_a_single_head_office(world, duplicate):
    kept_head_office = EstablishmentFactory(organisation=world.structure)
    moved = EstablishmentFactory(organisation=duplicate, siret=None)

    _merge(world, duplicate)

    moved.refresh_from_db()
    assert moved.organisation == world.structure
    assert not moved.is_head_office
    assert world.structure.establishments.get(is_head_office=True) == kept_head_office


def test_merge_moves_memberships_and_keeps_the_higher_role(world, duplicate):
    newcomer = MembershipFactory(organisation=duplicate, role=Role.ORGANISATION_MEMBER).user
    member = world.users["organisation_member"]
    MembershipFactory(user=member, organisation=duplicate, role=Role.ORGANISATION_ADMIN)
    admin = world.users["organisation_admin"]
    MembershipFactory(user=admin, organisation=duplicate, role=Role.ORGANISATION_MEMBER)

    _merge(world, duplicate)

    roles = dict(
        Membership.objects.filter(organisation=world.structure).values_list("user", "role")
    )
    assert roles[newcomer.pk] == Role.ORGANISATION_MEMBER
    assert roles[member.pk] == Role.ORGANISATION_ADMIN
    assert roles[admin.pk] == Role.ORGANISATION_ADMIN
    assert not Membership.objects.filter(organisation=duplicate).exists()


def test_merge_marks_the_duplicate_and_takes_it_out_of_the_public_directory(world, duplicate):
    _merge(world, duplicate)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == world.structure
    assert duplicate not in public_organisations()
    assert Organisation.objects.filter(pk=duplicate.pk).exists()  # never deleted


def test_merge_moves_sectors_identifiers_and_blank_facts(world, duplicate):
    _merge(world, duplicate)

    world.structure.refresh_from_db()
    assert world.structure.rna == "W595009999"
    assert world.structure.acronym == "JDL"
    assert "environnement" in set(world.structure.sectors.values_list("slug", flat=True))


def test_merge_moves_revisions_and_claims(world, duplicate):
    revision = ProfileRevision.objects.create(organisation=duplicate, data={"phone": "03"})
    claim = OrganisationClaim.objects.create(
        organisation=duplicate, user=UserFactory(), position="DG"
    )

    _merge(world, duplicate)

    revision.refresh_from_db()
    claim.refresh_from_db()
    assert revision.organisation == world.structure
    assert claim.organisation == world.structure
    assert claim.status == OrganisationClaim.Status.PENDING


def test_merge_closes_a_pending_revision_that_would_clash(world, duplicate):
    ProfileRevision.objects.create(organisation=world.structure, data={"phone": "01"})
    clashing = ProfileRevision.objects.create(organisation=duplicate, data={"phone": "02"})

    _merge(world, duplicate)

    clashing.refresh_from_db()
    assert clashing.status == ProfileRevision.Status.REJECTED
    assert world.structure.revisions.filter(status="pending").count() == 1


def test_merge_writes_audit_entries_on_both_and_keeps_history_reachable(world, duplicate):
    services.update_organisation(
        organisation=duplicate, actor=world.users["agency_admin"], data={"phone": "03 28"}
    )

    _merge(world, duplicate)

    assert "directory.organisation.merge" in audit_actions(world.structure)
    assert "directory.organisation.merge_into" in audit_actions(duplicate)
    history = set(audit_entries(organisation=world.structure).values_list("action", flat=True))
    assert "directory.organisation.update" in history  # the duplicate's past edit


def test_an_organisation_cannot_be_merged_twice(world, duplicate):
    _merge(world, duplicate)

    with pytest.raises(ValidationError, match="déjà été fusionnée"):
        services.merge_organisations(
            keep=world.other_structure,
            duplicate=duplicate,
            actor=world.users["agency_staff"],
            reason="Encore",
        )


def test_the_merge_page_merges_the_other_organisation_into_this_one(agency_client, world):
    other = world.other_structure
    url = reverse("directory:staff_organisation_merge", kwargs={"pk": world.structure.pk})

    response = agency_client.post(
        url, {"other": other.siren, "keep": "this", "reason": "Doublon", "confirm": "on"}
    )

    assert response.status_code == 302
    other.refresh_from_db()
    assert other.merged_into == world.structure


def test_the_merge_page_can_keep_the_other_organisation(agency_client, world):
    url = reverse("directory:staff_organisation_merge", kwargs={"pk": world.structure.pk})

    agency_client.post(
        url,
        {"other": str(world.other_structure.pk), "keep": "other", "reason": "x", "confirm": "on"},
    )

    world.structure.refresh_from_db()
    assert world.structure.merged_into == world.other_structure


def test_the_merge_page_refuses_an_unknown_organisation(agency_client, world):
    url = reverse("directory:staff_organisation_merge", kwargs={"pk": world.structure.pk})

    response = agency_client.post(
        url, {"other": "999999999", "keep": "this", "reason": "x", "confirm": "on"}
    )

    assert "Aucune structure ne porte le SIREN ou le numéro « 999999999 »" in (
        response.content.decode()
    )
    assert not Organisation.objects.filter(merged_into__isnull=False).exists()
