"""Reading the SIRENE stock files: by column name, streamed in blocks, filtered early.

The national files hold tens of millions of rows, of which a territory keeps a few thousand. Each
block of whole lines (a few MiB, so memory stays flat whatever the file's size) is parsed by polars
for its key column only and split into lines by polars too; the few matching lines are then parsed
in full. Blocks are parsed in worker threads, a few ahead of the one being read. A ZIP as published
is read as a stream, without extracting it.

Every public function raises `SireneFileError` (a French message naming the file and the reason)
rather than a polars or zipfile exception, so that callers can show it as is.
"""

import contextlib
import csv
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import polars as pl

MASKED = "[ND]"
BLOCK_SIZE = 8 * 1024 * 1024
HEADER_MAX_BYTES = 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024  # a SIRENE record is a few hundred bytes
WORKERS = 2  # the blocks parsed at once (polars parses one small block on one core)
LINE_SEPARATOR = b"\x1f"  # unit separator: splits no line when absent from the block

ESTABLISHMENT_COLUMNS = (
    "siren",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "etablissementSiege",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
)
LEGAL_UNIT_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "prenom1UniteLegale",
    "prenomUsuelUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "etatAdministratifUniteLegale",
    "dateDebut",  # start of the current period: the closure date of a closed unit
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "caractereEmployeurUniteLegale",
)
GEOLOCATION_COLUMNS = ("siret", "x_longitude", "y_latitude", "qualite_xy")


class SireneFileError(Exception):
    """A file that cannot be imported; the message is French and meant for the operator."""


class CsvStream:
    """An open stock file (or ZIP member), its header, and what to call it in messages."""

    def __init__(self, handle: BinaryIO, *, label: str, separator: str):
        self.handle = handle
        self.label = label
        self.separator = separator
        self.columns: list[str] = []


