"""Reading the official commune list (COG) and the EPCI membership list: from the npm package
`@etalab/decoupage-administratif` (the default: installed by the set-up command at the version
pinned in package.json, built by Etalab from INSEE's COG and the DGCL's EPCI list), or from the
files INSEE publishes.

Parsing only: each reader returns plain rows or raises `ReferenceFileError` with French messages
naming the line (or the package's entry) and the field. Writing is done by
`essor.territory.services`.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from essor.core import npm_data
from essor.core.formats import counted, plural
from essor.core.validators import INSEE_COMMUNE_PATTERN

MAX_REPORTED_ERRORS = 20

COG_COLUMNS = ("TYPECOM", "COM", "DEP", "LIBELLE", "COMPARENT")
COG_CURRENT = "COM"
# Codes that designate part of a current commune: associated, delegated communes, municipal districts.
COG_PART_KINDS = {
    "COMA": "commune associée",
    "COMD": "commune déléguée",
    "ARM": "arrondissement municipal",
}

# A code only listed among a current commune's former codes (`anciensCodes` in the package): a
# commune absorbed whole (fusion simple), with no associated or delegated status left.
ABSORBED = "FUSION"
FORMER_KINDS = {**COG_PART_KINDS, ABSORBED: "commune fusionnée"}

DECOUPAGE_PACKAGE = "@etalab/decoupage-administratif"
PACKAGE_COMMUNES = "data/communes.json"
PACKAGE_EPCI = "data/epci.json"
PACKAGE_KINDS = {
    "commune-actuelle": COG_CURRENT,
    "commune-associee": "COMA",
    "commune-deleguee": "COMD",
    "arrondissement-municipal": "ARM",
}

EPCI_COLUMNS = ("CODGEO", "LIBGEO", "EPCI", "LIBEPCI")
EPCI_SHEET = "Composition_communale"


class ReferenceFileError(Exception):
    """A reference file that cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        text = "\n".join(shown)
        if more > 0:
            text += f"\n… et {counted(more, 'autre erreur', 'autres erreurs')}."
        super().__init__(text)


@dataclass(frozen=True)
class CogRow:
    line: int  # the file's line, or the package's entry (from 1)
    kind: str  # COM, COMA, COMD, ARM or FUSION
    code: str
    name: str  # empty for a former code whose name the source does not give
    department: str
    parent_code: str
    # None: the source does not give it (INSEE's COG file), the value already known is kept.
    postal_codes: tuple[str, ...] | None = None
    population: int | None = None
    siren: str | None = None


@dataclass(frozen=True)
class EpciRow:
    line: int
    commune_code: str
    commune_name: str
    epci_siren: str
    epci_name: str


