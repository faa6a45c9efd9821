import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_fsm_log.models import StateLog

from essor.accounts.models import Membership, Role
from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.directory import services
from essor.directory.models import OrganisationClaim
from tests.factories import MembershipFactory, UserFactory


def _claim_url(organisation):
    return reverse("directory:claim", kwargs={"pk": organisation.pk})


def _claim(client, world, user=None):
    user = user or world.users["authenticated"]
    client.force_login(user)
    return client.post(
        _claim_url(world.structure), {"position": "Présidente", "message": "Élue en juin."}
    )


def test_a_logged_in_person_can_claim_an_organisation(client, world):
    response = _claim(client, world)

    assert response.status_code == 302
    claim = OrganisationClaim.objects.get()
    assert (claim.user, claim.organisation, claim.status) == (
        world.users["authenticated"],
        world.structure,
        OrganisationClaim.Status.PENDING,
    )
    assert claim.position == "Présidente"
    assert AuditLogEntry.objects.filter(action="directory.claim.create").count() == 1


def test_a_second_pending_claim_is_refused_with_a_french_message(client, world):
    _claim(client, world)

    # Straight to the service, as if two tabs had been open: the DB constraint decides.
    with pytest.raises(ValidationError, match="déjà une demande en attente"):
        services.create_claim(
            organisation=world.structure, user=world.users["authenticated"], position="Trésorier"
        )
    assert OrganisationClaim.objects.count() == 1


def test_the_claim_page_tells_an_existing_admin_they_already_manage_it(client, world):
    client.force_login(world.users["organisation_admin"])

    response = client.post(_claim_url(world.structure), {"position": "Directeur"})

    assert response.status_code == 200
    assert "Vous administrez déjà cette structure" in response.content.decode()
    assert not OrganisationClaim.objects.exists()


def test_the_claim_page_shows_a_pending_claim_instead_of_the_form(client, world):
    _claim(client, world)

    response = client.get(_claim_url(world.structure))

    assert "est en attente" in response.content.decode()


def test_accepting_a_claim_makes_the_person_an_organisation_admin(agency_client, world):
    claimant = UserFactory()
    OrganisationClaim.objects.create(organisation=world.structure, user=claimant, position="DG")
    claim = OrganisationClaim.objects.get()

    response = agency_client.post(
        reverse("directory:claim_list"), {"claim": claim.pk, "decision": "accept"}
    )

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.ACCEPTED
    assert claim.reviewed_by == world.users["agency_staff"]
    membership = Membership.objects.get(user=claimant, organisation=world.structure)
    assert membership.role == Role.ORGANISATION_ADMIN
    assert AuditLogEntry.objects.filter(action="directory.claim.accept").exists()


def test_accepting_a_member_s_claim_promotes_the_existing_membership(agency_client, world):
    member = world.users["organisation_member"]
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=member, position="Trésorière"
    )

    agency_client.post(reverse("directory:claim_list"), {"claim": claim.pk, "decision": "accept"})

    assert Membership.objects.get(user=member, organisation=world.structure).role == (
        Role.ORGANISATION_ADMIN
    )


def test_refusing_a_claim_needs_a_comment_and_keeps_it_in_the_audit_log(agency_client, world):
    claimant = UserFactory()
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=claimant, position="Bénévole"
    )
    url = reverse("directory:claim_list")

    without_comment = agency_client.post(url, {"claim": claim.pk, "decision": "refuse"})
    assert without_comment.status_code == 400
    assert "Indiquez le motif du refus" in without_comment.content.decode()
    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.PENDING

    agency_client.post(
        url, {"claim": claim.pk, "decision": "refuse", "comment": "Lien non établi."}
    )

    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.REFUSED
    assert not Membership.objects.filter(user=claimant, organisation=world.structure).exists()
    entry = AuditLogEntry.objects.get(action="directory.claim.refuse")
    assert entry.message == "Lien non établi."


def test_a_refused_person_may_claim_again(client, world):
    claimant = UserFactory()
    OrganisationClaim.objects.create(
        organisation=world.structure,
        user=claimant,
        position="Bénévole",
        status=OrganisationClaim.Status.REFUSED,
    )

    _claim(client, world, user=claimant)

    assert OrganisationClaim.objects.filter(status=OrganisationClaim.Status.PENDING).count() == 1


def test_a_claim_cannot_be_accepted_twice(agency_client, world):
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=UserFactory(), position="DG"
    )
    url = reverse("directory:claim_list")
    agency_client.post(url, {"claim": claim.pk, "decision": "accept"})

    response = agency_client.post(url, {"claim": claim.pk, "decision": "refuse", "comment": "x"})

    assert "déjà été examinée" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.ACCEPTED


def test_an_admin_of_another_structure_is_not_admin_of_this_one(world):
    other_admin = MembershipFactory(
        organisation=world.other_structure, role=Role.ORGANISATION_ADMIN
    ).user
    claim = services.create_claim(
        organisation=world.structure, user=other_admin, position="Partenaire"
    )

    assert claim.status == OrganisationClaim.Status.PENDING


def test_the_claimant_sees_the_agency_s_answer_in_their_space(client, world):
    claimant = UserFactory()
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=claimant, position="Bénévole"
    )
    services.refuse_claim(
        claim=claim, reviewer=world.users["agency_staff"], comment="Lien non établi."
    )

    client.force_login(claimant)
    page = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Mes demandes de gestion" in page
    assert "Lien non établi." in page
    assert "Refusée" in page


def test_a_person_does_not_see_another_person_s_claims(client, world):
    OrganisationClaim.objects.create(
        organisation=world.structure, user=UserFactory(), position="Trésorier"
    )

    client.force_login(world.users["authenticated"])
    page = client.get(reverse("accounts:dashboard")).content.decode()

    assert "Mes demandes de gestion" not in page


# --- the claim's state machine -------------------------------------------------------------------


def test_a_decided_claim_cannot_take_another_transition(world):
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=UserFactory(), position="DG"
    )
    services.accept_claim(claim=claim, reviewer=world.users["agency_staff"])
    claim.refresh_from_db()

    with pytest.raises(ValidationError, match="« Refuser » est impossible"):
        workflow.perform(claim.refuse, actor=world.users["agency_staff"], reason="Trop tard.")

    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.ACCEPTED
    assert [log.transition for log in StateLog.objects.for_(claim)] == ["accept"]


def test_only_the_agency_decides_on_a_claim(world):
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=UserFactory(), position="DG"
    )

    with pytest.raises(PermissionDenied):
        services.accept_claim(claim=claim, reviewer=world.users["organisation_admin"])

    claim.refresh_from_db()
    assert claim.status == OrganisationClaim.Status.PENDING
    assert not StateLog.objects.for_(claim).exists()
    assert not Membership.objects.filter(user=claim.user).exists()


def test_a_decision_is_logged_with_its_reason(world):
    claim = OrganisationClaim.objects.create(
        organisation=world.structure, user=UserFactory(), position="DG"
    )

    services.refuse_claim(
        claim=claim, reviewer=world.users["agency_staff"], comment="Lien non établi."
    )

    [row] = workflow.history(claim)
    assert (row.label, row.target, row.reason, row.by) == (
        "Demande de gestion refusée",
        "Refusée",
        "Lien non établi.",
        world.users["agency_staff"],
    )
