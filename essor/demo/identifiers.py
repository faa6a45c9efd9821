"""Fictional SIREN, SIRET and RNA numbers that pass the official checks.

SIRENs are drawn from the range starting with 9, where INSEE numbers few legal units, so that a
demo record is unlikely to collide with a real one (they are flagged `is_demo` anyway).
"""

import random

from stdnum import luhn

SIREN_BODY_RANGE = range(90_000_000, 100_000_000)  # 8 digits starting with 9, plus the check digit


def with_check_digit(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def draw_sirens(rng: random.Random, count: int, exclude: set[str] = frozenset()) -> list[str]:
    """`count` distinct SIRENs (9 digits, Luhn-valid, starting with 9) not in `exclude`."""
    sirens: list[str] = []
    seen = set(exclude)
    while len(sirens) < count:
        for body in rng.sample(SIREN_BODY_RANGE, count - len(sirens)):
            siren = with_check_digit(str(body))
            if siren not in seen:
                seen.add(siren)
                sirens.append(siren)
    return sirens


def siret(siren: str, establishment_number: int) -> str:
    """The SIRET of the n-th establishment of a SIREN: 4-digit NIC body plus the Luhn digit."""
    return with_check_digit(f"{siren}{establishment_number:04d}")


def draw_rnas(rng: random.Random, count: int, exclude: set[str] = frozenset()) -> list[str]:
    """Distinct RNA numbers of the Nord's register: W59 followed by 7 digits."""
    rnas = [f"W59{number:07d}" for number in rng.sample(range(10**7), count + len(exclude))]
    return [rna for rna in rnas if rna not in exclude][:count]
