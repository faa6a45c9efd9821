"""French formats shared by templates, exports and PDFs: 12 345,67 €, 26 novembre 2026, 12,5 %."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

NARROW_NBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"  # before the euro and percent signs

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NARROW_NBSP.join(groups)


def number(value, places: int = 0) -> str:
    """12345.5 -> '12 345,5' with `places` decimals (rounded half up)."""
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-places)
    amount = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _, decimals = f"{abs(amount):f}".partition(".")
    text = group_thousands(whole)
    return f"{sign}{text},{decimals}" if places else f"{sign}{text}"


def euros(value, places: int = 2) -> str:
    """Decimal('12345.67') -> '12 345,67 €'; whole euros with places=0."""
    if value is None or value == "":
        return ""
    return f"{number(value, places)}{NBSP}€"


def percent(value, places: int = 1) -> str:
    if value is None or value == "":
        return ""
    return f"{number(value, places)}{NBSP}%"


def long_date(value: datetime.date | None) -> str:
    """date(2026, 11, 26) -> '26 novembre 2026' (1er for the first of the month)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def long_datetime(value: datetime.datetime | None) -> str:
    """An aware datetime in Europe/Paris: '6 décembre 2026 à 00:30'."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{long_date(value.date())} à {value:%H:%M}"


def month_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"
