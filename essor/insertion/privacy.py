"""Privacy helpers: no national insurance number (NIR) may be typed into a free text field.

A NIR has 13 digits (15 with its key), often typed with spaces: `2 55 08 14 168 025 38`. Any
sequence of 13 or 15 digits (spaces, dots or dashes between groups allowed) whose first digit
is a sex code is refused; a 15-digit sequence is also checked against the official key with
`stdnum.fr.nir`. SIRET numbers (14 digits) and phone numbers (10 digits) pass.
"""

import re

from django.core.exceptions import ValidationError
from stdnum.fr import nir

# Digits separated by at most one space, dot or dash; Corsican departments 2A / 2B allowed.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ .\-]?[0-9AaBb]){12,16}(?![0-9A-Za-z])")

NIR_MESSAGE = (
    "Ce texte semble contenir un numéro de sécurité sociale (NIR) : il est interdit de "
    "l'enregistrer ici. Retirez-le puis enregistrez à nouveau."
)


def _looks_like_nir(candidate: str) -> bool:
    compact = re.sub(r"[ .\-]", "", candidate).upper()
    if len(compact) not in (13, 15) or compact[0] not in "12378":
        return False
    letters = compact[5:7]
    if any(c in "AB" for c in compact) and letters not in ("2A", "2B"):
        return False
    if len(compact) == 15:
        # Either a valid key, or a 15-digit run shaped like a NIR: refused both ways.
        return nir.is_valid(compact) or compact[:13].replace("A", "0").replace("B", "0").isdigit()
    return True


def contains_nir(text: str | None) -> bool:
    if not text:
        return False
    return any(_looks_like_nir(match.group(0)) for match in _CANDIDATE.finditer(text))


def validate_no_nir(value: str) -> None:
    if contains_nir(value):
        raise ValidationError(NIR_MESSAGE, code="nir")
