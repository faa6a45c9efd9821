"""The data files Essor ships and the reference copies its tests read are the pinned official files
(`reference/SHA256SUMS`; CI compares them with the distributed files, see reference/README.md)."""

import hashlib
import re
from pathlib import Path

import pytest

from essor.directory.sirene.columns import STOCK_ETABLISSEMENT_COLUMNS, STOCK_UNITE_LEGALE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference"


def _pinned() -> list[tuple[str, str]]:
    lines = (REFERENCE / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("  ", 1)) for line in lines if line.strip()]


@pytest.mark.parametrize(("digest", "path"), _pinned(), ids=lambda value: value[-40:])
def test_reference_and_shipped_files_are_the_pinned_official_versions(digest, path):
    assert hashlib.sha256((REFERENCE / path).read_bytes()).hexdigest() == digest


def test_every_reference_copy_is_pinned():
    pinned = {Path(path).name for _, path in _pinned()}
    copies = {
        path.name for path in REFERENCE.iterdir() if path.name not in {"README.md", "SHA256SUMS"}
    }
    assert copies <= pinned


def _reference_columns(section: str) -> list[str]:
    text = (REFERENCE / "sirene-columns.txt").read_text(encoding="utf-8")
    block = text.split(f"## {section}")[1].split("##")[0]
    return re.findall(r"^\d+\s+(\w+)", block, flags=re.MULTILINE)


def test_establishment_columns_are_the_reference_stock_layout():
    assert list(STOCK_ETABLISSEMENT_COLUMNS) == _reference_columns("StockEtablissement_utf8.csv")


def test_legal_unit_columns_are_the_reference_stock_layout():
    assert list(STOCK_UNITE_LEGALE_COLUMNS) == _reference_columns("StockUniteLegale_utf8.csv")
