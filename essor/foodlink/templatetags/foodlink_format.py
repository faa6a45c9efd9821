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


STEPS = {
    "foodlink.consultation.create": "Création (brouillon)",
    "foodlink.consultation.update": "Brouillon modifié",
}


@register.filter
def step_label(action: str) -> str:
    """The French name of a consultation's audit action (« Publiée », « Attribuée »…)."""
    from essor.foodlink.models import Consultation

    if action in STEPS:
        return STEPS[action]
    status = action.rsplit(".", 1)[-1]
    labels = dict(Consultation.Status.choices)
    return labels.get(status, action)
