"""The SIAE staff's journey through the forms: clear French errors, nothing half-saved."""

import datetime

import pytest
from django.urls import reverse

from essor.insertion.models import Exit, FinancialAnnex, Participant, Siae
from tests.insertion.factories import AnnexFactory, make_siae, pathway

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Camille",
    "last_name": "Fictive",
    "sex": "F",
    "birth_year": "1990",
    "education_level": "3",
    "rsa": "on",
    "notes": "",
}


@pytest.fixture
def staff(client, world):
    client.force_login(world.users["organisation_admin"])
    return client


@pytest.fixture
def siae(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    return siae


def test_the_agency_declares_an_siae(client, world):
    client.force_login(world.users["agency_staff"])
    response = client.post(
        reverse("insertion:siae_create"),
        {
            "organisation": world.other_structure.pk,
            "kind": "EI",
            "convention_reference": "CONV-1",
            "funders": [world.funder.pk],
        },
    )
    siae = Siae.objects.get()
    assert response.status_code == 302
    assert (siae.organisation, siae.kind, list(siae.funders.all())) == (
        world.other_structure,
        "EI",
        [world.funder],
    )


def test_an_siae_admin_adds_an_annex(staff, siae):
    response = staff.post(
        reverse("insertion:annex_create", kwargs={"pk": siae.pk}),
        {
            "number": "ACI059270001A0M0",
            "start": "2027-01-01",
            "end": "2027-12-31",
            "conventioned_fte": "8,5",
            "amount_state": "180000",
            "amount_departement": "0",
            "amount_cud": "0",
            "amount_other": "0",
        },
    )
    assert response.status_code == 302
    assert FinancialAnnex.objects.filter(number="ACI059270001A0M0").exists()


def test_a_malformed_annex_number_is_shown_next_to_its_field(staff, siae):
    response = staff.post(
        reverse("insertion:annex_create", kwargs={"pk": siae.pk}),
        {"number": "ACI-2027", "start": "2027-01-01", "end": "2027-12-31", "conventioned_fte": "8"},
    )
    page = response.content.decode()
    assert "ACI059170013A0M1" in page
    assert 'id="id_number_erreurs"' in page
    assert 'aria-invalid="true"' in page


def test_the_staff_create_a_participant_who_gets_a_pseudonym(staff, siae):
    response = staff.post(reverse("insertion:participant_create", kwargs={"pk": siae.pk}), PERSON)
    person = Participant.objects.get()
    assert response["Location"] == reverse("insertion:participant_detail", kwargs={"pk": person.pk})
    assert (person.code, person.last_name, person.rsa) == ("SAL-0001", "Fictive", True)


def test_a_nir_typed_in_the_notes_is_refused_and_nothing_is_lost(staff, siae):
    data = {**PERSON, "notes": "Suivi : 2 55 08 14 168 025 38"}
    response = staff.post(reverse("insertion:participant_create", kwargs={"pk": siae.pk}), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "numéro de sécurité sociale (NIR)" in page
    assert 'value="Fictive"' in page  # what was typed is kept
    assert not Participant.objects.exists()


def test_a_contract_is_added_through_the_form(staff, siae):
    person = Participant.objects.create(
        siae=siae, code="SAL-0001", sex="F", birth_year=1990, education_level="3"
    )
    response = staff.post(
        reverse("insertion:contract_create", kwargs={"pk": person.pk}),
        {"start": "2026-03-02", "end": "", "weekly_hours": "26"},
    )
    assert response.status_code == 302
    assert person.contracts.get().start == datetime.date(2026, 3, 2)


def test_a_contract_outside_the_annexes_is_explained_on_the_form(staff, siae):
    person = pathway(siae)
    response = staff.post(
        reverse("insertion:contract_create", kwargs={"pk": person.pk}),
        {"start": "2030-01-07", "end": "", "weekly_hours": "26"},
    )
    assert (
        "Aucune annexe financière de la SIAE ne couvre le 7 janvier 2030"
        in response.content.decode()
    )


def test_an_exit_before_the_contract_is_explained_on_the_form(staff, siae):
    person = pathway(siae, start=datetime.date(2026, 3, 1))
    response = staff.post(
        reverse("insertion:exit_record", kwargs={"pk": person.pk}),
        {"date": "2026-01-15", "category": "durable", "detail": ""},
    )
    assert "ne peut précéder le début du premier contrat" in response.content.decode()
    assert not Exit.objects.exists()


def test_an_unknown_exit_category_is_refused_by_the_form(staff, siae):
    person = pathway(siae)
    response = staff.post(
        reverse("insertion:exit_record", kwargs={"pk": person.pk}),
        {"date": "2026-06-30", "category": "vacances", "detail": ""},
    )
    assert "Catégorie de sortie inconnue" in response.content.decode()


def test_an_exit_is_recorded_through_the_form(staff, siae):
    person = pathway(siae)
    staff.post(
        reverse("insertion:exit_record", kwargs={"pk": person.pk}),
        {"date": "2026-06-30", "category": "positive", "detail": "Formation qualifiante"},
    )
    assert Exit.objects.get(participant=person).category == "positive"


def test_a_barrier_and_a_training_are_added(staff, siae):
    person = pathway(siae)
    staff.post(
        reverse("insertion:barrier_create", kwargs={"pk": person.pk}),
        {"barrier_type": 1, "identified_on": "2026-02-10", "support": "external", "note": ""},
    )
    staff.post(
        reverse("insertion:training_create", kwargs={"pk": person.pk}),
        {"title": "CACES R489", "start": "2026-04-01", "hours": "35"},
    )
    assert person.barriers.get().support == "external"
    assert person.trainings.get().title == "CACES R489"


def test_the_admin_erases_a_participant_through_the_form(staff, siae):
    person = pathway(siae, last_name="Fictive")
    response = staff.post(
        reverse("insertion:participant_erase", kwargs={"pk": person.pk}),
        {"reason": "Demande de la personne"},
    )
    person.refresh_from_db()
    assert response.status_code == 302
    assert person.last_name == "" and person.anonymised_at is not None


def test_the_dashboard_links_to_insertion_for_siae_staff_only(client, world, siae):
    dashboard = reverse("accounts:dashboard")
    client.force_login(world.users["organisation_member"])
    assert 'href="/insertion/"' in client.get(dashboard).content.decode()
    client.force_login(world.users["authenticated"])
    assert 'href="/insertion/"' not in client.get(dashboard).content.decode()


def test_a_barrier_is_followed_then_lifted(staff, siae):
    from essor.insertion.models import Barrier, BarrierType

    person = pathway(siae)
    barrier = Barrier.objects.create(
        participant=person,
        barrier_type=BarrierType.objects.get(slug="logement"),
        identified_on=datetime.date(2026, 2, 10),
    )
    response = staff.post(
        reverse("insertion:barrier_edit", kwargs={"pk": barrier.pk}),
        {"identified_on": "2026-02-10", "support": "internal", "resolved": "on", "note": ""},
    )
    barrier.refresh_from_db()
    assert response.status_code == 302
    assert (barrier.support, barrier.resolved) == ("internal", True)


def test_the_list_can_show_people_still_in_a_pathway(staff, siae):
    from tests.insertion.factories import ExitFactory

    staying = pathway(siae)
    ExitFactory(participant=pathway(siae))
    url = reverse("insertion:participant_list", kwargs={"pk": siae.pk})
    page = staff.get(url + "?statut=en-parcours").content.decode()
    assert page.count("SAL-") == 1 and staying.code in page


def test_the_home_list_takes_a_constant_number_of_queries(client, world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OrganisationFactory

    client.force_login(world.users["agency_staff"])
    make_siae(world)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("insertion:home"))
    for _ in range(5):
        make_siae(world, organisation=OrganisationFactory())
    with django_assert_num_queries(len(queries)):
        response = client.get(reverse("insertion:home"))
    assert response.content.decode().count('<th scope="row">') == 6


def test_the_agency_adds_and_withdraws_a_barrier_type(client, world):
    from essor.insertion.models import BarrierType

    client.force_login(world.users["agency_staff"])
    url = reverse("insertion:barrier_types")
    client.post(url, {"name": "Addictions"})
    added = BarrierType.objects.get(name="Addictions")
    assert (added.slug, added.is_active) == ("addictions", True)
    client.post(url, {"toggle": added.pk})
    added.refresh_from_db()
    assert added.is_active is False
    page = client.post(url, {"name": "addictions"}).content.decode()
    assert "existe déjà" in page