@contextlib.contextmanager
def open_csv(
    path: Path | str, *, label: str, member_prefix: str, separator: str = ","
) -> Iterator[CsvStream]:
    """The CSV file, or the CSV member of a ZIP as published, opened as a binary stream."""
    path = Path(path)
    if not path.is_file():
        raise SireneFileError(f"Le fichier {label} « {path.name} » est introuvable.")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            yield CsvStream(handle, label=label, separator=separator)
        return
    try:
        archive = zipfile.ZipFile(path)
        member = _csv_member(archive, label=label, prefix=member_prefix)
        handle = archive.open(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise _corrupt_zip(label, path) from exc
    with archive, handle:
        yield CsvStream(handle, label=f"{label} (archive « {path.name} »)", separator=separator)


def _corrupt_zip(label: str, path: Path) -> SireneFileError:
    return SireneFileError(
        f"L'archive ZIP du fichier {label} « {path.name} » est illisible ou corrompue."
    )


def _csv_member(archive: zipfile.ZipFile, *, label: str, prefix: str) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
    preferred = [info for info in members if Path(info.filename).name.startswith(prefix)]
    if preferred or members:
        return (preferred or members)[0]
    raise SireneFileError(f"L'archive ZIP du fichier {label} ne contient aucun fichier CSV.")


def check_header(stream: CsvStream, *, required: Iterable[str]) -> list[str]:
    """Reads the header line; a French error when it is not a UTF-8 CSV with `required`."""
    label, separator = stream.label, stream.separator
    first_line = _read(stream, lambda: stream.handle.readline(HEADER_MAX_BYTES))
    try:
        text = first_line.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SireneFileError(
            f"Le fichier {label} n'est pas un fichier CSV encodé en UTF-8."
        ) from exc
    try:
        columns = next(csv.reader([text.rstrip("\r\n")], delimiter=separator), [])
    except csv.Error as exc:  # e.g. a "column name" longer than the csv module's field limit
        raise SireneFileError(
            f"Le fichier {label} n'a pas une ligne d'en-tête CSV lisible (un nom de colonne "
            "dépasse la longueur permise)."
        ) from exc
    if len(columns) < 2:
        raise SireneFileError(
            f"Le fichier {label} n'est pas un fichier CSV séparé par « {separator} » "
            "avec une ligne d'en-tête."
        )
    missing = [name for name in required if name not in columns]
    if missing:
        plural = "les colonnes obligatoires" if len(missing) > 1 else "la colonne obligatoire"
        raise SireneFileError(
            f"Le fichier {label} ne contient pas {plural} : {', '.join(missing)}."
        )
    stream.columns = columns
    return columns


def _read(stream: CsvStream, read):
    try:
        return read()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SireneFileError(
            f"Le fichier {stream.label} est illisible ou tronqué (lecture interrompue)."
        ) from exc


def _blocks(stream: CsvStream) -> Iterator[bytes]:
    """Blocks of whole lines (each ends with a line end). The rest of a block's last line is read
    up to MAX_RECORD_BYTES only: a line that never ends (a broken or hostile file) stops the
    reading instead of filling memory."""
    while True:
        chunk = _read(stream, lambda: stream.handle.read(BLOCK_SIZE))
        if not chunk:
            return
        if not chunk.endswith(b"\n"):
            rest = _read(stream, lambda: stream.handle.readline(MAX_RECORD_BYTES + 1))
            unfinished = len(chunk) - chunk.rfind(b"\n") - 1 + len(rest)
            if unfinished > MAX_RECORD_BYTES:
                raise SireneFileError(
                    f"Le fichier {stream.label} contient une ligne de plus de 1 Mio (une ligne "
                    "qui ne se termine pas ?) : ce n'est pas un fichier SIRENE valide."
                )
            chunk += rest
        yield chunk if chunk.endswith(b"\n") else chunk + b"\n"


def _parse(stream: CsvStream, data: bytes, names: Iterable[str] | None) -> pl.DataFrame:
    """The named columns of the records in `data` (no header line), all as strings (codes keep
    their leading zeros and nothing is guessed); every column when `names` is None, then named
    by position ("0", "1"…: a header may repeat a name)."""
    if names is None:
        positions = list(range(len(stream.columns)))
    else:
        positions = sorted(stream.columns.index(name) for name in names)
    try:
        frame = pl.read_csv(
            data,
            separator=stream.separator,
            has_header=False,
            infer_schema=False,
            quote_char='"',
            columns=positions,
        )
    except pl.exceptions.PolarsError as exc:
        detail = (str(exc).splitlines() or [""])[0][:300]
        raise SireneFileError(
            f"Le fichier {stream.label} est mal formé et ne peut pas être lu "
            f"(détail technique : {detail})."
        ) from exc
    if names is None:
        frame.columns = [str(position) for position in positions]
    else:
        frame.columns = [stream.columns[position] for position in positions]
    return frame


def _key_column(stream: CsvStream, data: bytes, key: str) -> pl.Series:
    return _parse(stream, data, [key]).get_column(key)


def _lines(data: bytes) -> pl.Series | None:
    """The lines of `data` as strings, split by polars (far cheaper than `bytes.split`); None
    when `data` holds the byte that stands in for a separator (then the lines cannot be told)."""
    if LINE_SEPARATOR in data:
        return None
    try:
        frame = pl.read_csv(
            data,
            separator=LINE_SEPARATOR.decode(),
            has_header=False,
            infer_schema=False,
            quote_char=None,
            new_columns=["line"],
        )
    except pl.exceptions.PolarsError:  # not UTF-8, say: the full parse tells what is wrong
        return None
    return frame.get_column("line")


def _matching_records(
    stream: CsvStream, data: bytes, *, key: str, wanted: pl.Series
) -> tuple[int, bytes]:
    """(number of records in `data`, the CSV text of those whose `key` is in `wanted`).

    `data` holds whole records. Its `key` column is parsed alone and the matching lines are
    picked; when records and lines differ (a quoted field spans lines), `data` is parsed in full
    and the matching records written back. Raises the French error when `data` is not CSV.

    Text rather than parsed rows: it is compact and lives outside polars's memory, where
    thousands of small frames kept between the large blocks would fragment it (memory would
    grow with the file)."""
    keys = _key_column(stream, data, key)
    lines = _lines(data)
    if lines is not None and len(lines) == len(keys):
        matches = keys.is_in(wanted)
        selected = lines.filter(matches)
        if selected.is_empty():
            return len(keys), b""
        text = (selected.str.join("\n").item() + "\n").encode()
        with contextlib.suppress(SireneFileError):  # then parse it all, as below
            # The lines picked are the records matched: their keys prove it.
            if _key_column(stream, text, key).equals(keys.filter(matches), check_names=False):
                return len(keys), text
    records = _parse(stream, data, None)
    kept = records.filter(pl.col(str(stream.columns.index(key))).is_in(wanted))
    if kept.is_empty():
        return records.height, b""
    text = kept.write_csv(include_header=False, separator=stream.separator, line_terminator="\n")
    return records.height, text.encode()


def _matching_records_or_none(stream: CsvStream, data: bytes, **kwargs):
    """`_matching_records` for a worker thread: None instead of an error (the block may begin
    inside a quoted field that the previous block opened, then it is read again joined to it)."""
    try:
        return _matching_records(stream, data, **kwargs)
    except SireneFileError:
        return None


def _open_record_start(data: bytes) -> int | None:
    """Where the last record of `data` begins when `data` ends inside a quoted field (an odd
    number of quotes), else None: just after the last line end with an even number of quotes
    before it (0 when there is none)."""
    quotes = data.count(b'"')
    if quotes % 2 == 0:
        return None
    end = len(data) - 1  # the last line end, inside the quoted field
    while (line_end := data.rfind(b"\n", 0, end)) != -1:
        quotes -= data.count(b'"', line_end, end)
        if quotes % 2 == 0:
            return line_end + 1
        end = line_end
    return 0


def _parsed_ahead(stream: CsvStream, **kwargs) -> Iterator[tuple[bytes, tuple | None]]:
    """(block, `_matching_records_or_none` of it), in order. The blocks are read here and parsed by
    polars (which releases the GIL) in worker threads, a few ahead: both cores are used and
    memory holds only those few blocks."""
    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sirene-reader") as pool:
        pending: deque = deque()
        for block in _blocks(stream):
            future = pool.submit(_matching_records_or_none, stream, block, **kwargs)
            pending.append((block, future))
            if len(pending) > WORKERS:
                block, future = pending.popleft()
                yield block, future.result()
        while pending:
            block, future = pending.popleft()
            yield block, future.result()


def _filtered_rows(
    stream: CsvStream, *, columns: tuple[str, ...], key: str, values: set[str]
) -> tuple[int, pl.DataFrame]:
    """(number of records read, the records whose `key` is in `values`, `columns` only, cleaned).

    Parsing every selected field of millions of rows is the slow part and few rows are kept: each
    block is parsed for its `key` column alone; the matching records are kept as text and parsed
    in full once they fill a block (few large frames). A quoted field may span lines: a block that ends inside one gives its last record to the
    next block (a record longer than MAX_RECORD_BYTES is an unclosed quote, not a record).
    """
    wanted = pl.Series(sorted(values), dtype=pl.String).implode()  # one list: is_in looks it up
    frames = []
    total = 0
    carried = b""
    texts: list[bytes] = []  # the matching records not parsed yet
    size = 0
    for block, result in _parsed_ahead(stream, key=key, wanted=wanted):
        data = carried + block if carried else block
        if carried or result is None:  # joined to what came before, or to raise the error
            start = _open_record_start(data)
            carried = b"" if start is None else data[start:]
            if len(carried) > MAX_RECORD_BYTES:
                raise _unclosed_quote(stream)
            if start == 0:
                continue
            result = _matching_records(stream, data[:start], key=key, wanted=wanted)
        count, text = result
        total += count
        if text:
            texts.append(text)
            size += len(text)
        if size >= BLOCK_SIZE:  # few large frames, not many small ones
            frames.append(_parse(stream, b"".join(texts), columns))
            texts, size = [], 0
    if carried:
        raise _unclosed_quote(stream)
    if texts:
        frames.append(_parse(stream, b"".join(texts), columns))
    if not frames:
        return total, _empty(columns)
    return total, _clean(pl.concat(frames), columns)


def _unclosed_quote(stream: CsvStream) -> SireneFileError:
    return SireneFileError(
        f"Le fichier {stream.label} est mal formé : un guillemet ouvert n'est jamais fermé."
    )


def _empty(columns: Iterable[str]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))


