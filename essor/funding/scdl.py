"""The SCDL « subventions » 2.1.1 CSV (UTF-8, comma, decimal point, header line), streamed.

Written by `core.exports` like every export: a free-text cell (beneficiary, object, programme)
that a spreadsheet would run gets a leading quote; amounts and shares are written as numbers and
the coded fields never begin with such a character, so the file stays valid for the schema."""

from essor.core.exports import csv_lines
from essor.funding.selectors import SCDL_HEADERS, scdl_rows


def scdl_lines(*, year: int, funder_siret: str | None = None):
    """Yields the CSV text line by line (for a streaming response or a file)."""
    return csv_lines(
        SCDL_HEADERS,
        scdl_rows(year=year, funder_siret=funder_siret),
        delimiter=",",
        bom=False,
    )
