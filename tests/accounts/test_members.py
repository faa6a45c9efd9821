import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from essor.accounts import services
from essor.accounts.models import Membership, Role
from essor.core.models import AuditLogEntry
from tests.accounts.factories import make_invitation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def _membership(world, role):
    return world.users[role].memberships.get()


def test_members_page_lists_members_and_pending_invitations(client, world):
    make_invitation(world.structure, email="attente@example.org")
    make_invitation(world.other_structure, email="ailleurs@example.org", token="autre")
    client.force_login(world.users["organisation_admin"])
    page = client.get(reverse("accounts:members", kwargs={"pk": world.structure.pk}))
    content = page.content.decode()
    assert "organisation_member@example.org" in content
    assert "attente@example.org" in content
    assert "ailleurs@example.org" not in content
    assert "agency_admin@example.org" not in content


def test_agency_staff_sees_members_without_management_forms(client, world):
    client.force_login(world.users["agency_staff"])
    page = client.get(reverse("accounts:members", kwargs={"pk": world.structure.pk}))
    assert page.status_code == 200
    assert not page.context["can_manage"]
    assert (
        reverse("accounts:invite", kwargs={"pk": world.structure.pk}) not in page.content.decode()
    )


def test_members_page_query_count_does_not_grow_with_members(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["organisation_admin"])
    url = reverse("accounts:members", kwargs={"pk": world.structure.pk})
    client.get(url)  # warm the session
    for n in range(3):
        make_invitation(world.structure, email=f"i{n}@example.org", token=f"t{n}")
    with django_assert_num_queries(6) as small:
        client.get(url)
    for n in range(10):
        MembershipFactory(organisation=world.structure)
        make_invitation(
            world.structure,
            email=f"j{n}@example.org",
            token=f"u{n}",
            invited_by=world.users["organisation_admin"],
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)


def test_admin_changes_a_member_role_and_it_is_audited(client, world):
    membership = _membership(world, "organisation_member")
    client.force_login(world.users["organisation_admin"])
    client.post(
        reverse("accounts:change_role", kwargs={"pk": membership.pk}),
        {"role": Role.ORGANISATION_ADMIN},
    )
    membership.refresh_from_db()
    assert membership.role == Role.ORGANISATION_ADMIN
    entry = AuditLogEntry.objects.get(action="accounts.membership.change_role")
    assert entry.changes == {"role": ["organisation_member", "organisation_admin"]}
    assert entry.actor == world.users["organisation_admin"]


def test_admin_cannot_promote_a_member_to_an_agency_role(world):
    with pytest.raises(ValidationError):
        services.change_role(
            actor=world.users["organisation_admin"],
            membership=_membership(world, "organisation_member"),
            role=Role.AGENCY_ADMIN,
        )
    assert _membership(world, "organisation_member").role == Role.ORGANISATION_MEMBER


def test_admin_removes_a_member_and_it_is_audited(client, world):
    membership = _membership(world, "organisation_member")
    client.force_login(world.users["organisation_admin"])
    client.post(reverse("accounts:remove_member", kwargs={"pk": membership.pk}))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    entry = AuditLogEntry.objects.get(action="accounts.membership.remove")
    assert entry.target_id == str(membership.pk)
    assert entry.changes["user"] == "organisation_member@example.org"


def test_the_last_admin_cannot_be_removed(client, world):
    membership = _membership(world, "organisation_admin")
    client.force_login(world.users["agency_admin"])
    response = client.post(
        reverse("accounts:remove_member", kwargs={"pk": membership.pk}), follow=True
    )
    assert "doit garder au moins un administrateur" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditLogEntry.objects.filter(action="accounts.membership.remove").exists()


def test_the_last_admin_cannot_demote_themself(world):
    membership = _membership(world, "organisation_admin")
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.change_role(
            actor=world.users["organisation_admin"],
            membership=membership,
            role=Role.ORGANISATION_MEMBER,
        )
    membership.refresh_from_db()
    assert membership.role == Role.ORGANISATION_ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(world):
    MembershipFactory(organisation=world.structure, role=Role.ORGANISATION_ADMIN)
    membership = services.change_role(
        actor=world.users["organisation_admin"],
        membership=_membership(world, "organisation_admin"),
        role=Role.ORGANISATION_MEMBER,
    )
    assert membership.role == Role.ORGANISATION_MEMBER


def test_the_last_agency_admin_cannot_be_removed(world):
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        services.remove_member(
            actor=world.users["agency_admin"], membership=_membership(world, "agency_admin")
        )


def test_organisation_member_cannot_change_roles(client, world):
    client.force_login(world.users["organisation_member"])
    response = client.post(
        reverse(
            "accounts:change_role", kwargs={"pk": _membership(world, "organisation_member").pk}
        ),
        {"role": Role.ORGANISATION_ADMIN},
    )
    assert response.status_code == 403
    assert _membership(world, "organisation_member").role == Role.ORGANISATION_MEMBER


@pytest.mark.django_db
def test_admin_of_another_organisation_cannot_remove_members_here(client):
    other_admin = MembershipFactory(role=Role.ORGANISATION_ADMIN).user
    target = MembershipFactory(organisation=OrganisationFactory())
    client.force_login(other_admin)
    response = client.post(reverse("accounts:remove_member", kwargs={"pk": target.pk}))
    assert response.status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()


def test_dashboard_shows_only_the_persons_own_memberships(client, world):
    person = world.users["organisation_admin"]
    MembershipFactory(user=UserFactory(), organisation=world.other_structure)
    client.force_login(person)
    page = client.get(reverse("accounts:dashboard"))
    organisations = [entry["membership"].organisation for entry in page.context["entries"]]
    assert organisations == [world.structure]
    content = page.content.decode()
    assert world.other_structure.name not in content
    assert reverse("accounts:members", kwargs={"pk": world.structure.pk}) in content
    assert page.context["staff_home_url"] is None


def test_dashboard_of_an_organisation_member_has_no_members_link(client, world):
    client.force_login(world.users["organisation_member"])
    page = client.get(reverse("accounts:dashboard"))
    assert page.context["entries"][0]["members_url"] is None


def test_dashboard_of_agency_staff_links_to_the_back_office(client, world):
    client.force_login(world.users["agency_staff"])
    page = client.get(reverse("accounts:dashboard"))
    assert page.context["staff_home_url"] == reverse("directory:staff_home")


def test_dashboard_links_to_the_public_page_of_an_ess_structure_only(client, world):
    person = world.users["organisation_admin"]
    MembershipFactory(user=person, organisation=world.funder, role=Role.ORGANISATION_MEMBER)
    client.force_login(person)
    entries = client.get(reverse("accounts:dashboard")).context["entries"]
    public_urls = {entry["membership"].organisation: entry["public_url"] for entry in entries}
    assert public_urls == {
        world.funder: None,
        world.structure: reverse("directory:organisation", kwargs={"pk": world.structure.pk}),
    }


def test_dashboard_of_an_organisation_admin_links_to_the_profile_edit_page(client, world):
    client.force_login(world.users["organisation_admin"])
    page = client.get(reverse("accounts:dashboard"))
    assert (
        reverse("directory:profile_edit", kwargs={"pk": world.structure.pk})
        in page.content.decode()
    )


def test_dashboard_of_an_organisation_member_does_not_offer_to_edit_the_profile(client, world):
    client.force_login(world.users["organisation_member"])
    page = client.get(reverse("accounts:dashboard"))
    assert page.context["entries"][0]["edit_url"] is None
