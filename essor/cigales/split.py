"""Sharing an amount between members pro rata, to the cent.

Each member first gets the cents of their exact share rounded down; the cents left over (fewer
than there are members) go one each to the members with the largest remainders; between equal
remainders, to the member who joined the club first, then to the first registered. The parts
always add up to the amount exactly.
"""

from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def split_pro_rata(amount: Decimal, weights: list[tuple[object, Decimal]]) -> dict:
    """`weights` lists (key, weight) in the tie-break order; returns {key: part}."""
    total_weight = sum((weight for _, weight in weights), Decimal(0))
    if total_weight <= 0:
        raise ValueError("Aucun poids positif : rien à répartir.")
    cents = int((amount / CENT).to_integral_value())
    parts = {}
    remainders = []
    for order, (key, weight) in enumerate(weights):
        exact = Fraction(cents) * Fraction(weight) / Fraction(total_weight)
        floor = exact.numerator // exact.denominator
        parts[key] = floor
        remainders.append((exact - floor, order, key))
    left = cents - sum(parts.values())
    for _, _, key in sorted(remainders, key=lambda item: (-item[0], item[1]))[:left]:
        parts[key] += 1
    return {
        key: (Decimal(part) * CENT).quantize(CENT, rounding=ROUND_DOWN)
        for key, part in parts.items()
    }
