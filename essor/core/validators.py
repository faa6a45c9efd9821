"""Validators for French identifiers, with French messages (see STANDARDS.md)."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
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
