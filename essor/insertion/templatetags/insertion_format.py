"""{{ value|cellule }}: a cell of an indicator table (« < 5 » when hidden by statistical secrecy,
French number formats otherwise)."""

from decimal import Decimal

from django import template

from essor.core import formats

register = template.Library()


@register.filter
def cellule(value):
    if value is None:
        return "< 5"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return formats.number(value)
    if isinstance(value, Decimal):
        return formats.number(value, 0 if value == value.to_integral_value() else 2)
    if isinstance(value, float):
        return formats.number(value, 1)
    return value
