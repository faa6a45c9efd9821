"""The data files Essor ships are the official reference files of ../shared/reference/."""

import re
from pathlib import Path

import pytest

from essor.directory.sirene.columns import STOCK_ETABLISSEMENT_COLUMNS, STOCK_UNITE_LEGALE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.parametrize(
    ("shipped", "reference"),
    [
        ("essor/territory/data/cud-communes.csv", "cud-communes.csv"),
        ("essor/territory/data/cud-former-communes.csv", "cud-former-communes.csv"),
        ("essor/directory/data/insee-categories-juridiques.tsv", "insee-categories-juridiques.tsv"),
    ],
)
def test_shipped_data_file_is_the_reference_file(shipped, reference):
    assert (ROOT / shipped).read_bytes() == (REFERENCE / reference).read_bytes()


def _reference_columns(section: str) -> list[str]:
    text = (REFERENCE / "sirene-columns.txt").read_text(encoding="utf-8")
    block = text.split(f"## {section}")[1].split("##")[0]
    return re.findall(r"^\d+\s+(\w+)", block, flags=re.MULTILINE)


def test_establishment_columns_are_the_reference_stock_layout():
    assert list(STOCK_ETABLISSEMENT_COLUMNS) == _reference_columns("StockEtablissement_utf8.csv")


def test_legal_unit_columns_are_the_reference_stock_layout():
    assert list(STOCK_UNITE_LEGALE_COLUMNS) == _reference_columns("StockUniteLegale_utf8.csv")
