"""French formats shared by pages, exports, PDFs and e-mails, written by Babel (locale fr_FR):
« 12 345,67 € », « 12,5 % », « 26 novembre 2026 », « 11,0 Mo ».

Two rules hold for every figure and date the platform shows or exports:
- numbers are rounded half up (`round_half_up`: 0.125 → 0.13, 12.25 % → 12.3 %), never with
  Python's `round` or a bare `quantize` (both round half to even: round(0.125, 2) == 0.12);
- a date or time is the one of Europe/Paris (the project's TIME_ZONE): 23:30 UTC on 5 December
  is « 6 décembre ». A datetime is never turned into a date with `.date()`, only with
  `local_date`.
"""

import datetime
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from babel.dates import format_date, format_datetime, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent
from babel.units import format_unit
from django.utils import timezone

LOCALE = "fr_FR"
NARROW_NBSP = "\u202f"  # French thousands separator (and before units: « 11,0 Mo »)
NBSP = "\u00a0"  # before the euro and percent signs


def _is_empty(value) -> bool:
    return value is None or value == ""


def to_decimal(value) -> Decimal:
    """An exact Decimal of a number; a float is read through its shortest text (2.675 → 2.675,
    not the 2.67499… that the binary float holds), so that it rounds as it reads."""
    if value.__class__ is Decimal:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value) if isinstance(value, int | Decimal) else Decimal(str(value))


_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}
# Wide enough to round any amount a person could type (a column's maximum is checked after).
_WIDE = Context(prec=60)


def _context_for(number: Decimal, places: int) -> Context:
    """A precision wide enough for `number` with `places` decimals: a figure no column holds is
    still written, in the message that refuses it."""
    if not number.is_finite() or number.adjusted() < 50:
        return _WIDE
    return Context(prec=number.adjusted() + max(places, 0) + 10)


def round_half_up(value, places: int = 0) -> Decimal | None:
    """The one rounding rule of the platform: half up, away from zero (0.125 → 0.13,
    -0.125 → -0.13, 12.25 → 12.3 with one place). None and "" stay None."""
    if value is None or value == "":
        return None
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    number = to_decimal(value)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP, context=_context_for(number, places))
    return rounded if rounded else abs(rounded)  # no « -0,00 »


def percentage(part, whole, places: int = 1) -> Decimal | None:
    """100 × part / whole, computed in Decimal and rounded half up; None when whole is 0."""
    if _is_empty(part) or _is_empty(whole) or not whole:
        return None
    return round_half_up(to_decimal(part) * 100 / to_decimal(whole), places)


def _decimals_pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places > 0 else "")


def number(value, places: int = 0) -> str:
    """12345.5 → « 12 345,5 » with `places` decimals (rounded half up)."""
    if _is_empty(value):
        return ""
    rounded = round_half_up(value, places)
    with localcontext(_context_for(rounded, places)):  # Babel quantizes in the current context
        return format_decimal(rounded, format=_decimals_pattern(places), locale=LOCALE)


def euros(value, places: int = 2) -> str:
    """Decimal('12345.67') → « 12 345,67 € »; whole euros with places=0."""
    if _is_empty(value):
        return ""
    rounded = round_half_up(value, places)
    with localcontext(_context_for(rounded, places)):
        return format_currency(
            rounded,
            "EUR",
            format=_decimals_pattern(places) + NBSP + "¤",
            currency_digits=False,
            locale=LOCALE,
        )


def is_plural(count) -> bool:
    """French agreement: 0 and 1 (and 1,5) take the singular, 2 and more the plural."""
    return abs(to_decimal(count or 0)) >= 2


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """The word agreeing with `count`: plural("ligne", 2) → « lignes »; « 0 ligne »."""
    if is_plural(count):
        return plural_form if plural_form is not None else singular + "s"
    return singular


def counted(count, singular: str, plural_form: str | None = None) -> str:
    """« 1 ligne », « 0 ligne », « 1 234 lignes »: the count and its agreeing word."""
    return f"{number(count)} {plural(count, singular, plural_form)}"


def percent(value, places: int = 1) -> str:
    """A value already in percent: 12.54 → « 12,5 % »."""
    if _is_empty(value):
        return ""
    return format_percent(
        round_half_up(value, places) / 100,
        format=_decimals_pattern(places) + NBSP + "%",
        locale=LOCALE,
    )


def figure(value) -> str:
    """A cell of a table of figures: an int as it is, a Decimal with the places it was rounded
    to (none when whole: 25.0 → « 25 », 61.5 → « 61,5 », 1500.50 → « 1 500,50 »), a float
    with one."""
    if _is_empty(value):
        return ""
    if isinstance(value, float):
        return number(value, 0 if value.is_integer() else 1)
    exact = to_decimal(value)
    if exact == exact.to_integral_value():
        return number(exact)
    return number(exact, max(0, -exact.as_tuple().exponent))


