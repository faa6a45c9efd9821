"""French formats in templates (all from `core.formats`): {{ amount|euros }}, {{ n|nombre }},
{{ rate|pourcent }}, {{ day|date_longue }}, {{ moment|date_heure }}, {{ bytes|taille }},
{{ count|secret }} (« < 5 » for a cell hidden by statistical secrecy).

Datetimes are read in Europe/Paris: `core.formats` converts them itself (a filter receives the
value as stored, in UTC, unless it asks the template engine for local time)."""

from django import template

from essor.core import formats

register = template.Library()


@register.filter
def euros(value, places=2):
    return formats.euros(value, int(places))


@register.filter
def nombre(value, places=0):
    return formats.number(value, int(places))


@register.filter
def pourcent(value, places=1):
    return formats.percent(value, int(places))


@register.filter
def date_longue(value):
    """« 26 novembre 2026 » (« 1er » for the first of the month)."""
    return formats.long_date(value)


@register.filter
def date_heure(value):
    """« 26 novembre 2026 à 14:05 »."""
    return formats.long_datetime(value)


@register.filter
def taille(value):
    """A file size: « 11,0 Mo »."""
    return formats.file_size(value)


@register.filter
def secret(value):
    """A count hidden by statistical secrecy (None) reads « < 5 »; others are formatted."""
    if value is None:
        return "< 5"
    if isinstance(value, int | float) or hasattr(value, "quantize"):
        return formats.figure(value)
    return value
