"""The SCDL « subventions » 2.1.1 CSV (UTF-8, comma, decimal point, header line), streamed."""

import csv

from essor.funding.selectors import SCDL_HEADERS, scdl_rows


class _Echo:
    def write(self, value):
        return value


def scdl_lines(*, year: int, funder_siret: str | None = None):
    """Yields the CSV text line by line (for a streaming response or a file)."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(SCDL_HEADERS)
    for row in scdl_rows(year=year, funder_siret=funder_siret):
        yield writer.writerow(row)
