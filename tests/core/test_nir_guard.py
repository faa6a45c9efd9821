"""The social security number (NIR) guard of every free text about a person: any NIR written
with spaces (single or double), underscores, slashes, dots, dashes or full-width digits, Corsica
included, is caught; SIRETs and phone numbers are not."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import nir

from essor.core.validators import NIR_MESSAGE, contains_nir, validate_no_nir

SEPARATORS = [" ", "  ", ".", "-", "_", "/", " - ", " / ", "\u00a0", "\u202f", "–", "\u3000"]
FULL_WIDTH = str.maketrans("0123456789AB", "０１２３４５６７８９ＡＢ")


@st.composite
def nirs(draw) -> str:
    """A valid 15-character NIR (sex, year, month, department or 2A/2B, commune, order, key)."""
    sex = draw(st.sampled_from("12"))
    year = draw(st.integers(0, 99))
    month = draw(st.integers(1, 12))
    department = draw(
        st.one_of(st.sampled_from(["2A", "2B"]), st.integers(1, 95).map(lambda d: f"{d:02d}"))
    )
    commune = draw(st.integers(1, 990))
    order = draw(st.integers(1, 999))
    body = f"{sex}{year:02d}{month:02d}{department}{commune:03d}{order:03d}"
    return body + nir.calc_check_digits(body)


@st.composite
def written(draw, number: str) -> str:
    """`number` cut anywhere into groups joined by any separators, perhaps in full width."""
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=len(number) - 1)))
    groups = [
        number[start:end] for start, end in zip([0, *cuts], [*cuts, len(number)], strict=True)
    ]
    text = groups[0]
    for group in groups[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + group
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()):
        text = text.lower()
    before = draw(
        st.sampled_from(["", "Son numéro : ", "NIR ", "n°", "(", "Tél. 03 28 12 34 56, NIR "])
    )
    after = draw(st.sampled_from(["", " noté par erreur", ").", " — à retirer"]))
    return before + text + after


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_any_nir_however_written_is_caught(data):
    number = data.draw(nirs())
    assert contains_nir(data.draw(written(number))), number


@st.composite
def sirets(draw) -> str:
    body = "".join(str(d) for d in draw(st.lists(st.integers(0, 9), min_size=13, max_size=13)))
    for last in "0123456789":
        digits = [int(c) for c in body + last]
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d for i, d in enumerate(digits)
        )
        if total % 10 == 0:
            return body + last
    raise AssertionError("no Luhn digit")


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_a_siret_however_written_is_not_taken_for_a_nir(data):
    assert not contains_nir(data.draw(written(data.draw(sirets()))))


@given(st.data())
@settings(max_examples=400, deadline=None)
def test_a_phone_number_however_written_is_not_taken_for_a_nir(data):
    digits = data.draw(st.text("0123456789", min_size=8, max_size=8))
    number = "0" + data.draw(st.sampled_from("123456789")) + digits
    assert not contains_nir(data.draw(written(number)))


@pytest.mark.parametrize(
    "text",
    [
        "Son numéro : 2 55 08 14 168 025 38",
        "NIR 255081416802538 noté par erreur",
        "1 84 12 76 451 089",  # 13 digits, without its key
        "2.55.08.2A.168.025",  # Corsica, without its key
        "2  55  08  14  168  025  38",
        "2_55_08_14_168_025_38",
        "2/55/08/14/168/025/38",
        "２ ５５ ０８ １４ １６８ ０２５ ３８",
        "2-53-07-2a-073-004-43",
    ],
)
def test_the_usual_ways_of_writing_a_nir_are_caught(text):
    assert contains_nir(text)


@pytest.mark.parametrize(
    "text",
    [
        "SIRET de l'employeur : 123 456 789 00012",
        "Téléphone 03 28 12 34 56",
        "Contrat de 26 heures du 01/02/2026",
        "Dossier 2026-000123",
        "Convention ACI059170013A0M1",
    ],
)
def test_ordinary_numbers_are_not_taken_for_a_nir(text):
    assert not contains_nir(text)


def test_the_validator_says_why_in_french():
    with pytest.raises(ValidationError) as error:
        validate_no_nir("NIR : 2_55_08_14_168_025_38")
    assert error.value.messages == [NIR_MESSAGE]