def _cell(value) -> str:
    """A cell as text: spreadsheets may hand numbers back (59183 or 59183.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _missing_columns(header: Iterable[str], required: tuple[str, ...], source: str) -> list[str]:
    present = {name.strip().upper() for name in header if name}
    missing = [name for name in required if name not in present]
    if missing:
        return [
            f"{source}, ligne 1 : "
            f"{plural(len(missing), 'colonne obligatoire absente', 'colonnes obligatoires absentes')} : {', '.join(missing)} "
            f"(colonnes attendues : {', '.join(required)})."
        ]
    return []


def _csv_records(handle: io.TextIOBase, required: tuple[str, ...], source: str):
    """(line number, {COLUMN: value}) for each data line of a CSV whose delimiter is `,` or `;`."""
    sample = handle.read(4096)
    handle.seek(0)
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(handle, delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise ReferenceFileError([f"{source} : le fichier est vide."])
    if errors := _missing_columns(header, required, source):
        raise ReferenceFileError(errors)
    columns = [name.strip().upper() for name in header]
    for index, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        yield index, dict(zip(columns, (value.strip() for value in values), strict=False))


def _valid_code(code: str) -> bool:
    return bool(INSEE_COMMUNE_PATTERN.match(code))


def read_cog(path: Path, progress=None) -> list[CogRow]:
    """The rows of a COG commune file (e.g. v_commune_2025.csv). `progress(n)` is called per row."""
    source = path.name
    errors: list[str] = []
    rows: list[CogRow] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, record in _csv_records(handle, COG_COLUMNS, source):
            if progress:
                progress(1)
            kind = record.get("TYPECOM", "").upper()
            code = record.get("COM", "").upper()
            parent = record.get("COMPARENT", "").upper()
            name = record.get("LIBELLE", "")
            if kind != COG_CURRENT and kind not in COG_PART_KINDS:
                errors.append(
                    f"{source}, ligne {line}, champ TYPECOM : nature « {kind} » inconnue "
                    "(COM, COMA, COMD ou ARM attendue)."
                )
                continue
            if not _valid_code(code):
                errors.append(
                    f"{source}, ligne {line}, champ COM : le code INSEE « {code} » est invalide "
                    "(5 caractères, par exemple 59183)."
                )
                continue
            if not name:
                errors.append(f"{source}, ligne {line}, champ LIBELLE : le nom est vide.")
                continue
            if kind != COG_CURRENT and not _valid_code(parent):
                errors.append(
                    f"{source}, ligne {line}, champ COMPARENT : le code de la commune parente "
                    f"« {parent} » est invalide."
                )
                continue
            rows.append(
                CogRow(
                    line=line,
                    kind=kind,
                    code=code,
                    name=name,
                    department=record.get("DEP", "").upper(),
                    parent_code=parent,
                )
            )
    errors.extend(_consistency_errors(rows, source, "ligne", ("COM", "COMPARENT", "TYPECOM COM")))
    if errors:
        raise ReferenceFileError(errors)
    return rows


def _consistency_errors(rows: list[CogRow], source: str, unit: str, fields: tuple[str, str, str]):
    """Codes given twice, and former codes whose current commune is not in the list."""
    code_field, parent_field, current_kind = fields
    # A code appears once as a commune and at most once as part of one (a delegated commune may
    # keep the code of the new commune: then it appears once in each group).
    errors = []
    first_line: dict[tuple[bool, str], int] = {}
    for row in rows:
        key = (row.kind == COG_CURRENT, row.code)
        if key in first_line:
            errors.append(
                f"{source}, {unit} {row.line}, champ {code_field} : le code « {row.code} » "
                f"figure déjà {unit} {first_line[key]}."
            )
        else:
            first_line[key] = row.line
    current_codes = {row.code for row in rows if row.kind == COG_CURRENT}
    errors.extend(
        f"{source}, {unit} {row.line}, champ {parent_field} : la commune parente "
        f"« {row.parent_code} » n'est pas une commune ({current_kind}) du fichier."
        for row in rows
        if row.kind != COG_CURRENT and row.parent_code not in current_codes
    )
    return errors


def read_package_communes(progress=None) -> list[CogRow]:
    """The communes, their delegated and associated communes, municipal districts and former
    codes, from the installed `@etalab/decoupage-administratif`. `progress(n)` per entry."""
    entries = npm_data.read_json(DECOUPAGE_PACKAGE, PACKAGE_COMMUNES)
    return communes_from_entries(entries, source=PACKAGE_COMMUNES, progress=progress)


def communes_from_entries(entries: list[dict], *, source: str, progress=None) -> list[CogRow]:
    """`read_package_communes` on entries already read (the package's `communes.json` format)."""
    errors: list[str] = []
    rows: list[CogRow] = []
    for index, entry in enumerate(entries, start=1):
        if progress:
            progress(1)
        where = f"{source}, entrée {index}"
        kind = PACKAGE_KINDS.get(entry.get("type", ""))
        code = str(entry.get("code", "")).upper()
        name = str(entry.get("nom", "")).strip()
        if kind is None:
            errors.append(
                f"{where}, champ type : nature « {entry.get('type', '')} » inconnue "
                f"({', '.join(PACKAGE_KINDS)} attendue)."
            )
            continue
        if not _valid_code(code):
            errors.append(f"{where}, champ code : le code INSEE « {code} » est invalide.")
            continue
        if not name:
            errors.append(f"{where}, champ nom : le nom est vide.")
            continue
        department = str(entry.get("departement", "")).upper()
        if kind != COG_CURRENT:
            parent_field = "commune" if kind == "ARM" else "chefLieu"
            parent = str(entry.get(parent_field, "")).upper()
            if not _valid_code(parent):
                errors.append(
                    f"{where}, champ {parent_field} : le code de la commune parente « {parent} » "
                    "est invalide."
                )
                continue
            rows.append(CogRow(index, kind, code, name, department, parent))
            continue
        population = entry.get("population")
        rows.append(
            CogRow(
                line=index,
                kind=kind,
                code=code,
                name=name,
                department=department,
                parent_code="",
                postal_codes=tuple(entry.get("codesPostaux", ())),
                population=population if isinstance(population, int) else None,
                siren=str(entry.get("siren", "")),
            )
        )
    current = [row for row in rows if row.kind == COG_CURRENT]
    # A former code with an entry of its own (associated or delegated commune) is named there; a
    # code current again (a commune restored) is no former code.
    listed = {row.code for row in rows}
    for row in current:
        for former in entries[row.line - 1].get("anciensCodes", ()):
            former = str(former).upper()
            if former in listed:
                continue
            if not _valid_code(former):
                errors.append(
                    f"{source}, entrée {row.line}, champ anciensCodes : le code INSEE "
                    f"« {former} » est invalide."
                )
                continue
            rows.append(CogRow(row.line, ABSORBED, former, "", row.department, row.code))
    errors.extend(
        _consistency_errors(rows, source, "entrée", ("code", "chefLieu", "type commune-actuelle"))
    )
    if errors:
        raise ReferenceFileError(errors)
    return rows


def _xlsx_records(path: Path, required: tuple[str, ...], source: str):
    """(line number, {COLUMN: value}) from INSEE's workbook: the header is the row holding CODGEO,
    below a few title lines."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if EPCI_SHEET not in workbook.sheetnames:
            raise ReferenceFileError(
                [
                    f"{source} : la feuille « {EPCI_SHEET} » est absente "
                    f"(feuilles présentes : {', '.join(workbook.sheetnames)})."
                ]
            )
        columns: list[str] | None = None
        for index, values in enumerate(workbook[EPCI_SHEET].iter_rows(values_only=True), start=1):
            cells = [_cell(value) for value in values]
            if columns is None:
                if "CODGEO" in (cell.upper() for cell in cells):
                    columns = [cell.upper() for cell in cells]
                    if errors := _missing_columns(columns, required, f"{source}, feuille"):
                        raise ReferenceFileError(
                            [error.replace("ligne 1", f"ligne {index}") for error in errors]
                        )
                continue
            if any(cells):
                yield index, dict(zip(columns, cells, strict=False))
        if columns is None:
            raise ReferenceFileError(
                [f"{source} : aucune ligne d'en-tête contenant CODGEO dans « {EPCI_SHEET} »."]
            )
    finally:
        workbook.close()


def _epci_records(path: Path) -> Iterator[tuple[int, dict]]:
    source = path.name
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        yield from _xlsx_records(path, EPCI_COLUMNS, source)
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from _csv_records(handle, EPCI_COLUMNS, source)


def read_epci_members(path: Path, sirens: set[str]) -> list[EpciRow]:
    """The communes of the EPCIs whose SIREN is in `sirens`, from INSEE's composition file."""
    source = path.name
    errors: list[str] = []
    rows: list[EpciRow] = []
    for line, record in _epci_records(path):
        siren = record.get("EPCI", "")
        if siren not in sirens:
            continue
        code = record.get("CODGEO", "").upper()
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)  # a spreadsheet may drop the leading zero (01001 → 1001)
        if not _valid_code(code):
            errors.append(
                f"{source}, ligne {line}, champ CODGEO : le code INSEE « {code} » est invalide."
            )
            continue
        rows.append(
            EpciRow(
                line=line,
                commune_code=code,
                commune_name=record.get("LIBGEO", ""),
                epci_siren=siren,
                epci_name=record.get("LIBEPCI", ""),
            )
        )
    if errors:
        raise ReferenceFileError(errors)
    return rows


