"""Indicators published to the observatory: keys, shapes, secrecy."""

import datetime

import pytest

from essor.core import indicators
from essor.directory.models import Sector
from essor.support import selectors
from essor.support.models import ActionKind, Stage
from essor.territory.models import Commune
from tests.factories import OrganisationFactory, sector
from tests.support.factories import ActionFactory, ProjectHolderFactory

pytestmark = pytest.mark.django_db

D = datetime.date
KEYS = [
    "support.new_holders_by_sector",
    "support.holders_by_stage",
    "support.holders_by_commune",
    "support.holders_qpv",
    "support.creations",
    "support.survival",
    "support.actions_by_kind",
]


def _by_key(table):
    return dict(zip(table.row_keys, table.rows, strict=True))


def _holders(count, **kwargs):
    return [ProjectHolderFactory(**kwargs) for _ in range(count)]


def _created(on, organisation, **kwargs):
    return ProjectHolderFactory(
        stage=Stage.CREATION,
        first_contact_on=on - datetime.timedelta(days=200),
        emergence_on=on - datetime.timedelta(days=100),
        structuring_on=on - datetime.timedelta(days=50),
        creation_date=on,
        organisation=organisation,
        **kwargs,
    )


def test_every_indicator_is_registered_under_its_key_and_axis():
    registered = {indicator.key: indicator for indicator in indicators.registered(module="support")}
    assert sorted(registered) == sorted(KEYS)
    assert {indicator.axis for indicator in registered.values()} == {"Porteurs de projet"}


@pytest.mark.parametrize("key", KEYS)
def test_every_indicator_computes_on_an_empty_year(key):
    table = indicators.get(key).compute(2020)
    assert table.row_keys is not None and len(table.row_keys) == len(table.rows)
    assert all(len(row) == len(table.columns) for row in table.rows)


def test_new_holders_by_sector_are_ranked_and_small_counts_hidden():
    _holders(7, sectors=[sector("culture")], first_contact_on=D(2024, 3, 1))
    _holders(5, sectors=[sector("sport")], first_contact_on=D(2024, 5, 1))
    _holders(2, sectors=[sector("mobilite"), sector("culture")], first_contact_on=D(2024, 6, 1))
    _holders(9, sectors=[sector("sport")], first_contact_on=D(2023, 6, 1))  # another year

    table = selectors.new_holders_by_sector(2024)

    assert table.columns == ["Secteur", "Nouveaux porteurs de projet"]
    assert table.row_keys[:3] == ["culture", "sport", "mobilite"]
    assert table.rows[:3] == [["Culture", 9], ["Sport", 5], ["Mobilité", None]]
    assert len(table.rows) == Sector.objects.count()  # every sector, zeros included


def test_merged_holders_are_not_counted():
    keep = _holders(5, sectors=[sector("culture")], first_contact_on=D(2024, 3, 1))[0]
    ProjectHolderFactory(
        sectors=[sector("culture")], first_contact_on=D(2024, 3, 1), merged_into=keep
    )

    table = selectors.new_holders_by_sector(2024)

    assert table.rows[0] == ["Culture", 5]


def test_holders_by_stage_takes_the_stage_at_the_end_of_the_year():
    _holders(5, first_contact_on=D(2023, 3, 1))
    _holders(6, first_contact_on=D(2023, 3, 1), stage=Stage.EMERGENCE, emergence_on=D(2024, 2, 1))
    # Reached emergence after the year: still an idea on 31 December 2023.
    _holders(1, first_contact_on=D(2023, 3, 1), stage=Stage.EMERGENCE, emergence_on=D(2024, 2, 1))

    table_2023, table_2024 = (_by_key(selectors.holders_by_stage(year)) for year in (2023, 2024))

    assert table_2023[Stage.IDEA][1] == 12
    assert (table_2024[Stage.IDEA][1], table_2024[Stage.EMERGENCE][1]) == (5, 7)


def test_holders_by_commune_uses_insee_codes_and_secondary_suppression():
    _holders(8, first_contact_on=D(2024, 1, 5))
    _holders(6, first_contact_on=D(2024, 1, 5), commune=Commune.objects.get(insee_code="59271"))
    _holders(2, first_contact_on=D(2024, 1, 5), commune=Commune.objects.get(insee_code="59155"))

    table = selectors.holders_by_commune(2024)

    assert table.row_keys == ["59183", "59271", "59155"]
    # The 2 is hidden, and so is the 6: otherwise the total would give the 2 back.
    assert [row[1] for row in table.rows] == [8, None, None]


def test_holders_qpv_gives_counts_and_shares():
    _holders(5, first_contact_on=D(2024, 1, 5), in_qpv=True)
    _holders(15, first_contact_on=D(2024, 1, 5))

    table = selectors.holders_qpv(2024)

    assert table.row_keys == ["qpv", "hors-qpv"]
    assert table.rows == [
        ["En quartier prioritaire (QPV)", 5, 25.0],
        ["Hors quartier prioritaire", 15, 75.0],
    ]


def test_creations_by_sector():
    for _ in range(5):
        _created(D(2024, 6, 1), OrganisationFactory(), sectors=[sector("batiment")])

    table = selectors.creations(2024)

    assert table.rows[0] == ["Bâtiment", 5]
    assert table.row_keys[0] == "batiment"


def test_survival_after_one_and_three_years():
    for index in range(6):  # created in 2023: two closed within the year
        closed = D(2023, 12, 1) if index < 2 else None
        _created(
            D(2023, 3, 1),
            OrganisationFactory(is_active=closed is None, closed_on=closed),
        )
    for _ in range(5):  # created in 2021, one closed after its third birthday
        _created(D(2021, 3, 1), OrganisationFactory())
    _created(D(2021, 3, 1), OrganisationFactory(is_active=False, closed_on=D(2024, 6, 1)))

    table = selectors.survival(2024)

    assert table.row_keys == ["1an", "3ans"]
    assert table.rows[0][1:] == [6, None, None]  # 4 alive: a small count is hidden
    assert table.rows[1][1:] == [6, 6, 100.0]


def test_survival_does_not_give_a_small_number_of_closures_back():
    for index in range(9):  # created in 2023: two closed within the year, seven alive
        closed = D(2023, 12, 1) if index < 2 else None
        _created(
            D(2023, 3, 1),
            OrganisationFactory(is_active=closed is None, closed_on=closed),
        )

    row = selectors.survival(2024).rows[0]

    # 9 created − 7 alive would give the 2 closures back.
    assert row[1] is None or row[2] is None
    assert row[3] is None


def test_actions_by_kind_hide_small_numbers_of_people():
    for holder in _holders(5):
        ActionFactory(holder=holder, date=D(2024, 3, 1))
        ActionFactory(holder=holder, date=D(2024, 4, 1))
    ActionFactory(date=D(2024, 3, 1), kind=ActionKind.WORKSHOP)

    table = selectors.actions_by_kind(2024)

    rows = _by_key(table)
    assert rows[ActionKind.MEETING][1:] == [10, 5]
    assert rows[ActionKind.WORKSHOP][1:] == [None, None]
