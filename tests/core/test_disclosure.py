from decimal import Decimal

from essor.core.disclosure import share, suppress_counts, suppress_total


def test_counts_under_five_are_hidden():
    assert suppress_counts([12, 3, 8, 9], total_published=False) == [12, None, 8, 9]


def test_a_single_hidden_cell_hides_the_next_smallest_too():
    # 12 + 3 + 8 + 9 = 32 is published: hiding 3 alone would let anyone recompute it.
    assert suppress_counts([12, 3, 8, 9]) == [12, None, None, 9]


def test_two_hidden_cells_need_no_more_suppression():
    assert suppress_counts([12, 3, 2, 9]) == [12, None, None, 9]


def test_zero_is_shown():
    assert suppress_counts([0, 7, 9]) == [0, 7, 9]


def test_a_small_total_is_hidden():
    assert suppress_total(4) is None
    assert suppress_total(5) == 5


def test_a_share_of_a_small_group_is_hidden():
    assert share(2, 40) is None
    assert share(10, 4) is None
    assert share(10, 40) == 25.0


def test_a_share_on_the_edge_rounds_half_up():
    assert share(49, 400) == Decimal("12.3")  # 12.25 %: round() would say 12.2


# Linked figures: secrecy over everything a page or a file publishes ---------------------------

from essor.core.disclosure import LinkedFigures  # noqa: E402


def test_two_hidden_ones_under_a_published_total_are_protected_by_a_third_cell():
    # 12 − 10 = 2 hidden people in two hidden cells: each is at least 1, so both are 1.
    assert suppress_counts([1, 1, 10]) == [None, None, None]


def _cross_table(values: dict[tuple[str, str], int]) -> LinkedFigures:
    """A table by category (rows) and commune (columns), with its margins and grand total."""
    figures = LinkedFigures()
    rows = sorted({row for row, _ in values})
    columns = sorted({column for _, column in values})
    for (row, column), value in values.items():
        figures.add((row, column), value)
    for row in rows:
        figures.add((row, "*"), sum(values[row, column] for column in columns))
        figures.add_sum((row, "*"), [(row, column) for column in columns])
    for column in columns:
        figures.add(("*", column), sum(values[row, column] for row in rows))
        figures.add_sum(("*", column), [(row, column) for row in rows])
    figures.add(("*", "*"), sum(values.values()))
    figures.add_sum(("*", "*"), [(row, "*") for row in rows])
    figures.add_sum(("*", "*"), [("*", column) for column in columns])
    return figures


def _derivable(figures: LinkedFigures) -> set:
    """What a curious reader works out by subtraction, repeated until nothing new comes."""
    known = {key: figures.shown(key) for key in figures if figures.shown(key) is not None}
    changed = True
    while changed:
        changed = False
        for total, parts in figures.sums():
            unknown = [key for key in (total, *parts) if key not in known]
            if len(unknown) == 1:
                key = unknown[0]
                rest = sum(known[part] for part in parts if part != key)
                known[key] = rest if key == total else known[total] - rest
                changed = True
    return {key for key in known if figures.shown(key) is None}


def test_a_table_with_margins_gives_no_hidden_cell_back_by_rows_or_columns():
    figures = _cross_table(
        {
            ("durable", "dunkerque"): 12,
            ("durable", "grande-synthe"): 3,
            ("durable", "gravelines"): 9,
            ("autre", "dunkerque"): 8,
            ("autre", "grande-synthe"): 7,
            ("autre", "gravelines"): 11,
        }
    )
    figures.protect()
    assert figures.shown(("durable", "grande-synthe")) is None
    assert _derivable(figures) == set()


def test_a_hidden_total_is_not_the_sum_of_published_parts():
    figures = LinkedFigures()
    figures.add("total", 4)
    figures.add("a", 4)
    figures.add("b", 0)
    figures.add_sum("total", ["a", "b"])
    figures.add("men", 3, published=False)  # a complement nobody sees, still a small count
    figures.add("people", 9)
    figures.add("women", 6)
    figures.add_sum("people", ["women", "men"])
    figures.protect()
    assert figures.shown("total") is None and figures.shown("a") is None
    assert figures.shown("b") == 0  # zeros are shown
    # 9 − 6 would give the 3 men back: one of the published figures of that sum is hidden.
    assert figures.shown("people") is None or figures.shown("women") is None


def test_an_insider_cannot_subtract_its_own_figures_to_find_another_one():
    # The staff of SIAE A know A's 3 people; the kind's total (3 + 2 = 5) would give B's 2.
    figures = LinkedFigures()
    figures.add("A", 3, known_to={"staff-A"})
    figures.add("B", 2, known_to={"staff-B"})
    figures.add("ACI", 5)
    figures.add_sum("ACI", ["A", "B"])
    figures.protect()
    assert figures.shown("ACI") is None


def test_a_combination_of_sums_that_determines_a_cell_is_found_by_elimination():
    # x + y, x + z and y + z published: x = (a + b − c) / 2 although no single sum gives it.
    figures = LinkedFigures()
    for key, value in {"x": 2, "y": 7, "z": 9}.items():
        figures.add(key, value)
    for name, (left, right) in {"xy": ("x", "y"), "xz": ("x", "z"), "yz": ("y", "z")}.items():
        figures.add(name, figures.value(left) + figures.value(right))
        figures.add_sum(name, [left, right])
    figures.hide("y")
    figures.hide("z")
    figures.protect()
    assert any(figures.shown(pair) is None for pair in ("xy", "xz", "yz"))
