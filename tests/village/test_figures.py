"""After the event: visitors by stand and by hour, answers, routes; small counts of people hidden
so that no subtraction gives them back; the exhibitor's report; the observatory's indicators."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from essor.core import indicators
from essor.village import figures
from essor.village.models import ExhibitorApplication, Passport, Route, RouteStop, Stamp
from tests.factories import OrganisationFactory
from tests.village.factories import ApplicationFactory, EditionFactory, StandFactory, ZoneFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def edition():
    return EditionFactory(
        name="Village des solidarités 2026",
        starts_on=datetime.date(2026, 6, 13),
        ends_on=datetime.date(2026, 6, 14),
        call_closes_on=datetime.date(2026, 5, 1),
    )


def _visits(edition, stands_visitors: dict, at=None):
    """stands_visitors: stand -> number of passports stamped there."""
    at = at or datetime.datetime(2026, 6, 13, 11, 0, tzinfo=PARIS)
    passports = [
        Passport.objects.create(edition=edition) for _ in range(max(stands_visitors.values()))
    ]
    for stand, count in stands_visitors.items():
        Stamp.objects.bulk_create(
            Stamp(passport=passport, stand=stand, stamped_at=at, answer=1, is_right=True)
            for passport in passports[:count]
        )
    return passports


def test_a_stand_seen_by_three_visitors_is_hidden_and_cannot_be_subtracted(edition):
    zone = ZoneFactory(edition=edition)
    busy, quiet, other = (StandFactory(zone=zone, number=n) for n in (1, 2, 3))
    _visits(edition, {busy: 40, quiet: 3, other: 25})

    shown = {item.number: item.visitors for item in figures.stand_figures(edition)}

    assert shown[2] is None
    # The total of visits is published: a second cell is hidden with it.
    assert list(shown.values()).count(None) >= 2


def test_stamps_are_counted_by_paris_hour(edition):
    stand = StandFactory(zone=ZoneFactory(edition=edition))
    # 23:30 in Paris on 13 June is 21:30 UTC: it counts at 23 h on 13 June.
    _visits(edition, {stand: 6}, at=datetime.datetime(2026, 6, 13, 23, 30, tzinfo=PARIS))

    assert figures.stamps_by_hour(edition) == [("13 juin 2026, 23 h", 6)]


def test_a_route_counts_the_passports_stamped_at_all_its_stands(edition):
    zone = ZoneFactory(edition=edition)
    first, second = StandFactory(zone=zone), StandFactory(zone=zone)
    route = Route.objects.create(edition=edition, name="Zéro déchet")
    RouteStop.objects.create(route=route, stand=first, position=1)
    RouteStop.objects.create(route=route, stand=second, position=2)
    _visits(edition, {first: 12, second: 7})

    assert figures.routes_followed(edition) == [("Zéro déchet", 7)]


def test_the_right_answers_share_is_shown_only_with_enough_visitors(edition):
    zone = ZoneFactory(edition=edition)
    big, small = StandFactory(zone=zone, number=1), StandFactory(zone=zone, number=2)
    _visits(edition, {big: 10, small: 2})
    shares = {item.number: item.right_share for item in figures.stand_figures(edition)}
    assert shares[1] == 100
    assert shares[2] is None


def test_the_report_page_shows_s_for_hidden_counts(client, world, edition):
    zone = ZoneFactory(edition=edition)
    busy, quiet = StandFactory(zone=zone, number=1), StandFactory(zone=zone, number=2)
    _visits(edition, {busy: 40, quiet: 3})
    client.force_login(world.users["agency_staff"])
    body = client.get(reverse("village:report", args=[edition.pk])).content.decode()
    assert '<abbr title="secret statistique">s</abbr>' in body


def test_the_exhibitor_downloads_its_own_report(client, world, edition):
    stand = StandFactory(zone=ZoneFactory(edition=edition))
    application = ApplicationFactory(
        edition=edition,
        organisation=world.structure,
        status=ExhibitorApplication.Status.CONFIRMED,
    )
    application.stand = stand
    application.save(update_fields=["stand"])
    other = ApplicationFactory(
        edition=edition,
        organisation=OrganisationFactory(),
        status=ExhibitorApplication.Status.CONFIRMED,
    )
    client.force_login(world.users["organisation_admin"])

    mine = client.get(reverse("village:exhibitor_report_pdf", args=[application.pk]))
    theirs = client.get(reverse("village:exhibitor_report_pdf", args=[other.pk]))

    assert mine.content.startswith(b"%PDF")
    assert theirs.status_code == 403


def test_the_observatory_gets_the_villages_figures_of_a_year(edition):
    stand = StandFactory(zone=ZoneFactory(edition=edition))
    _visits(edition, {stand: 9})
    table = indicators.get("village.summary").compute(2026)
    assert table.rows[0] == ["Passeports des solidarités", 9]
    by_stand = indicators.get("village.visitors_by_stand").compute(2026)
    assert by_stand.rows[0][1] == 9
    assert indicators.get("village.summary").compute(2019).rows[0][1] == 0
