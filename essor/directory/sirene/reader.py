"""Reading the SIRENE stock files with polars: by column name, streamed, filtered early.

Every public function raises `SireneFileError` (a French message naming the file and the reason)
rather than a polars or zipfile exception, so that callers can show it as is.
"""

import contextlib
import csv
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

MASKED = "[ND]"
ZIP_COPY_BUFFER = 16 * 1024 * 1024
LINE_BUFFER = 16 * 1024 * 1024

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


@contextlib.contextmanager
def csv_path(path: Path | str, *, label: str, member_prefix: str) -> Iterator[Path]:
    """The path of a CSV file to scan: the file itself, or its CSV member extracted from a ZIP
    to a temporary file (polars scans files, not ZIP members; the copy is streamed)."""
    path = Path(path)
    if not path.is_file():
        raise SireneFileError(f"Le fichier {label} « {path.name} » est introuvable.")
    if not zipfile.is_zipfile(path):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="essor-sirene-") as tmp:
        try:
            with zipfile.ZipFile(path) as archive:
                member = _csv_member(archive, label=label, prefix=member_prefix)
                target = Path(tmp) / Path(member.filename).name
                with archive.open(member) as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink, ZIP_COPY_BUFFER)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
            raise SireneFileError(
                f"L'archive ZIP du fichier {label} « {path.name} » est illisible ou corrompue."
            ) from exc
        yield target


def _csv_member(archive: zipfile.ZipFile, *, label: str, prefix: str) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if info.filename.lower().endswith(".csv")]
    preferred = [info for info in members if Path(info.filename).name.startswith(prefix)]
    if preferred or members:
        return (preferred or members)[0]
    raise SireneFileError(f"L'archive ZIP du fichier {label} ne contient aucun fichier CSV.")


def check_header(path: Path, *, label: str, required: Iterable[str], separator: str) -> list[str]:
    """The header's column names; a French error when it is not a UTF-8 CSV with `required`."""
    with path.open("rb") as handle:
        first_line = handle.readline(1024 * 1024)
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
    return columns


def _scan(path: Path, separator: str) -> pl.LazyFrame:
    # All columns as strings: codes keep their leading zeros and nothing is guessed.
    return pl.scan_csv(
        path, separator=separator, has_header=True, infer_schema=False, quote_char='"'
    )


def _clean(frame: pl.LazyFrame | pl.DataFrame, columns: Iterable[str]):
    """Null and the masked marker `[ND]` both become the empty string."""
    return frame.with_columns(
        pl.when(pl.col(name) == MASKED)
        .then(pl.lit(""))
        .otherwise(pl.col(name))
        .fill_null("")
        .alias(name)
        for name in columns
    )


def _technical_error(label: str, exc: Exception) -> SireneFileError:
    detail = (str(exc).splitlines() or [""])[0][:300]
    return SireneFileError(
        f"Le fichier {label} est mal formé et ne peut pas être lu (détail technique : {detail})."
    )


def _filtered_rows(
    path: Path,
    *,
    header: list[str],
    separator: str,
    columns: tuple[str, ...],
    key: str,
    values: set[str],
    label: str,
) -> pl.DataFrame:
    """The rows whose `key` column is in `values`, selected columns only, cleaned.

    Parsing every selected field of millions of rows is the slow part, and only a few rows are
    kept, so the file is read twice: polars first parses the `key` column alone and returns the
    numbers of the matching records; a plain pass over the lines then picks those lines, and only
    they are parsed in full. When a quoted field spans lines (record numbers and line numbers then
    differ), the file is parsed field by field instead.
    """
    if not values:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    try:
        records = (
            _scan(path, separator)
            .select(key)
            .with_row_index("record")
            .filter(pl.col(key).is_in(sorted(values)))
            .collect(engine="streaming")
            .get_column("record")
            .to_list()
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _technical_error(label, exc) from exc
    lines, line_count = _lines_at(path, set(records))
    rows = None
    if line_count == count_rows(path, label=label, separator=separator):
        rows = _parse_lines(lines, header=header, separator=separator, columns=columns)
    if rows is None or rows.get_column(key).is_in(sorted(values)).sum() != len(records):
        rows = _full_parse(
            path, separator=separator, columns=columns, key=key, values=values, label=label
        )
    return _clean(rows.filter(pl.col(key).is_in(sorted(values))).select(columns), columns)


def _lines_at(path: Path, numbers: set[int]) -> tuple[list[bytes], int]:
    """(the data lines at those 0-based numbers, the number of data lines in the file)."""
    picked = []
    count = 0
    with path.open("rb", buffering=LINE_BUFFER) as handle:
        handle.readline()  # the header
        for count, line in enumerate(handle, start=1):
            if count - 1 in numbers:
                picked.append(line)
    return picked, count


def _parse_lines(
    lines: list[bytes], *, header: list[str], separator: str, columns: tuple[str, ...]
) -> pl.DataFrame | None:
    """The picked lines parsed as CSV, or None when they are not whole records."""
    if sum(line.count(b'"') for line in lines) % 2:
        return None
    text = (separator.join(_quoted(name) for name in header) + "\n").encode("utf-8")
    text += b"".join(line if line.endswith(b"\n") else line + b"\n" for line in lines)
    try:
        return pl.read_csv(
            text,
            separator=separator,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            columns=list(columns),
        )
    except pl.exceptions.PolarsError:
        return None


def _full_parse(
    path: Path, *, separator: str, columns: tuple[str, ...], key: str, values: set[str], label: str
) -> pl.DataFrame:
    query = _scan(path, separator).select(columns).filter(pl.col(key).is_in(sorted(values)))
    try:
        return query.collect(engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _technical_error(label, exc) from exc


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def count_rows(path: Path, *, label: str, separator: str = ",") -> int:
    """Number of data rows (a streaming count: nothing but line ends is parsed)."""
    try:
        return int(_scan(path, separator).select(pl.len()).collect(engine="streaming").item())
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _technical_error(label, exc) from exc


def read_establishments(
    path: Path, *, commune_codes: Iterable[str], label: str
) -> tuple[int, pl.DataFrame]:
    """(number of data rows in the file, the rows located in `commune_codes`)."""
    header = check_header(path, label=label, required=ESTABLISHMENT_COLUMNS, separator=",")
    rows = _filtered_rows(
        path,
        header=header,
        separator=",",
        columns=ESTABLISHMENT_COLUMNS,
        key="codeCommuneEtablissement",
        values=set(commune_codes),
        label=label,
    )
    return count_rows(path, label=label), rows


def read_legal_units(path: Path, *, sirens: Iterable[str], label: str) -> pl.DataFrame:
    """The rows of the legal-unit file whose SIREN is in `sirens` (the last one wins)."""
    header = check_header(path, label=label, required=LEGAL_UNIT_COLUMNS, separator=",")
    rows = _filtered_rows(
        path,
        header=header,
        separator=",",
        columns=LEGAL_UNIT_COLUMNS,
        key="siren",
        values=set(sirens),
        label=label,
    )
    return rows.unique(subset="siren", keep="last", maintain_order=True)


def read_geolocation(path: Path, *, sirets: Iterable[str], label: str) -> pl.DataFrame:
    """The rows of the `;`-separated geolocation file whose SIRET is in `sirets`."""
    header = check_header(path, label=label, required=GEOLOCATION_COLUMNS, separator=";")
    rows = _filtered_rows(
        path,
        header=header,
        separator=";",
        columns=GEOLOCATION_COLUMNS,
        key="siret",
        values=set(sirets),
        label=label,
    )
    return rows.unique(subset="siret", keep="last", maintain_order=True)
