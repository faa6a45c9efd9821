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
