"""French formats in templates (all from `core.formats`): {{ amount|euros }}, {{ n|nombre }},
{{ rate|pourcent }}, {{ day|date_longue }}, {{ moment|date_heure }}, {{ bytes|taille }},
{{ count|secret }} (« s » for a cell hidden by statistical secrecy),
{{ organisation.name|article:"de" }} (« de l'Agence… », « du Département… », « d'Emmaüs »).

Datetimes are read in Europe/Paris: `core.formats` converts them itself (a filter receives the
value as stored, in UTC, unless it asks the template engine for local time)."""

from django import template
from django.utils.html import format_html

from essor.core import formats
from essor.core.disclosure import HIDDEN_MARK

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
def heure(value):
    """« 14:30 », in Europe/Paris."""
    return formats.time_of_day(value)


@register.filter
def taille(value):
    """A file size: « 11,0 Mo »."""
    return formats.file_size(value)


@register.filter
def pluriel(value, suffixes="s"):
    """Django's `pluralize` with the French rule: « 0 demande », « 1 demande », « 2 demandes ».
    `{{ n|pluriel }}`, `{{ n|pluriel:"nt" }}`, `{{ n|pluriel:"al,aux" }}`; a list counts its length."""
    singular, _, plural_suffix = suffixes.rpartition(",") if "," in suffixes else ("", "", suffixes)
    try:
        count = len(value) if hasattr(value, "__len__") and not isinstance(value, str) else value
        return plural_suffix if formats.is_plural(count) else singular
    except (TypeError, ValueError, ArithmeticError):
        return ""


@register.filter
def article(value, preposition=""):
    """A name in a sentence, with its article, elided and contracted: `{{ name|article:"de" }}`
    → « de l'Agence ESS », « de la Région Hauts-de-France », « du Département du Nord »,
    « d'Emmaüs »; `{{ name|article:"à" }}` → « au Département du Nord »; `{{ name|article }}`
    → « l'Agence ESS »."""
    return formats.with_article(value, preposition)


def hidden_cell():
    return format_html('<abbr title="secret statistique">{}</abbr>', HIDDEN_MARK)


@register.filter
def secret(value):
    """A count hidden by statistical secrecy (None) reads « s » (secret statistique); others are
    formatted."""
    if value is None:
        return hidden_cell()
    if isinstance(value, int | float) or hasattr(value, "quantize"):
        return formats.figure(value)
    return value
