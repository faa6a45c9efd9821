"""The public programme: animations by time slot and stand, themed routes, its files (iCalendar,
CSV, JSON) in Paris time; stand signs and exhibitor badges as PDF."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from essor.village import services
from essor.village.models import Animation, ExhibitorApplication
from tests.factories import OrganisationFactory
from tests.village.factories import ApplicationFactory, EditionFactory, StandFactory, ZoneFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime.datetime(2027, 6, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def edition():
    return EditionFactory(
        name="Village des solidarités 2027",
        starts_on=datetime.date(2027, 6, 12),
        ends_on=datetime.date(2027, 6, 13),
    )


@pytest.fixture
def stand(edition):
    return StandFactory(zone=ZoneFactory(edition=edition, name="Réemploi"), number=12)


def _add(world, edition, stand, title, starts_at, ends_at):
    return services.add_animation(
        animation=Animation(
            edition=edition, stand=stand, title=title, starts_at=starts_at, ends_at=ends_at
        ),
        actor=world.users["agency_staff"],
    )


def test_two_animations_at_the_same_time_on_one_stand_are_refused(world, edition, stand):
    _add(world, edition, stand, "Atelier vélo", at(12, 14), at(12, 15))
    with pytest.raises(ValidationError, match="accueille déjà « Atelier vélo » de 14:00 à 15:00"):
        _add(world, edition, stand, "Quiz", at(12, 14, 30), at(12, 15, 30))
    _add(world, edition, stand, "Quiz", at(12, 15), at(12, 16))  # right after: fine
    assert Animation.objects.count() == 2


def test_an_animation_outside_the_villages_days_is_refused(world, edition, stand):
    # 00:30 on 14 June in Paris is still 13 June in UTC: the day that counts is Paris's.
    with pytest.raises(ValidationError, match="du 12 juin 2027 au 13 juin 2027"):
        _add(world, edition, stand, "Trop tard", at(13, 23, 30), at(14, 0, 30))


def test_an_animation_ends_after_it_starts(world, edition, stand):
    with pytest.raises(ValidationError, match="La fin d'une animation doit suivre son début"):
        _add(world, edition, stand, "À l'envers", at(12, 15), at(12, 14))


def test_the_ical_feed_gives_each_animation_in_paris_time(client, world, edition, stand):
    _add(world, edition, stand, "Atelier vélo", at(12, 14), at(12, 15, 30))

    response = client.get(reverse("village:programme_ics", args=[edition.pk]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Atelier vélo"
    assert event.decoded("dtstart") == at(12, 14)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert str(event["location"]) == "Stand 12 (Réemploi) — Place Jean-Bart, Dunkerque"
    assert calendar.walk("VTIMEZONE")


def test_the_csv_and_json_give_the_same_programme(client, world, edition, stand):
    _add(world, edition, stand, "Atelier vélo", at(12, 14), at(12, 15))

    csv_body = b"".join(
        client.get(reverse("village:programme_csv", args=[edition.pk])).streaming_content
    ).decode("utf-8-sig")
    records = json.loads(client.get(reverse("village:programme_json", args=[edition.pk])).content)

    assert csv_body.splitlines()[0] == "edition;titre;description;public;debut;fin;stand;zone;lieu"
    assert "Atelier vélo" in csv_body
    assert records[0]["debut"] == "2027-06-12T14:00:00+02:00"
    assert records[0]["stand"] == 12


def test_the_public_programme_lists_the_slots_by_day_and_the_routes(client, world, edition, stand):
    other = StandFactory(zone=stand.zone, number=3)
    _add(world, edition, stand, "Atelier vélo", at(12, 14), at(12, 15))
    services.save_route(
        edition=edition,
        actor=world.users["agency_staff"],
        name="Zéro déchet",
        description="",
        stands=[stand, other],
    )

    body = client.get(reverse("village:programme")).content.decode()

    assert "12 juin 2027" in body
    assert "<strong>14:00 – 15:00</strong> : Atelier vélo — stand 12 (Réemploi)" in body
    assert "<li>Stand 12 (Réemploi)</li><li>Stand 3 (Réemploi)</li>" in body


def test_a_route_passes_once_through_stands_of_its_edition(world, edition, stand):
    elsewhere = StandFactory()
    with pytest.raises(ValidationError, match="au moins deux stands"):
        services.save_route(
            edition=edition,
            actor=world.users["agency_staff"],
            name="A",
            description="",
            stands=[stand],
        )
    with pytest.raises(ValidationError, match="qu'une fois par chaque stand"):
        services.save_route(
            edition=edition,
            actor=world.users["agency_staff"],
            name="A",
            description="",
            stands=[stand, stand],
        )
    with pytest.raises(ValidationError, match="appartient à une autre édition"):
        services.save_route(
            edition=edition,
            actor=world.users["agency_staff"],
            name="A",
            description="",
            stands=[stand, elsewhere],
        )


def test_the_route_form_names_the_stand_numbers_it_does_not_know(client, world, edition, stand):
    client.force_login(world.users["agency_staff"])
    response = client.post(
        reverse("village:edition_manage", args=[edition.pk]),
        {"form": "route", "name": "Zéro déchet", "stands": "12, 99, x"},
    )
    assert "« x » n&#x27;est pas un numéro de stand." in response.content.decode()


def test_signs_and_badges_are_pdf_files(client, world, edition, stand):
    application = ApplicationFactory(
        edition=edition,
        organisation=OrganisationFactory(name="La Ressourcerie"),
        status=ExhibitorApplication.Status.CONFIRMED,
    )
    application.stand = stand
    application.save(update_fields=["stand"])
    client.force_login(world.users["agency_staff"])

    for name in ("village:signs_pdf", "village:badges_pdf"):
        response = client.get(reverse(name, args=[edition.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_an_animation_in_year_one_is_refused_with_a_french_message(edition):
    from essor.village.forms import AnimationForm

    form = AnimationForm(
        {"title": "A", "starts_at": "0001-01-01T00:00", "ends_at": "9999-12-31T23:00"},
        edition=edition,
    )

    assert not form.is_valid()
    assert form.errors["starts_at"] == ["Indiquez une date entre 1900 et 2999."]