def quantity(value) -> str:
    """« 120 », « 12,5 »: as many decimals as the quantity has, no trailing zeros."""
    if _is_empty(value):
        return ""
    exact = to_decimal(value).normalize()
    return number(exact, max(0, -exact.as_tuple().exponent))


BYTE_UNITS = (
    (1024**3, "digital-gigabyte"),
    (1024**2, "digital-megabyte"),
    (1024, "digital-kilobyte"),
)


def file_size(size) -> str:
    """A size in bytes as people read it in French, one decimal, in multiples of 1024 (as the
    upload limits are counted): « 11,0 Mo », « 512,0 ko », « 800 octets »."""
    if _is_empty(size):
        return ""
    for unit_bytes, unit in BYTE_UNITS:
        if size >= unit_bytes:
            value = round_half_up(Decimal(size) / unit_bytes, 1)
            return format_unit(value, unit, length="short", format="#,##0.0", locale=LOCALE)
    return format_unit(int(size), "digital-byte", length="long", locale=LOCALE)


# --- Dates --------------------------------------------------------------------------------


def local_datetime(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime in the current time zone (Europe/Paris); a naive one is taken as local
    already."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


def local_date(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    """The calendar day in Europe/Paris: 23:30 UTC on 5 December → 6 December."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return local_datetime(value).date()
    return value


def _day_pattern(day: int) -> str:
    return "d'er'" if day == 1 else "d"


def long_date(value: datetime.date | datetime.datetime | None) -> str:
    """date(2026, 11, 26) → « 26 novembre 2026 » (« 1er » for the first of the month); a
    datetime gives its day in Europe/Paris."""
    day = local_date(value)
    if day is None:
        return ""
    return format_date(day, f"{_day_pattern(day.day)} MMMM y", locale=LOCALE)


def long_datetime(value: datetime.datetime | None) -> str:
    """« 6 décembre 2026 à 00:30 », in Europe/Paris."""
    if value is None:
        return ""
    moment = local_datetime(value)
    return format_datetime(moment, f"{_day_pattern(moment.day)} MMMM y 'à' HH:mm", locale=LOCALE)


def time_of_day(value: datetime.datetime | None) -> str:
    """« 00:30 », in Europe/Paris."""
    if value is None:
        return ""
    return format_datetime(local_datetime(value), "HH:mm", locale=LOCALE)


def iso_date(value: datetime.date | datetime.datetime | None) -> str:
    """« 2026-12-06 » (the day in Europe/Paris for a datetime), for exports and open data."""
    day = local_date(value)
    return day.isoformat() if day else ""


def iso_datetime(value: datetime.datetime | None) -> str:
    """« 2026-12-06T00:30:00+01:00 »: the local time with its offset, for exports and JSON."""
    if value is None:
        return ""
    return local_datetime(value).isoformat(timespec="seconds")


def month_names() -> list[str]:
    """« janvier » … « décembre »."""
    return list(get_month_names("wide", locale=LOCALE).values())


def month_abbreviations() -> list[str]:
    """« janv. », « févr. », « mars »… (chart axes)."""
    return list(get_month_names("abbreviated", locale=LOCALE).values())


def month_label(year: int, month: int) -> str:
    """« novembre 2026 »."""
    return format_date(datetime.date(year, month, 1), "MMMM y", locale=LOCALE)


# --- Names in a sentence: elision and articles ------------------------------------------------

# The gender of the common nouns an institution's, a programme's or a place's name starts with:
# « la Région Hauts-de-France », « le Département du Nord », « les Ateliers du Littoral ».
# A name that starts with another word is a proper name, without article (« Emmaüs »).
_FEMININE, _MASCULINE, _PLURAL = "f", "m", "p"
NOUN_GENDERS = {
    **dict.fromkeys(
        [
            "agence",
            "aide",
            "association",
            "banque",
            "boutique",
            "bourse",
            "caisse",
            "chambre",
            "cité",
            "communauté",
            "commune",
            "compagnie",
            "coopérative",
            "direction",
            "entreprise",
            "épicerie",
            "fabrique",
            "fédération",
            "ferme",
            "fête",
            "fondation",
            "halle",
            "maison",
            "métropole",
            "mission",
            "mutuelle",
            "préfecture",
            "prime",
            "recyclerie",
            "région",
            "régie",
            "ressourcerie",
            "société",
            "subvention",
            "union",
            "université",
            "ville",
        ],
        _FEMININE,
    ),
    **dict.fromkeys(
        [
            "appel",
            "atelier",
            "budget",
            "centre",
            "club",
            "hôpital",
            "hôtel",
            "collectif",
            "comité",
            "conseil",
            "contrat",
            "département",
            "dispositif",
            "établissement",
            "fonds",
            "foyer",
            "groupement",
            "institut",
            "jardin",
            "office",
            "pôle",
            "prix",
            "programme",
            "projet",
            "réseau",
            "secours",
            "service",
            "syndicat",
            "trophée",
            "village",
        ],
        _MASCULINE,
    ),
    **dict.fromkeys(
        ["amis", "ateliers", "compagnons", "jardins", "restaurants", "restos", "trophées"],
        _PLURAL,
    ),
    # Acronyms read as words or letter by letter, as people say them: « la CAF », « l'URSSAF ».
    **dict.fromkeys(
        [
            "adie",
            "caf",
            "ccas",
            "cci",
            "cma",
            "cpam",
            "cress",
            "cud",
            "mel",
            "mjc",
            "scic",
            "scop",
            "sncf",
            "urssaf",
        ],
        _FEMININE,
    ),
    **dict.fromkeys(["cias", "epci", "esat", "ehpad"], _MASCULINE),
}
_VOWELS = set("aàâäeéèêëiîïoôöuùûüyÿæœ")
# Most names in h take elision (« l'Hôpital », « d'Habitat et Humanisme »); these do not.
_ASPIRATED_H = (
    "hainaut",
    "halle",
    "hameau",
    "hangar",
    "hasard",
    "haut",
    "hérisson",
    "héros",
    "hollande",
    "hongrie",
    "honte",
    "houblon",
    "hutte",
)
_NAME_ARTICLES = {"le": _MASCULINE, "les": _PLURAL}


def _first_word(name: str) -> str:
    return name.split(" ", 1)[0].split("\u00a0", 1)[0].casefold()


def elides(word: str) -> bool:
    """Whether a word takes « l' » and « d' »: it starts with a vowel sound (« Agence »,
    « Emmaüs », « Hôpital », « Ypres »), but not with an aspirated h (« Hauts-de-France »,
    « Halle ») nor a « y » before a vowel (« Yourte »)."""
    word = word.casefold()
    if not word:
        return False
    if word[0] == "h":
        return not word.startswith(_ASPIRATED_H)
    if word[0] == "y":
        return len(word) > 1 and word[1] not in _VOWELS
    if word.startswith("oui") or word.startswith("onz"):
        return False
    return word[0] in _VOWELS


def _article_and_name(name: str) -> tuple[str, str]:
    """The article a name takes in a sentence, and the name without the article it may begin
    with: ("l'", "Agence ESS"), ("le", "Relais"), ("les", "Jardins du Littoral"), ("", "Emmaüs")."""
    first = _first_word(name)
    if first in _NAME_ARTICLES and " " in name:
        # « Le Relais », « Les Jardins du Littoral »: the article contracts (« du Relais »).
        return first, name.split(" ", 1)[1]
    gender = NOUN_GENDERS.get(first.rstrip(",;:"))
    if gender == _PLURAL:
        return "les", name
    if gender is None:
        return "", name
    if elides(first):
        return "l'", name
    return ("la" if gender == _FEMININE else "le"), name


_CONTRACTIONS = {("de", "le"): "du", ("de", "les"): "des", ("à", "le"): "au", ("à", "les"): "aux"}


def with_article(name, preposition: str = "") -> str:
    """A name as it reads in a French sentence, after a preposition or none, with the article of
    the noun it starts with, elided and contracted by the rules:

    with_article("Agence ESS du Dunkerquois", "de") → « de l'Agence ESS du Dunkerquois »
    with_article("Région Hauts-de-France", "de")    → « de la Région Hauts-de-France »
    with_article("Département du Nord", "à")        → « au Département du Nord »
    with_article("Les Jardins du Littoral", "de")   → « des Jardins du Littoral »
    with_article("Emmaüs Dunkerque", "de")          → « d'Emmaüs Dunkerque »
    with_article("Bergues", "à")                    → « à Bergues »
    with_article("Agence ESS")                      → « l'Agence ESS »
    """
    name = str(name or "").strip()
    preposition = preposition.strip()
    if not name:
        return ""
    article, rest = _article_and_name(name)
    if article and preposition:
        contracted = _CONTRACTIONS.get((preposition.casefold(), article))
        if contracted:
            return f"{contracted} {rest}"
    if article == "l'":
        phrase = f"l'{rest}"
    elif article and rest is not name:
        phrase = f"{name.split(' ', 1)[0]} {rest}"  # the name's own article, as it is written
    elif article:
        phrase = f"{article} {rest}"
    else:
        phrase = rest
    if not preposition:
        return phrase
    if preposition.casefold() == "de" and not article and elides(_first_word(rest)):
        return f"{preposition[0]}'{rest}"
    return f"{preposition} {phrase}"


def without_accents(text: str) -> str:
    """`text` without its accents and cedillas (« Épicerie Ça » → « Epicerie Ca »): the form
    searches and duplicate checks compare."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(character for character in decomposed if not unicodedata.combining(character))
