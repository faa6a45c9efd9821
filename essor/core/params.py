"""Values read from a URL or a posted field that no form checked: a query-string filter, the
identifier a button posts. Anyone can type anything there, so each reader answers « nothing »
(None, or a 404) for what is not a plain number in range, rather than a server error: a Python int
too large for the database, full-width or superscript digits that `str.isdigit()` accepts, text."""

from django.http import Http404
from django.shortcuts import get_object_or_404

# The largest value both databases store in the 64-bit integer of a primary key.
MAX_ID = 2**63 - 1
# Years a filter may name: wide enough for any real record, small enough for `datetime.date`.
MIN_YEAR, MAX_YEAR = 1900, 2999


def whole_number(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The whole number written in plain ASCII digits, within [minimum, maximum], or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def identifier(value) -> int | None:
    """A primary key as a URL or a button sends it, or None."""
    return whole_number(value, minimum=1)


def year(value) -> int | None:
    return whole_number(value, minimum=MIN_YEAR, maximum=MAX_YEAR)


def object_or_404(queryset, value, **filters):
    """The object whose primary key is `value` (as posted), among `queryset` and the filters; a
    value that cannot be a primary key is a 404 like an unknown one."""
    pk = identifier(value)
    if pk is None:
        raise Http404("Identifiant invalide.")
    return get_object_or_404(queryset, pk=pk, **filters)
