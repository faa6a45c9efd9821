"""Display of quantities and characteristic codes in French."""

from django import template

from essor.core import formats
from essor.foodlink.models import Characteristic

register = template.Library()
LABELS = dict(Characteristic.choices)


@register.filter
def quantite(value):
    """« 120 », « 12,5 » : as many decimals as the quantity has, no trailing zeros."""
    if value in (None, ""):
        return "—"
    return formats.quantity(value)


@register.filter
def caracteristiques(codes):
    """« Agriculture biologique, HVE… » from a list of codes; « — » when empty."""
    if not codes:
        return "—"
    return ", ".join(LABELS.get(code, code) for code in codes)
