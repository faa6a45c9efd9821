"""Reading an uploaded CSV file row by row, with the reasons the csv module gives in English
turned into a French message naming the line: a cell longer than 131,072 characters (the csv
module's own default limit, checked here too because a library may raise the module's global
limit), a quote never closed."""

import csv
from collections.abc import Iterable, Iterator

# No cell of a file Essor imports comes near it; a quote never closed makes one cell of the rest.
CELL_LIMIT = 131_072


class UnreadableCsv(ValueError):
    def __init__(self, line: int, reason: str):
        self.line = line
        self.message = f"Ligne {line} : {reason}"
        super().__init__(self.message)


def _too_long() -> str:
    limit = f"{CELL_LIMIT:_}".replace("_", "\u202f")
    return (
        f"une cellule dépasse {limit} caractères (un guillemet ouvert sans être refermé, "
        "le plus souvent) : la lecture du fichier s'arrête là."
    )


def _too_long_cell(row) -> bool:
    cells = row.values() if isinstance(row, dict) else row
    return any(
        len(cell) > CELL_LIMIT
        for value in cells
        for cell in (value if isinstance(value, list) else [value])
        if isinstance(cell, str)
    )


def _reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return _too_long()
    return (
        "cette ligne n'est pas du CSV valide (guillemets ou séparateurs) : la lecture s'arrête là."
    )


def numbered_rows(reader: Iterable, start: int = 2) -> Iterator[tuple[int, object]]:
    """(line, row) for each row of a csv reader, the first numbered `start` (2 after a header);
    a row the csv module cannot read raises UnreadableCsv naming its line."""
    rows = iter(reader)
    line = start
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableCsv(line, _reason(error)) from None
        if _too_long_cell(row):
            raise UnreadableCsv(line, _too_long())
        yield line, row
        line += 1


def header(reader, *, line: int = 1):
    """The first row of a csv reader (`next`) or of a DictReader (`fieldnames`), or UnreadableCsv."""
    try:
        row = reader.fieldnames if isinstance(reader, csv.DictReader) else next(reader, [])
    except csv.Error as error:
        raise UnreadableCsv(line, _reason(error)) from None
    if row and _too_long_cell(row):
        raise UnreadableCsv(line, _too_long())
    return row
