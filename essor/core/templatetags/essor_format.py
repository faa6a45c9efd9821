"""French formats in templates: {{ amount|euros }}, {{ n|nombre }}, {{ rate|pourcent }},
{{ day|date_longue }}, {{ count|secret }} (« < 5 » for a cell hidden by statistical secrecy)."""

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
    return formats.long_date(value)


@register.filter
def secret(value):
    """A count hidden by statistical secrecy (None) reads « < 5 »; others are formatted."""
    if value is None:
        return "< 5"
    if isinstance(value, int | float) or hasattr(value, "quantize"):
        return formats.number(value, 0 if float(value).is_integer() else 1)
    return value
