import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_fsm_log.models import StateLog

from essor.accounts.models import Membership, Role
from essor.core.models import AuditLogEntry
from essor.directory import services
from essor.directory.models import Organisation, OrganisationClaim, ProfileRevision
from essor.directory.selectors import public_organisations
from essor.directory.selectors_backoffice import audit_entries
from essor.funding import selectors as funding_selectors
from essor.funding.models import Message
from essor.insertion.models import Siae
from essor.support.models import Stage
from essor.tierslieu.creche_models import FairTradeSupplier
from essor.tierslieu.models import Member as TierslieuMember
from essor.tierslieu.models import Place
from tests.accounts.factories import make_invitation
from tests.backoffice.helpers import audit_actions
from tests.cigales.factories import ClubFactory as CigalesClubFactory
from tests.cigales.factories import ProjectFactory as CigalesProjectFactory
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sector,
    siret_for,
)
from tests.foodlink.factories import BuyerProfileFactory, ProducerProfileFactory
from tests.funding.factories import ApplicationFactory, FunderProfileFactory, ShareFactory
from tests.insertion.factories import SiaeFactory
from tests.support.factories import ProjectHolderFactory
from tests.village.factories import ApplicationFactory as ExhibitorFactory


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


# --- everything that points to the duplicate moves -----------------------------------------------


def _merge_into_structure(world, duplicate):
    return services.merge_organisations(
        keep=world.structure,
        duplicate=duplicate,
        actor=world.users["agency_staff"],
        reason="Même structure saisie deux fois.",
    )


def test_the_kept_structure_s_admin_sees_the_duplicate_s_applications(world):
    duplicate = OrganisationFactory()
    share = ShareFactory(application=ApplicationFactory(organisation=duplicate))

    _merge_into_structure(world, duplicate)

    share.refresh_from_db()
    assert share.application.organisation == world.structure
    assert share.organisation == world.structure  # the dashboards read the share's copy
    admin = world.users["organisation_admin"]
    assert share.application in funding_selectors.applications_for_applicant(admin)


def test_the_messages_written_as_the_duplicate_are_now_the_kept_structure_s(world):
    duplicate = OrganisationFactory()
    message = Message.objects.create(
        application=ApplicationFactory(), author_organisation=duplicate, body="Voici la pièce."
    )

    _merge_into_structure(world, duplicate)

    message.refresh_from_db()
    assert message.author_organisation == world.structure


def test_a_profile_of_the_duplicate_moves_when_the_kept_structure_has_none(world):
    duplicate = OrganisationFactory()
    siae = SiaeFactory(organisation=duplicate)

    _merge_into_structure(world, duplicate)

    siae.refresh_from_db()
    assert siae.organisation == world.structure


def test_a_merge_of_two_structures_with_the_same_profile_is_refused(world):
    duplicate = OrganisationFactory()
    SiaeFactory(organisation=world.structure)
    SiaeFactory(organisation=duplicate)
    application = ApplicationFactory(organisation=duplicate)

    with pytest.raises(ValidationError, match="chacune une fiche « SIAE »"):
        _merge_into_structure(world, duplicate)

    application.refresh_from_db()
    duplicate.refresh_from_db()
    assert application.organisation == duplicate  # nothing moved
    assert duplicate.merged_into is None


def test_a_siae_funded_by_both_is_funded_once_by_the_kept_structure(world):
    duplicate = OrganisationFactory()
    siae = SiaeFactory()
    siae.funders.add(world.structure, duplicate)

    _merge_into_structure(world, duplicate)

    assert list(siae.funders.all()) == [world.structure]


def test_pending_invitations_move_and_one_sent_by_both_is_kept_once(world):
    duplicate = OrganisationFactory()
    make_invitation(world.structure, email="both@example.org", token="a")
    twice = make_invitation(duplicate, email="both@example.org", token="b")
    moved = make_invitation(duplicate, email="only@example.org", token="c")

    _merge_into_structure(world, duplicate)

    twice.refresh_from_db()
    moved.refresh_from_db()
    assert moved.organisation == world.structure
    assert twice.revoked_at is not None
    pending = world.structure.invitations.filter(revoked_at__isnull=True)
    assert sorted(pending.values_list("email", flat=True)) == [
        "both@example.org",
        "only@example.org",
    ]


def test_a_pending_claim_of_the_same_person_on_both_is_refused_through_the_machine(world):
    duplicate = OrganisationFactory()
    person = UserFactory()
    OrganisationClaim.objects.create(organisation=world.structure, user=person, position="DG")
    twice = OrganisationClaim.objects.create(organisation=duplicate, user=person, position="DG")

    _merge_into_structure(world, duplicate)

    twice.refresh_from_db()
    assert (twice.organisation, twice.status) == (
        world.structure,
        OrganisationClaim.Status.REFUSED,
    )
    assert [log.transition for log in StateLog.objects.for_(twice)] == ["refuse"]


def test_organisations_merged_into_the_duplicate_earlier_now_lead_to_the_kept_one(world):
    duplicate = OrganisationFactory()
    older = OrganisationFactory(merged_into=duplicate)

    _merge_into_structure(world, duplicate)

    older.refresh_from_db()
    assert older.merged_into == world.structure


