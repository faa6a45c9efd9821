"""The person's memberships are read once per request and answer every permission rule."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.accounts.memberships import NO_MEMBERSHIPS, memberships_of_user
from essor.accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.funding import helpers


def _membership_queries(captured) -> list[str]:
    """The queries that read someone's memberships (not other tables joined to them)."""
    return [
        query["sql"]
        for query in captured.captured_queries
        if 'FROM "accounts_membership"' in query["sql"]
        and '"accounts_membership"."user_id" =' in query["sql"]
    ]


def test_the_memberships_give_roles_and_organisations_by_role(db):
    user = UserFactory()
    structure, other, funder, agency = OrganisationFactory.create_batch(4)
    MembershipFactory(user=user, organisation=structure, role=Role.ORGANISATION_ADMIN)
    MembershipFactory(user=user, organisation=other, role=Role.ORGANISATION_MEMBER)
    MembershipFactory(user=user, organisation=funder, role=Role.FUNDER_INSTRUCTOR)
    MembershipFactory(user=user, organisation=agency, role=Role.AGENCY_STAFF)

    memberships = memberships_of_user(user)

    assert memberships.roles == {
        Role.ORGANISATION_ADMIN,
        Role.ORGANISATION_MEMBER,
        Role.FUNDER_INSTRUCTOR,
        Role.AGENCY_STAFF,
    }
    assert memberships.administered_organisation_ids == {structure.pk}
    assert memberships.member_organisation_ids == {structure.pk, other.pk}
    assert memberships.funder_organisation_ids == {funder.pk}
    assert memberships.organisation_ids() == {structure.pk, other.pk, funder.pk, agency.pk}
    assert memberships.is_agency_member
    assert not memberships.is_agency_admin
    assert memberships.is_funder_instructor


def test_an_anonymous_visitor_has_no_memberships_and_costs_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert memberships_of_user(AnonymousUser()) is NO_MEMBERSHIPS
    assert not NO_MEMBERSHIPS.is_agency_member
    assert NO_MEMBERSHIPS.member_organisation_ids == set()


def test_the_memberships_are_read_once_per_user_object(world, django_assert_num_queries):
    user = world.users["organisation_admin"]
    with django_assert_num_queries(1):
        first = memberships_of_user(user)
        assert memberships_of_user(user) is first
    assert first.administered_organisation_ids == {world.structure.pk}


def test_a_page_with_many_permission_checks_reads_the_memberships_once(client, world):
    """The instructor's page of an application checks the navigation of four modules (agency,
    applicant, back-office, foodlink, insertion) and the funding rules of the page itself."""
    application_id = helpers.share_in_instruction(world).application_id
    client.force_login(world.users["funder_instructor"])
    url = reverse("funding:application_detail", args=[application_id])

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200

    assert len(_membership_queries(captured)) == 1


def test_a_person_with_several_roles_has_the_memberships_read_once_on_a_foodlink_page(
    client, world
):
    user = world.users["agency_staff"]
    MembershipFactory(user=user, organisation=world.structure, role=Role.ORGANISATION_ADMIN)
    client.force_login(user)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("foodlink:home")).status_code == 200

    assert len(_membership_queries(captured)) == 1
