import datetime
from decimal import Decimal

from django.template import Context, Template

from essor.core import formats


def test_amounts_read_the_french_way():
    assert formats.euros(Decimal("12345.67")) == "12\u202f345,67\u00a0€"


def test_whole_euros_drop_the_cents():
    assert formats.euros(Decimal("1500"), places=0) == "1\u202f500\u00a0€"


def test_amounts_round_half_up():
    assert formats.euros(Decimal("0.125")) == "0,13\u00a0€"


def test_negative_amounts_keep_their_sign():
    assert formats.number(-1234567) == "-1\u202f234\u202f567"


def test_percentages_use_a_decimal_comma():
    assert formats.percent(12.54) == "12,5\u00a0%"


def test_dates_are_written_in_full():
    assert formats.long_date(datetime.date(2026, 11, 26)) == "26 novembre 2026"


def test_the_first_of_the_month_reads_premier():
    assert formats.long_date(datetime.date(2026, 1, 1)) == "1er janvier 2026"


def test_empty_values_print_nothing():
    assert formats.euros(None) == formats.long_date(None) == ""


def test_template_filters_format_and_show_hidden_counts():
    rendered = Template(
        "{% load essor_format %}{{ amount|euros }}|{{ hidden|secret }}|{{ shown|secret }}"
    ).render(Context({"amount": Decimal("3.5"), "hidden": None, "shown": 1200}))
    assert rendered == '3,50\u00a0€|<abbr title="secret statistique">s</abbr>|1\u202f200'


# --- One rounding rule: half up -----------------------------------------------------------

LATE_EVENING_UTC = datetime.datetime(2026, 12, 5, 23, 30, tzinfo=datetime.UTC)


def test_round_half_up_rounds_the_edge_up_where_round_goes_to_even():
    assert round(0.125, 2) == 0.12  # what the helper exists to avoid
    assert formats.round_half_up(0.125, 2) == Decimal("0.13")
    assert formats.round_half_up(Decimal("12.25"), 1) == Decimal("12.3")
    assert formats.round_half_up(Decimal("0.5")) == Decimal("1")


def test_round_half_up_reads_a_float_as_it_is_written():
    assert round(2.675, 2) == 2.67  # the binary float is just under 2.675
    assert formats.round_half_up(2.675, 2) == Decimal("2.68")


def test_round_half_up_goes_away_from_zero_and_drops_the_sign_of_zero():
    assert formats.round_half_up(Decimal("-0.125"), 2) == Decimal("-0.13")
    assert str(formats.round_half_up(Decimal("-0.001"), 2)) == "0.00"


def test_percentage_is_computed_in_decimal_and_rounded_half_up():
    assert formats.percentage(1, 8) == Decimal("12.5")
    assert formats.percentage(1, 800, 2) == Decimal("0.13")
    assert formats.percentage(1, 0) is None


def test_percent_of_an_edge_value():
    assert formats.percent(Decimal("12.25")) == "12,3\u00a0%"
    assert formats.percent(12.5, 0) == "13\u00a0%"


def test_small_amounts_keep_two_decimals():
    assert formats.euros("1.1") == "1,10\u00a0€"


# --- File sizes ---------------------------------------------------------------------------


def test_file_sizes_read_in_french_units():
    assert formats.file_size(11 * 1024 * 1024) == "11,0\u202fMo"
    assert formats.file_size(1536) == "1,5\u202fko"
    assert formats.file_size(800) == "800\u00a0octets"


def test_file_size_filter():
    rendered = Template("{% load essor_format %}{{ size|taille }}").render(
        Context({"size": 2 * 1024**3})
    )
    assert rendered == "2,0\u202fGo"


# --- Dates in Europe/Paris ----------------------------------------------------------------


def test_a_late_evening_in_utc_is_the_next_day_in_paris():
    assert formats.long_date(LATE_EVENING_UTC) == "6 décembre 2026"
    assert formats.local_date(LATE_EVENING_UTC) == datetime.date(2026, 12, 6)


def test_date_and_time_are_read_in_paris():
    assert formats.long_datetime(LATE_EVENING_UTC) == "6 décembre 2026 à 00:30"
    assert formats.time_of_day(LATE_EVENING_UTC) == "00:30"


def test_exports_write_the_paris_day_and_offset():
    assert formats.iso_date(LATE_EVENING_UTC) == "2026-12-06"
    assert formats.iso_datetime(LATE_EVENING_UTC) == "2026-12-06T00:30:00+01:00"


def test_the_first_of_the_month_reads_premier_with_a_time_too():
    first = datetime.datetime(2026, 12, 31, 23, 5, tzinfo=datetime.UTC)
    assert formats.long_datetime(first) == "1er janvier 2027 à 00:05"


def test_date_filters_read_a_datetime_in_paris():
    rendered = Template(
        "{% load essor_format %}{{ moment|date_longue }}|{{ moment|date_heure }}"
    ).render(Context({"moment": LATE_EVENING_UTC}))
    assert rendered == "6 décembre 2026|6 décembre 2026 à 00:30"


def test_month_names_come_from_one_place():
    assert formats.month_label(2026, 8) == "août 2026"
    assert formats.month_names()[1] == "février"
    assert formats.month_abbreviations()[:2] == ["janv.", "févr."]


def test_a_cell_keeps_the_decimals_it_was_rounded_to():
    rendered = Template(
        "{% load essor_format insertion_format %}"
        "{{ rate|secret }}|{{ amount|secret }}|{{ whole|secret }}|{{ rate|cellule }}|{{ fte|cellule }}"
    ).render(
        Context(
            {
                "rate": Decimal("61.5"),
                "amount": Decimal("1500.50"),
                "whole": Decimal("25.0"),
                "fte": Decimal("0.08"),
            }
        )
    )
    assert rendered == "61,5|1\u202f500,50|25|61,5|0,08"


def test_a_figure_no_column_holds_is_still_written():
    assert formats.number(Decimal("1" * 70), 2).startswith("1\u202f111")
    assert formats.euros(Decimal("1e999")).endswith(",00\u00a0€")


def test_without_accents_keeps_the_letters_and_drops_accents_and_cedillas():
    assert formats.without_accents("Épicerie Ça Noël Œuvre") == "Epicerie Ca Noel Œuvre"
    assert formats.without_accents(None) == ""
