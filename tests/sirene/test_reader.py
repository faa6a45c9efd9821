"""The block reader alone (no database): whatever the cuts, the records of the csv module."""

import csv
import zipfile

import pytest

from essor.directory.sirene import reader
from essor.directory.sirene.columns import STOCK_ETABLISSEMENT_COLUMNS
from tests.sirene import stock

TERRITORY = {"59183", "59155"}


def _establishments(count: int) -> list[dict]:
    """Rows inside and outside the territory, some with quoted fields (commas, quotes, line
    ends, several lines) at the end of a record or in the middle."""
    rows = []
    for number, siren in enumerate(stock.sirens(count)):
        values = {"codeCommuneEtablissement": ["59183", "75056", "59155"][number % 3]}
        if number % 4 == 1:
            values["complementAdresseEtablissement"] = f"BATIMENT {number}\nESCALIER 2\n\nPORTE 3"
        if number % 5 == 2:
            values["enseigne1Etablissement"] = f'LA FABRIQUE, DITE "{number}"'
        if number % 7 == 3:
            values["activitePrincipaleNAF25Etablissement"] = "LIGNE\nDE FIN"
        rows.append(stock.establishment(siren, **values))
    return rows


def _read(path):
    with reader.open_csv(path, label="des établissements", member_prefix="Stock") as stream:
        read, rows = reader.read_establishments(stream, commune_codes=TERRITORY)
    return read, rows.select("siret", "complementAdresseEtablissement", "enseigne1Etablissement")


def _expected(path) -> list[tuple]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["siret"], row["complementAdresseEtablissement"], row["enseigne1Etablissement"])
            for row in csv.DictReader(handle)
            if row["codeCommuneEtablissement"] in TERRITORY
        ]


@pytest.mark.parametrize("block_size", [60, 97, 250, 433, 1024, 4096, reader.BLOCK_SIZE])
def test_any_block_size_reads_the_records_of_the_csv_module(tmp_path, monkeypatch, block_size):
    monkeypatch.setattr(reader, "BLOCK_SIZE", block_size)
    path = stock.write(tmp_path / "e.csv", _establishments(40), STOCK_ETABLISSEMENT_COLUMNS)
    read, rows = _read(path)
    assert read == 40
    assert rows.rows() == _expected(path)


def test_a_line_holding_the_byte_that_splits_lines_is_read(tmp_path):
    siren, other = stock.sirens(2)
    name = f"ENSEIGNE{reader.LINE_SEPARATOR.decode()}ETRANGE"
    path = stock.write(
        tmp_path / "e.csv",
        [stock.establishment(siren, enseigne1Etablissement=name), stock.establishment(other)],
        STOCK_ETABLISSEMENT_COLUMNS,
    )
    read, rows = _read(path)
    assert read == 2
    assert rows.get_column("enseigne1Etablissement").to_list() == [name, ""]


def test_an_unclosed_quote_stops_the_reading_long_before_the_end(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "BLOCK_SIZE", 97)
    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", 2000)
    rows = [stock.establishment(siren) for siren in stock.sirens(300)]  # no other quote
    rows[0]["complementAdresseEtablissement"] = "UNCLOSED"
    path = stock.write(tmp_path / "e.csv", rows, STOCK_ETABLISSEMENT_COLUMNS)
    text = path.read_text(encoding="utf-8").replace(",UNCLOSED,", ',"UNCLOSED,', 1)
    path.write_text(text, encoding="utf-8")
    blocks_read = []
    blocks = reader._blocks
    monkeypatch.setattr(
        reader,
        "_blocks",
        lambda stream: (blocks_read.append(1) or block for block in blocks(stream)),
    )
    with pytest.raises(reader.SireneFileError, match="guillemet ouvert"):
        _read(path)
    assert 0 < len(blocks_read) < 100


class _EndlessLine:
    """A stream whose one line never ends (a broken or hostile file): `read(n)` and
    `readline(limit)` give as many bytes as asked; an unbounded read would never return."""

    def __init__(self, head: bytes):
        self.head = head

    def _take(self, size: int) -> bytes:
        if size is None or size < 0:
            raise AssertionError("unbounded read of a line that never ends")
        head, self.head = self.head[:size], self.head[size:]
        return head + b"A" * (size - len(head))

    def read(self, size=-1):
        return self._take(size)

    def readline(self, limit=-1):
        end = self.head.find(b"\n")
        if end != -1 and limit is not None and 0 <= end < limit:
            return self._take(end + 1)
        return self._take(limit)


def test_a_line_that_never_ends_stops_the_reading_with_a_french_message():
    header = ",".join(STOCK_ETABLISSEMENT_COLUMNS).encode() + b"\n"
    stream = reader.CsvStream(_EndlessLine(header), label="des établissements", separator=",")

    with pytest.raises(reader.SireneFileError, match="ligne de plus de 1 Mio"):
        reader.read_establishments(stream, commune_codes=TERRITORY)


def test_a_zip_holding_a_line_that_never_ends_is_refused(tmp_path):
    path = tmp_path / "StockEtablissement_utf8.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        header = ",".join(STOCK_ETABLISSEMENT_COLUMNS)
        archive.writestr("StockEtablissement_utf8.csv", header + "\n" + "9" * (20 * 1024 * 1024))

    with pytest.raises(reader.SireneFileError, match="ligne de plus de 1 Mio"):
        _read(path)


@pytest.fixture
def default_csv_field_limit():
    # Other libraries (frictionless) raise the process-wide limit; this test needs the default.
    previous = csv.field_size_limit(131072)
    yield 131072
    csv.field_size_limit(previous)


def test_a_header_longer_than_the_csv_module_s_field_limit_is_refused_in_french(
    tmp_path, default_csv_field_limit
):
    path = tmp_path / "e.csv"
    path.write_bytes(b"siren," + b"x" * (default_csv_field_limit + 10) + b"\n")

    with pytest.raises(reader.SireneFileError, match="en-tête"):
        _read(path)
