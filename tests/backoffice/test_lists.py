"""Back-office lists run a constant number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.core.audit import record
from essor.directory.models import OrganisationClaim, ProfileRevision
from tests.factories import EstablishmentFactory, OrganisationFactory, UserFactory


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _organisations(count):
    for _ in range(count):
        organisation = OrganisationFactory()
        EstablishmentFactory(organisation=organisation)
        ProfileRevision.objects.create(organisation=organisation, data={"phone": "03"})
        OrganisationClaim.objects.create(
            organisation=organisation, user=UserFactory(), position="DG"
        )
        record(
            actor=UserFactory(),
            action="directory.organisation.update",
            target=organisation,
            changes={"a": [1, 2]},
        )


LISTS = [
    ("directory:staff_organisation_list", ""),
    ("directory:staff_organisation_list", "?q=Association&etat=public"),
    ("directory:revision_list", ""),
    ("directory:claim_list", ""),
    ("directory:audit_log", ""),
    ("directory:audit_log", "?action=directory.organisation.update&actor=personne"),
    ("directory:staff_home", ""),
]


@pytest.mark.parametrize(("name", "query"), LISTS)
def test_list_query_count_does_not_grow_with_rows(agency_client, world, name, query):
    url = reverse(name) + query
    _organisations(2)
    few = _query_count(agency_client, url)

    _organisations(8)

    assert _query_count(agency_client, url) == few


EXPECTED_QUERIES = {
    # session, user, roles of the user (context processor and permission check), then the page.
    "directory:staff_organisation_list": 5,
    "directory:revision_list": 5,
    "directory:claim_list": 5,
    "directory:audit_log": 6,
}


@pytest.mark.parametrize("name", EXPECTED_QUERIES)
def test_list_query_count(agency_client, world, django_assert_num_queries, name):
    _organisations(3)

    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        agency_client.get(reverse(name))


def test_organisation_list_searches_by_siren(agency_client, world):
    response = agency_client.get(
        reverse("directory:staff_organisation_list") + f"?q={world.other_structure.siren}"
    )

    names = [organisation.name for organisation in response.context["page"]]
    assert names == ["Vélo Solidaire Dunkerquois"]


def test_organisation_list_filters_merged_organisations(agency_client, world):
    world.other_structure.merged_into = world.structure
    world.other_structure.save()

    response = agency_client.get(reverse("directory:staff_organisation_list") + "?etat=merged")

    assert [o.name for o in response.context["page"]] == ["Vélo Solidaire Dunkerquois"]


def test_audit_log_filters_by_organisation(agency_client, world):
    record(actor=None, action="directory.organisation.update", target=world.structure)
    record(actor=None, action="directory.claim.create", target=world.other_structure)

    response = agency_client.get(
        reverse("directory:audit_log") + f"?organisation={world.structure.pk}"
    )

    assert [entry.action for entry in response.context["page"]] == ["directory.organisation.update"]


def test_audit_log_shows_who_what_and_why(agency_client, world):
    record(
        actor=world.users["agency_admin"],
        action="directory.organisation.update",
        target=world.structure,
        changes={"phone": ["", "03 28 00 00 00"]},
        message="Appel de la présidente.",
    )

    content = agency_client.get(reverse("directory:audit_log")).content.decode()

    assert "agency_admin@example.org" in content
    assert "→ 03 28 00 00 00" in content
    assert "Appel de la présidente." in content


def test_audit_log_with_an_unknown_organisation_says_so_and_lists_nothing(agency_client, world):
    record(actor=None, action="directory.organisation.update", target=world.structure)

    response = agency_client.get(reverse("directory:audit_log") + "?organisation=999999")

    assert "Aucune structure ne porte le numéro 999999" in response.content.decode()
    assert list(response.context["page"]) == []


def test_the_back_office_home_leads_to_every_agency_task(agency_client):
    page = agency_client.get(reverse("directory:staff_home")).content.decode()
    for name in (
        "directory:revision_list",
        "directory:claim_list",
        "directory:staff_organisation_list",
        "directory:staff_organisation_create",
        "directory:sirene_import",
        "directory:audit_log",
    ):
        assert reverse(name) in page, name
