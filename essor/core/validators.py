"""Validators for French identifiers, with French messages (see STANDARDS.md)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

RNA_PATTERN = re.compile(r"^W\d[A-Z0-9]\d{7}$")
RNA_OLD_PATTERN = re.compile(r"^0\d{3}00\d{4}$")
INSEE_COMMUNE_PATTERN = re.compile(r"^(\d{5}|2[AB]\d{3})$")


def compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def validate_siren(value: str) -> None:
    number = compact(value)
    if not number.isdigit() or len(number) != 9:
        raise ValidationError(
            "Le SIREN « %(value)s » doit comporter exactement 9 chiffres.",
            code="invalid_siren",
            params={"value": value},
        )
    try:
        stdnum_siren.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            "Le SIREN « %(value)s » est invalide : la clé de contrôle ne correspond pas.",
            code="invalid_siren",
            params={"value": value},
        ) from exc


def validate_siret(value: str) -> None:
    number = compact(value)
    if not number.isdigit() or len(number) != 14:
        raise ValidationError(
            "Le SIRET « %(value)s » doit comporter exactement 14 chiffres.",
            code="invalid_siret",
            params={"value": value},
        )
    try:
        stdnum_siret.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            "Le SIRET « %(value)s » est invalide : la clé de contrôle ne correspond pas.",
            code="invalid_siret",
            params={"value": value},
        ) from exc


def validate_rna(value: str) -> None:
    number = compact(value)
    if not (RNA_PATTERN.match(number) or RNA_OLD_PATTERN.match(number)):
        raise ValidationError(
            "Le numéro RNA « %(value)s » est invalide : il s'écrit W suivi de 9 caractères "
            "(par exemple W595001234) ou, pour les anciens numéros, 0XXX00XXXX.",
            code="invalid_rna",
            params={"value": value},
        )


def validate_insee_commune_code(value: str) -> None:
    if not INSEE_COMMUNE_PATTERN.match((value or "").strip().upper()):
        raise ValidationError(
            "Le code INSEE « %(value)s » est invalide : il comporte 5 caractères "
            "(par exemple 59183 pour Dunkerque). Le code postal ne convient pas.",
            code="invalid_insee_code",
            params={"value": value},
        )


def is_valid_siret(value: str) -> bool:
    try:
        validate_siret(value)
    except ValidationError:
        return False
    return True


def is_valid_siren(value: str) -> bool:
    try:
        validate_siren(value)
    except ValidationError:
        return False
    return True


_LUHN_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
LA_POSTE_SIREN = "356000000"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(digits)):
        digit = ord(character) - 48
        total += _LUHN_DOUBLED[digit] if position & 1 else digit
    return total % 10 == 0


def siret_digits_are_valid(number: str) -> bool:
    """The same rule as `validate_siret` (python-stdnum's), for an already compact number.

    Imports check tens of thousands of SIRETs; stdnum's generic cleaning makes that take about a
    second, this takes a few milliseconds. Tests compare both on many numbers."""
    if len(number) != 14 or not number.isascii() or not number.isdigit():
        return False
    if number.startswith(LA_POSTE_SIREN) and number != "35600000000048":
        checksum_ok = sum(ord(character) - 48 for character in number) % 5 == 0
    else:
        checksum_ok = _luhn_ok(number)
    return checksum_ok and _luhn_ok(number[:9])


# The social security number (NIR) guard -----------------------------------------------------

NIR_MESSAGE = (
    "Ce texte semble contenir un numéro de sécurité sociale (NIR) : il est interdit de "
    "l'enregistrer ici. Retirez-le puis enregistrez à nouveau."
)
# Between the groups of digits: spaces (double ones too), dots, dashes, underscores, slashes.
_NIR_SEPARATORS = r"[\s._/\\\-\u2010-\u2015\u2212]"
_NIR_RUN = re.compile(rf"[0-9AB](?:{_NIR_SEPARATORS}*[0-9AB])*")
_NIR_SPLIT = re.compile(rf"{_NIR_SEPARATORS}+")


def _looks_like_nir(candidate: str, *, whole: bool) -> bool:
    """A NIR: sex, year, month, department (or 2A/2B), commune, order, and its key checked by
    python-stdnum. A number standing alone shaped like a NIR counts even without its key (13
    characters) or with a wrong one (a typing error does not make it anonymous); a part of a
    longer run of digits needs its valid key (a SIRET cut in two is not a NIR)."""
    if candidate[0] not in "12378" or not candidate[:5].isdigit() or not candidate[7:].isdigit():
        return False
    if not (candidate[5:7].isdigit() or candidate[5:7] in ("2A", "2B")):
        return False
    month = int(candidate[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    if len(candidate) == 15 and stdnum_nir.is_valid(candidate):
        return True
    return whole


def contains_nir(text: str | None) -> bool:
    """Whether the text holds a NIR however it is written: digits in groups separated by
    spaces, dots, dashes, underscores or slashes, full-width digits (NFKC), 2A/2B for Corsica.
    SIRETs (14 digits) and phone numbers (10) never match."""
    if not text:
        return False
    normalised = unicodedata.normalize("NFKC", text).upper()
    for run in _NIR_RUN.finditer(normalised):
        groups = [group for group in _NIR_SPLIT.split(run.group()) if group]
        for first in range(len(groups)):
            candidate = ""
            for last in range(first, len(groups)):
                candidate += groups[last]
                if len(candidate) > 15:
                    break
                whole = first == 0 and last == len(groups) - 1
                if len(candidate) in (13, 15) and _looks_like_nir(candidate, whole=whole):
                    return True
    return False


def validate_no_nir(value: str) -> None:
    """For every free text about a person (names, notes, reasons, comments, action texts)."""
    if contains_nir(value):
        raise ValidationError(NIR_MESSAGE, code="nir")
