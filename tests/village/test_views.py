"""The village pages: the public plan, a structure's application, the agency's review."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essor.village.models import ExhibitorApplication
from tests.factories import OrganisationFactory
from tests.village.factories import (
    ApplicationFactory,
    CriterionFactory,
    EditionFactory,
    StandFactory,
    ZoneFactory,
)

pytestmark = pytest.mark.django_db

Status = ExhibitorApplication.Status


@pytest.fixture
def edition():
    today = datetime.date.today()
    return EditionFactory(
        name="Village des solidarités 2027",
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=61),
        call_closes_on=today + datetime.timedelta(days=10),
    )


def test_the_public_page_draws_the_plan_and_lists_the_same_stands(client, edition):
    zone = ZoneFactory(edition=edition, name="Manger local")
    StandFactory(zone=zone, number=7, has_power=True)
    ApplicationFactory(
        edition=edition,
        status=Status.CONFIRMED,
        stand=edition.stands.get(),
        organisation=OrganisationFactory(name="Les Jardins du Littoral"),
    )

    body = client.get(reverse("village:home")).content.decode()

    assert '<svg viewBox="0 0 60 40" role="img"' in body
    assert "Stand 7</strong> : Les Jardins du Littoral" in body
    assert "9 m², électricité, accès de plain-pied" in body


def test_a_structures_admin_applies_from_the_form_then_submits(client, world, edition):
    client.force_login(world.users["organisation_admin"])
    listing = client.get(reverse("village:my_applications")).content.decode()
    create = reverse("village:application_create", args=[edition.pk, world.structure.pk])
    assert create in listing

    response = client.post(
        create,
        {
            "contact_name": "Camille Martin",
            "contact_email": "camille@example.org",
            "animation_title": "Atelier vélo",
            "animation": "Réparer une crevaison.",
            "tables": "1",
            "chairs": "2",
        },
    )
    application = ExhibitorApplication.objects.get()
    assert response["Location"] == reverse("village:application_detail", args=[application.pk])

    client.post(response["Location"], {"form": "move", "action": "submit"})
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_a_draft_with_a_bad_e_mail_names_the_field_and_saves_nothing(client, world, edition):
    client.force_login(world.users["organisation_admin"])
    response = client.post(
        reverse("village:application_create", args=[edition.pk, world.structure.pk]),
        {
            "contact_name": "Camille",
            "contact_email": "pas-une-adresse",
            "tables": "1",
            "chairs": "2",
        },
    )
    assert "Courriel de contact : Saisissez une adresse" in response.content.decode()
    assert not ExhibitorApplication.objects.exists()


def test_the_agency_marks_accepts_and_allocates_a_stand(client, world, edition):
    criterion = CriterionFactory(edition=edition, label="Première participation", weight=2)
    application = ApplicationFactory(
        edition=edition, organisation=world.structure, status=Status.SUBMITTED
    )
    stand = StandFactory(zone=ZoneFactory(edition=edition))
    client.force_login(world.users["agency_staff"])
    url = reverse("village:review", args=[application.pk])

    client.post(url, {"form": "marks", f"critere_{criterion.pk}": "3"})
    client.post(url, {"form": "decision", "decision": "accept", "reason": ""})
    client.post(url, {"form": "stand", "stand": str(stand.pk)})

    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    assert application.stand == stand
    listing = client.get(reverse("village:edition_manage", args=[edition.pk])).content.decode()
    assert "<td>6</td>" in listing


def test_a_refusal_without_a_reason_is_explained_on_the_form(client, world, edition):
    application = ApplicationFactory(edition=edition, status=Status.SUBMITTED)
    client.force_login(world.users["agency_staff"])

    response = client.post(
        reverse("village:review", args=[application.pk]),
        {"form": "decision", "decision": "reject", "reason": ""},
    )

    assert response.status_code == 200
    assert "motif" in response.content.decode().lower()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_agency_does_not_open_a_structures_draft(client, world, edition):
    application = ApplicationFactory(edition=edition)
    client.force_login(world.users["agency_staff"])
    assert client.get(reverse("village:review", args=[application.pk])).status_code == 404


def test_the_applications_list_takes_the_same_queries_for_three_or_thirty(client, world, edition):
    client.force_login(world.users["agency_staff"])
    url = reverse("village:edition_manage", args=[edition.pk])
    zone = ZoneFactory(edition=edition)

    def add(count):
        for _ in range(count):
            application = ApplicationFactory(edition=edition, status=Status.ACCEPTED)
            ApplicationFactory(edition=edition, status=Status.SUBMITTED)
            application.stand = StandFactory(zone=zone)
            application.save(update_fields=["stand"])

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(27)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_the_edition_form_on_the_management_page_saves_a_zone_and_a_stand(client, world, edition):
    client.force_login(world.users["agency_staff"])
    url = reverse("village:edition_manage", args=[edition.pk])

    client.post(url, {"form": "zone", "name": "Réemploi", "colour": "#f8e0d0", "position": "1"})
    zone = edition.zones.get()
    client.post(
        url,
        {
            "form": "stand",
            "zone": zone.pk,
            "number": "12",
            "area": "9",
            "step_free": "on",
            "x": "0",
            "y": "0",
            "width": "3",
            "depth": "3",
        },
    )
    duplicate = client.post(
        url,
        {
            "form": "stand",
            "zone": zone.pk,
            "number": "12",
            "area": "9",
            "x": "4",
            "y": "0",
            "width": "3",
            "depth": "3",
        },
    )

    assert edition.stands.get().number == 12
    assert "Ce numéro de stand existe déjà dans cette édition." in duplicate.content.decode()


def test_the_agency_freezes_then_draws_from_its_page(client, world, edition):
    client.force_login(world.users["agency_admin"])
    url = reverse("village:draw_manage", args=[edition.pk])

    client.post(url, {"form": "settings", "prizes": "2", "stamps_needed": "4"})
    client.post(url, {"form": "freeze"})
    client.post(url, {"form": "run"})
    refused = client.post(url, {"form": "settings", "prizes": "5", "stamps_needed": "1"})

    edition.draw.refresh_from_db()
    assert (edition.draw.prizes, edition.draw.stamps_needed) == (2, 4)
    assert edition.draw.drawn_at is not None
    assert "La liste est arrêtée" in refused.content.decode()


def test_the_printed_codes_of_a_day_are_a_pdf(client, world, edition):
    StandFactory(zone=ZoneFactory(edition=edition))
    client.force_login(world.users["agency_staff"])
    response = client.get(
        reverse("village:day_codes_pdf", args=[edition.pk]), {"jour": "9999-99-99"}
    )
    assert response.content.startswith(b"%PDF")


def test_the_village_is_reachable_from_the_navigation(client, world, edition):
    public = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("village:home")}"' in public
    client.force_login(world.users["organisation_admin"])
    mine = client.get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{reverse("village:my_applications")}"' in mine