def read_package_epci_members(sirens: set[str]) -> list[EpciRow]:
    """The communes of the EPCIs whose SIREN is in `sirens`, from the installed
    `@etalab/decoupage-administratif` (`epci.json`: each EPCI with its member communes)."""
    entries = npm_data.read_json(DECOUPAGE_PACKAGE, PACKAGE_EPCI)
    return epci_members_from_entries(entries, sirens, source=PACKAGE_EPCI)


def epci_members_from_entries(entries: list[dict], sirens: set[str], *, source: str):
    """`read_package_epci_members` on entries already read (the package's `epci.json` format)."""
    errors: list[str] = []
    rows: list[EpciRow] = []
    for index, entry in enumerate(entries, start=1):
        siren = str(entry.get("code", ""))
        if siren not in sirens:
            continue
        for member in entry.get("membres", ()):
            code = str(member.get("code", "")).upper()
            if not _valid_code(code):
                errors.append(
                    f"{source}, entrée {index} ({entry.get('nom', siren)}), champ membres : "
                    f"le code INSEE « {code} » est invalide."
                )
                continue
            rows.append(
                EpciRow(
                    line=index,
                    commune_code=code,
                    commune_name=str(member.get("nom", "")),
                    epci_siren=siren,
                    epci_name=str(entry.get("nom", "")),
                )
            )
    if errors:
        raise ReferenceFileError(errors)
    return rows