def _clean(frame: pl.DataFrame, columns: Iterable[str]) -> pl.DataFrame:
    """Null and the masked marker `[ND]` both become the empty string."""
    return frame.with_columns(
        pl.when(pl.col(name) == MASKED)
        .then(pl.lit(""))
        .otherwise(pl.col(name))
        .fill_null("")
        .alias(name)
        for name in columns
    )


def read_establishments(
    stream: CsvStream, *, commune_codes: Iterable[str]
) -> tuple[int, pl.DataFrame]:
    """(number of data rows in the file, the rows located in `commune_codes`)."""
    check_header(stream, required=ESTABLISHMENT_COLUMNS)
    return _filtered_rows(
        stream,
        columns=ESTABLISHMENT_COLUMNS,
        key="codeCommuneEtablissement",
        values=set(commune_codes),
    )


def read_legal_units(stream: CsvStream, *, sirens: Iterable[str]) -> pl.DataFrame:
    """The rows of the legal-unit file whose SIREN is in `sirens` (the last one wins)."""
    check_header(stream, required=LEGAL_UNIT_COLUMNS)
    _, rows = _filtered_rows(stream, columns=LEGAL_UNIT_COLUMNS, key="siren", values=set(sirens))
    return rows.unique(subset="siren", keep="last", maintain_order=True)


def read_geolocation(stream: CsvStream, *, sirets: Iterable[str]) -> pl.DataFrame:
    """The rows of the `;`-separated geolocation file whose SIRET is in `sirets`."""
    check_header(stream, required=GEOLOCATION_COLUMNS)
    _, rows = _filtered_rows(stream, columns=GEOLOCATION_COLUMNS, key="siret", values=set(sirets))
    return rows.unique(subset="siret", keep="last", maintain_order=True)
