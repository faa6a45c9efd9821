import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.fr import siret as stdnum_siret

from essor.core.validators import (
    siret_digits_are_valid,
    validate_insee_commune_code,
    validate_rna,
    validate_siren,
    validate_siret,
)


def test_fast_siret_check_agrees_with_python_stdnum():
    rng = random.Random(2026)
    numbers = [f"{rng.randrange(10**14):014d}" for _ in range(20000)]
    numbers += [f"356000000{rng.randrange(10**5):05d}" for _ in range(2000)]  # La Poste
    numbers += ["35600000000048", "73282932000074", "1234567890123", "7328293200007A"]
    assert [siret_digits_are_valid(n) for n in numbers] == [
        stdnum_siret.is_valid(n) for n in numbers
    ]


def test_a_real_siret_is_valid():
    validate_siret("732 829 320 00074")


@pytest.mark.parametrize(
    ("validator", "value", "message"),
    [
        (validate_siret, "73282932000075", "clé de contrôle"),
        (validate_siret, "7328293200007", "14 chiffres"),
        (validate_siren, "732829321", "clé de contrôle"),
        (validate_siren, "73282932", "9 chiffres"),
        (validate_rna, "W12345", "W suivi de 9 caractères"),
    ],
)
def test_invalid_identifiers_get_a_french_message(validator, value, message):
    with pytest.raises(ValidationError) as error:
        validator(value)
    assert message in error.value.messages[0]


def test_rna_accepts_new_and_old_numbers():
    validate_rna("W595001234")
    validate_rna("0595001234")


def test_insee_code_refuses_a_name():
    with pytest.raises(ValidationError, match="code INSEE"):
        validate_insee_commune_code("Dunkerque")
