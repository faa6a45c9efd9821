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
    assert rendered == "3,50\u00a0€|&lt; 5|1\u202f200"
