"""The territory's ESS weight: stocks at 31 December, one SQL aggregate per indicator."""

import datetime

from essor.directory.models import Sector
from essor.observatory import selectors
from tests.factories import EstablishmentFactory, OrganisationFactory


def _row(table, key):
    return table.rows[table.row_keys.index(key)]


def test_an_organisation_counts_from_its_creation_year(db):
    OrganisationFactory(ess_family="cooperative", creation_date=datetime.date(2020, 6, 1))

    assert _row(selectors.organisations_by_family(2019), "cooperative")[1] == 0
    assert _row(selectors.organisations_by_family(2020), "cooperative")[1] == 1


def test_an_organisation_stops_counting_after_its_closure(db):
    OrganisationFactory(
        ess_family="mutual",
        creation_date=datetime.date(2010, 1, 1),
        closed_on=datetime.date(2022, 3, 1),
        is_active=False,
    )

    assert _row(selectors.organisations_by_family(2021), "mutual")[1] == 1
    assert _row(selectors.organisations_by_family(2022), "mutual")[1] == 0


def test_organisations_outside_the_ess_are_not_counted(db):
    OrganisationFactory(ess_family="foundation", is_ess=False)

    assert _row(selectors.organisations_by_family(2024), "foundation")[1] == 0


def test_sectors_are_ranked_by_number_of_organisations(db):
    culture, sport = Sector.objects.get(slug="culture"), Sector.objects.get(slug="sport")
    for _ in range(3):
        OrganisationFactory().sectors.add(sport)
    OrganisationFactory().sectors.add(culture)

    table = selectors.organisations_by_sector(2024)

    assert table.row_keys[:2] == ["sport", "culture"]
    assert table.rows[0] == ["Sport", 3]


def test_establishments_are_counted_by_commune(db):
    EstablishmentFactory()
    EstablishmentFactory(is_open=False)

    table = selectors.establishments_by_commune(2024)

    assert _row(table, "59183") == ["Dunkerque", 1]


def test_employers_are_counted_by_headcount_band(db):
    OrganisationFactory(is_employer=True, headcount_band="11")
    OrganisationFactory(is_employer=False, headcount_band="00")

    table = selectors.employers_by_headcount(2024)

    assert _row(table, "11") == ["10 à 19 salariés", 1]
    assert sum(row[1] for row in table.rows) == 1


def test_summary_counts_creations_of_the_year(db):
    OrganisationFactory(creation_date=datetime.date(2024, 5, 1))
    OrganisationFactory(creation_date=datetime.date(2023, 5, 1))

    table = selectors.ess_summary(2024)

    assert dict(zip(table.row_keys, (row[1] for row in table.rows), strict=True))["created"] == 1


def test_the_weight_indicators_are_registered_under_their_axis(db):
    keys = {
        indicator.key
        for indicator in selectors.registry.registered(module="observatory")
        if indicator.axis == "Poids de l'ESS"
    }

    assert "observatory.organisations_by_family" in keys
    assert "observatory.employers_by_headcount" in keys
