"""Amounts in euros: rounded half up to the cent before anything checks them.

A price typed or imported with more decimals (12.345, 0.004) is first rounded the way people
round money (12.35, 0.00); then every rule applies to that rounded amount: strictly positive,
at most what the column holds, totals, the procurement threshold. The database would otherwise
round on its own (half to even on one engine, half up on another) after the checks had passed.
"""

from decimal import Decimal, InvalidOperation

from django import forms

from essor.core.formats import euros, round_half_up

CENT = Decimal("0.01")


def to_cents(value) -> Decimal:
    """`value` rounded half up to the cent (12.345 → 12.35; 0.004 → 0.00). Raises
    `decimal.InvalidOperation` for what is not a finite number."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    if not amount.is_finite():
        raise InvalidOperation(value)
    return round_half_up(amount, 2)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """The amount of one line (a quantity at a unit price), rounded half up to the cent: what a
    purchase records and what totals add up."""
    return to_cents(quantity * unit_price)


def maximum(max_digits: int) -> Decimal:
    """The largest amount a column of `max_digits` digits with 2 decimals holds."""
    return Decimal(10) ** (max_digits - 2) - CENT


def too_large(amount: Decimal, max_digits: int) -> str | None:
    """Why a rounded amount does not fit its column, or None."""
    if amount > maximum(max_digits):
        return f"ne peut pas dépasser {euros(maximum(max_digits))}"
    return None


class EuroField(forms.DecimalField):
    """An amount in euros: any number of decimals is accepted and rounded half up to the cent,
    then checked (`min_value`, and the column's maximum from `max_digits`)."""

    def __init__(self, *, max_digits: int, **kwargs):
        self.max_digits_of_column = max_digits
        super().__init__(max_digits=None, decimal_places=None, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return to_cents(value)
        except InvalidOperation as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error

    def validate(self, value):
        super().validate(value)
        if value is not None and (reason := too_large(value, self.max_digits_of_column)):
            raise forms.ValidationError(f"Le montant {reason}.", code="max_value")