def _row_builders():
    """How to make a row that points to `organisation`, for every foreign key to Organisation.

    A module that adds a foreign key to Organisation adds its builder here: the test below
    fails until it does, so that the merge is checked for it."""
    return {
        ("accounts.membership", "organisation"): lambda org: MembershipFactory(organisation=org),
        ("accounts.invitation", "organisation"): lambda org: make_invitation(org, token="t"),
        ("directory.organisation_sectors", "organisation"): lambda org: org.sectors.add(
            sector("culture")
        ),
        ("directory.organisation", "merged_into"): lambda org: OrganisationFactory(merged_into=org),
        ("directory.establishment", "organisation"): lambda org: EstablishmentFactory(
            organisation=org
        ),
        ("directory.profilerevision", "organisation"): lambda org: ProfileRevision.objects.create(
            organisation=org, data={"phone": "03"}
        ),
        ("directory.organisationclaim", "organisation"): lambda org: (
            OrganisationClaim.objects.create(organisation=org, user=UserFactory(), position="DG")
        ),
        ("funding.funderprofile", "organisation"): lambda org: FunderProfileFactory(
            organisation=org
        ),
        ("funding.application", "organisation"): lambda org: ApplicationFactory(organisation=org),
        ("funding.share", "organisation"): lambda org: ShareFactory(
            application=ApplicationFactory(organisation=org)
        ),
        ("funding.message", "author_organisation"): lambda org: Message.objects.create(
            application=ApplicationFactory(), author_organisation=org, body="Bonjour."
        ),
        ("insertion.siae", "organisation"): lambda org: SiaeFactory(organisation=org),
        ("insertion.siae_funders", "organisation"): lambda org: SiaeFactory().funders.add(org),
        ("support.projectholder", "organisation"): lambda org: ProjectHolderFactory(
            stage=Stage.CREATION,
            emergence_on=datetime.date(2025, 4, 1),
            structuring_on=datetime.date(2025, 5, 1),
            creation_date=datetime.date(2025, 6, 1),
            organisation=org,
        ),
        ("foodlink.producerprofile", "organisation"): lambda org: ProducerProfileFactory(
            organisation=org
        ),
        ("foodlink.buyerprofile", "organisation"): lambda org: BuyerProfileFactory(
            organisation=org
        ),
        ("cigales.club", "association"): lambda org: CigalesClubFactory(association=org),
        ("cigales.project", "organisation"): lambda org: CigalesProjectFactory(organisation=org),
        ("village.exhibitorapplication", "organisation"): lambda org: ExhibitorFactory(
            organisation=org
        ),
        ("tierslieu.place", "organisation"): third_place_of,
        ("tierslieu.member", "organisation"): lambda org: TierslieuMember.objects.create(
            place=third_place_of(OrganisationFactory()),
            user=UserFactory(),
            organisation=org,
            billing_name="Membre",
            billing_address="1 rue du Port, 59140 Dunkerque",
            joined_on=datetime.date(2026, 1, 5),
        ),
        ("tierslieu.fairtradesupplier", "organisation"): lambda org: (
            FairTradeSupplier.objects.create(
                place=third_place_of(OrganisationFactory()), organisation=org, products="café"
            )
        ),
    }


def third_place_of(organisation):
    return Place.objects.create(
        organisation=organisation,
        name=f"Tiers-lieu {organisation.pk}",
        slug=f"tiers-lieu-{organisation.pk}",
        seller_siret=siret_for(organisation.siren),
        seller_address="1 rue du Port, 59140 Dunkerque",
    )


def _foreign_keys_to_organisation():
    """Every foreign key and one-to-one field to Organisation, of every model of every module
    (the tables of many-to-many relations included), read from the models' metadata."""
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Organisation
    ]


def test_every_foreign_key_to_organisation_has_a_row_builder_in_this_test():
    found = {
        (model._meta.label_lower, field.name) for model, field in _foreign_keys_to_organisation()
    }

    assert found == set(_row_builders()), (
        "Une clé étrangère vers Organisation n'a pas de cas dans le test de fusion : "
        f"{sorted(found ^ set(_row_builders()))}"
    )


def test_after_a_merge_nothing_points_to_the_duplicate(world):
    duplicate = OrganisationFactory()
    builders = _row_builders()
    for model, field in _foreign_keys_to_organisation():
        builders[(model._meta.label_lower, field.name)](duplicate)
        assert model._base_manager.filter(**{field.name: duplicate}).exists(), model

    _merge_into_structure(world, duplicate)

    left = [
        f"{model._meta.label}.{field.name}"
        for model, field in _foreign_keys_to_organisation()
        if model._base_manager.filter(**{field.name: duplicate}).exists()
    ]
    assert left == []


def test_a_row_that_would_break_another_module_s_unique_rule_refuses_the_merge_in_french(world):
    duplicate = OrganisationFactory()
    SiaeFactory(organisation=world.structure)
    SiaeFactory(organisation=duplicate)
    siae_field = next(
        field for field in services.relations_to_organisation() if field.model is Siae
    )

    with pytest.raises(ValidationError, match="Fusion impossible : des éléments « SIAE »"):
        services._move_rows(siae_field, world.structure, duplicate, world.users["agency_staff"])


def test_the_merge_page_says_why_a_merge_is_refused(agency_client, world):
    SiaeFactory(organisation=world.structure)
    SiaeFactory(organisation=world.other_structure)
    url = reverse("directory:staff_organisation_merge", kwargs={"pk": world.structure.pk})

    response = agency_client.post(
        url, {"other": world.other_structure.siren, "keep": "this", "reason": "x", "confirm": "on"}
    )

    assert "ont chacune une fiche « SIAE »" in response.content.decode()
    world.other_structure.refresh_from_db()
    assert world.other_structure.merged_into is None


def test_the_merge_entry_counts_what_moved_of_each_kind(world):
    duplicate = OrganisationFactory()
    ApplicationFactory(organisation=duplicate)
    OrganisationFactory(merged_into=duplicate)

    _merge_into_structure(world, duplicate)

    entry = AuditLogEntry.objects.get(action="directory.organisation.merge")
    assert entry.changes["dossiers de demande"] == 1
    assert entry.changes["structures fusionnées auparavant dans le doublon"] == 1
