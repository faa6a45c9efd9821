"""One indicator across years: a pivot by row key, a ranking, a line chart of the largest rows."""

from essor.observatory import selectors
from tests.observatory.helpers import fake, holders_by_sector, table


def _cross(registry, figures, years):
    indicator = fake("support.new_holders_by_sector", holders_by_sector(figures), tags=("ranked",))
    return selectors.across_years(indicator, years, selectors.TableMemo())


def test_rows_are_matched_by_key_across_years(registry, db):
    cross = _cross(
        registry, {2023: {"culture": 10}, 2024: {"culture": 12, "sport": 9}}, [2023, 2024]
    )

    assert cross.rows == [("Culture", [10, 12]), ("Sport", [None, 9])]


def test_culture_first_and_sport_second_show_each_year(registry, db):
    figures = {year: {"culture": 40, "sport": 30, "mobilite": 5} for year in range(2015, 2025)}

    cross = _cross(registry, figures, list(range(2015, 2025)))

    assert cross.ranking[0][1] == ["Culture"] * 10
    assert cross.ranking[1][1] == ["Sport"] * 10


def test_the_ranking_shows_a_sector_overtaking_another(registry, db):
    figures = {
        2023: {"culture": 40, "sport": 30, "mobilite": 5},
        2024: {"culture": 40, "sport": 20, "mobilite": 35},
    }

    cross = _cross(registry, figures, [2023, 2024])

    assert cross.ranking[1][1] == ["Sport", "Mobilité"]


def test_hidden_cells_are_not_ranked(registry, db):
    cross = _cross(registry, {2024: {"culture": 40, "sport": None}}, [2024])

    assert cross.ranking == [(1, ["Culture"])]


def test_the_line_chart_keeps_the_six_largest_rows(registry, db):
    rows = [[f"Secteur {n}", n] for n in range(1, 10)]
    indicator = fake("zz.many", lambda year: table(rows, keys=[str(n) for n in range(1, 10)]))

    cross = selectors.across_years(indicator, [2023, 2024], selectors.TableMemo())

    assert list(cross.series) == [f"Secteur {n}" for n in range(9, 3, -1)]
    assert len(cross.rows) == 9


def test_the_compared_column_can_be_chosen(registry, db):
    indicator = fake(
        "zz.two_columns",
        lambda year: table([["Culture", 3, year]], columns=("Secteur", "Porteurs", "Année")),
    )

    cross = selectors.across_years(indicator, [2023, 2024], selectors.TableMemo(), column=2)

    assert cross.column == "Année"
    assert cross.rows == [("Culture", [2023, 2024])]
