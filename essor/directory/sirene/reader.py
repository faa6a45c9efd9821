"""Reading the SIRENE stock files: by column name, streamed in blocks, filtered early.

The national files hold tens of millions of rows, of which a territory keeps a few thousand. Each
block of whole lines (a few MiB, so memory stays flat whatever the file's size) is parsed by polars
for its key column only; the few matching lines are then parsed in full. A ZIP as published is read
as a stream, without extracting it.

Every public function raises `SireneFileError` (a French message naming the file and the reason)
rather than a polars or zipfile exception, so that callers can show it as is.
"""

import contextlib
import csv
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import polars as pl

MASKED = "[ND]"
BLOCK_SIZE = 8 * 1024 * 1024
HEADER_MAX_BYTES = 1024 * 1024

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
    columns = next(csv.reader([text.rstrip("\r\n")], delimiter=separator), [])
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
    """Blocks of whole lines (each ends with a line end)."""
    while True:
        chunk = _read(stream, lambda: stream.handle.read(BLOCK_SIZE))
        if not chunk:
            return
        if not chunk.endswith(b"\n"):
            chunk += _read(stream, stream.handle.readline)  # the rest of the last line
        yield chunk if chunk.endswith(b"\n") else chunk + b"\n"


def _parse(stream: CsvStream, data: bytes, names: Iterable[str]) -> pl.DataFrame:
    """The named columns of the records in `data` (no header line), all as strings (codes keep
    their leading zeros and nothing is guessed)."""
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
    frame.columns = [stream.columns[position] for position in positions]
    return frame


def _key_column(stream: CsvStream, data: bytes, key: str) -> pl.Series | None:
    """The `key` column of the records in `data`, or None when `data` does not parse."""
    try:
        return _parse(stream, data, [key]).get_column(key)
    except SireneFileError:
        return None


def _parsed_ahead(stream: CsvStream, key: str) -> Iterator[tuple[bytes, pl.Series | None]]:
    """(block, its key column), the next block being read and parsed by polars (which releases
    the GIL) in a worker thread while the caller works on the current one: both cores are used."""
    blocks = _blocks(stream)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sirene-reader") as pool:

        def read_and_parse():
            block = next(blocks, None)
            return None if block is None else (block, _key_column(stream, block, key))

        upcoming = pool.submit(read_and_parse)
        while (current := upcoming.result()) is not None:
            upcoming = pool.submit(read_and_parse)
            yield current


def _filtered_rows(
    stream: CsvStream, *, columns: tuple[str, ...], key: str, values: set[str]
) -> tuple[int, pl.DataFrame]:
    """(number of records read, the records whose `key` is in `values`, `columns` only, cleaned).

    Parsing every selected field of millions of rows is the slow part and few rows are kept: each
    block is parsed for its `key` column alone, and only the matching lines are parsed in full.
    A quoted field may span lines (records and lines then differ): such a block is parsed whole,
    after being joined to the next one when the field runs past its end.
    """
    wanted = sorted(values)
    frames = []
    total = 0
    carried = b""
    for block, block_keys in _parsed_ahead(stream, key):
        if carried:
            data = carried + block
            keys = _key_column(stream, data, key)
        else:
            data, keys = block, block_keys
        lines = data.split(b"\n")  # the last item is the empty text after the last line end
        lines_match_records = keys is not None and len(keys) == len(lines) - 1
        if not lines_match_records and data.count(b'"') % 2:
            carried = data  # the block ends inside a quoted field: join it to the next one
            continue
        if keys is None:
            keys = _parse(stream, data, [key]).get_column(key)  # raises the French error
        carried = b""
        total += len(keys)
        matches = keys.is_in(wanted).arg_true().to_list()
        if not matches:
            continue
        if lines_match_records:
            data = b"\n".join(lines[number] for number in matches) + b"\n"
        frames.append(_parse(stream, data, columns).filter(pl.col(key).is_in(wanted)))
    if carried:
        raise SireneFileError(
            f"Le fichier {stream.label} est mal formé : un guillemet ouvert n'est jamais fermé."
        )
    if not frames:
        return total, pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return total, _clean(pl.concat(frames), columns)


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
