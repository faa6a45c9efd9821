import csv
import io

import pytest

from essor.core import csvfiles


def test_rows_are_numbered_from_the_line_after_the_header():
    reader = csv.reader(io.StringIO("a;b\n1;2\n3;4\n"), delimiter=";")
    assert csvfiles.header(reader) == ["a", "b"]
    assert list(csvfiles.numbered_rows(reader)) == [(2, ["1", "2"]), (3, ["3", "4"])]


def test_a_cell_beyond_the_csv_modules_limit_names_the_line_in_french():
    reader = csv.reader(io.StringIO('a\n1\n"' + "x" * 200_000 + "\n"))
    csvfiles.header(reader)
    rows = csvfiles.numbered_rows(reader)
    assert next(rows) == (2, ["1"])
    with pytest.raises(csvfiles.UnreadableCsv) as error:
        next(rows)
    assert error.value.line == 3
    assert "une cellule dépasse 131\u202f072 caractères" in error.value.message


def test_a_header_beyond_the_limit_is_line_one():
    reader = csv.DictReader(io.StringIO('"' + "x" * 200_000))
    with pytest.raises(csvfiles.UnreadableCsv, match=r"^Ligne 1 : "):
        csvfiles.header(reader)
