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
