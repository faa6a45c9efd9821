"""The SIRENE import: validate every file, then write everything in one transaction.

`import_sirene` is the only entry point (the command, the background job and the benchmark call
it). It never deletes, never overwrites a fact declared by the structure or set by the agency
(`field_sources`, see directory/models.py), and reports what it did in an `ImportReport`.
"""

import datetime
import json
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from pyproj import Transformer

from essor.core import page_cache
from essor.core.audit import record
from essor.core.bulk import insert_rows, update_rows
from essor.core.formats import long_date
from essor.core.validators import RNA_OLD_PATTERN, RNA_PATTERN, siret_digits_are_valid
from essor.directory.ess import ESS_LEGAL_CATEGORIES, derive_family
from essor.directory.models import DiffusionStatus, Establishment, HeadcountBand, Organisation
from essor.directory.services import rebuild_search_words
from essor.directory.sirene import reader
from essor.directory.sirene.reader import SireneFileError
from essor.territory.models import Territory
from essor.territory.selectors import commune_code_map

__all__ = ["ImportReport", "SireneFileError", "import_sirene"]

BATCH_SIZE = 500
PROTECTED_SOURCES = frozenset({"declared", "agency"})
HEADCOUNT_CODES = frozenset(HeadcountBand.values)
DIFFUSION_CODES = frozenset(DiffusionStatus.values)
STREET_TYPES = {
    "ALL": "allée", "AV": "avenue", "BD": "boulevard", "CAR": "carrefour", "CHE": "chemin",
    "CHS": "chaussée", "CITE": "cité", "COR": "corniche", "CRS": "cours", "DOM": "domaine",
    "DSC": "descente", "ECA": "écart", "ESP": "esplanade", "FG": "faubourg", "GR": "grande rue",
    "HAM": "hameau", "HLE": "halle", "IMP": "impasse", "LD": "lieu-dit", "LOT": "lotissement",
    "MAR": "marché", "MTE": "montée", "PARC": "parc", "PAS": "passage", "PL": "place",
    "PLN": "plaine", "PLT": "plateau", "PRO": "promenade", "PRV": "parvis", "QUA": "quartier",
    "QUAI": "quai", "RES": "résidence", "RLE": "ruelle", "ROC": "rocade", "RPT": "rond-point",
    "RTE": "route", "RUE": "rue", "SEN": "sentier", "SQ": "square", "TPL": "terre-plein",
    "TRA": "traverse", "VLA": "villa", "VLGE": "village",
}  # fmt: skip
REJECTION_LABELS = {
    "out_of_territory": "Établissement hors des communes du territoire",
    "invalid_siret": "SIRET invalide (clé de contrôle)",
    "unknown_legal_unit": "Unité légale absente du fichier des unités légales",
    "not_ess": "Unité légale hors ESS (catégorie juridique et indicateur ESS)",
}
# The fields SIRENE sets (the RNA number only when valid and not another organisation's).
ORGANISATION_FIELDS = [
    "name", "acronym", "legal_category", "sirene_ess_flag", "naf_code", "headcount_band",
    "is_employer", "creation_date", "is_active", "closed_on", "diffusion_status", "rna",
]  # fmt: skip
FAMILY_FACTS = ["cooperative_status", "has_ess_statutes", "esus_start", "esus_end"]  # declared
KNOWN_ORGANISATION = [
    "id", "siren", *ORGANISATION_FIELDS, *FAMILY_FACTS, "ess_family", "is_ess", "last_sirene_date",
]  # fmt: skip
ESTABLISHMENT_FIELDS = [
    "organisation_id", "name", "is_head_office", "address", "address_complement", "postal_code",
    "city", "commune_id", "latitude", "longitude", "naf_code", "headcount_band", "is_employer",
    "is_open", "diffusion_status", "creation_date",
]  # fmt: skip
ProgressCallback = Callable[[int, int | None, str], None]


@dataclass
class Counts:
    read: int = 0
    kept: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    rejected: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "kept": self.kept,
            "created": self.created,
            "updated": self.updated,
            "closed": self.closed,
            "rejected": dict(self.rejected),
            "rejected_total": sum(self.rejected.values()),
        }


@dataclass
class ImportReport:
    stock_date: datetime.date
    territory: str
    establishments: Counts = field(default_factory=Counts)
    organisations: Counts = field(default_factory=Counts)
    rejected_examples: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "stock_date": self.stock_date.isoformat(),
            "territory": self.territory,
            "establishments": self.establishments.as_dict(),
            "organisations": self.organisations.as_dict(),
            "rejected_examples": self.rejected_examples,
        }

    def summary(self) -> list[dict]:
        """Tables for the job progress page: a title and (label, value) rows."""

        def rows(counts: Counts, read_label: str) -> list[list]:
            lines = [
                [read_label, counts.read],
                ["Retenus", counts.kept],
                ["Créés", counts.created],
                ["Mis à jour", counts.updated],
                ["Fermés ou cessés", counts.closed],
            ]
            lines += [
                [f"Écartés : {REJECTION_LABELS.get(reason, reason)}", number]
                for reason, number in sorted(counts.rejected.items())
            ]
            return lines

        return [
            {"title": "Établissements", "rows": rows(self.establishments, "Lignes lues")},
            {
                "title": "Unités légales",
                "rows": rows(self.organisations, "Unités légales recherchées"),
            },
        ]


def import_sirene(
    *,
    establishments_path: Path | str,
    legal_units_path: Path | str,
    territory_siren: str,
    geolocation_path: Path | str | None = None,
    stock_date: datetime.date | None = None,
    actor=None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import the territory's ESS establishments and legal units from the stock files."""
    progress = progress or (lambda done, total, message: None)
    stock_date = stock_date or datetime.date.today()
    territory = Territory.objects.filter(siren=territory_siren).first()
    if territory is None:
        raise SireneFileError(f"Aucun territoire n'a le SIREN « {territory_siren} ».")
    codes = commune_code_map(territory)
    if not codes:
        raise SireneFileError(f"Le territoire « {territory} » n'a aucune commune.")
    report = ImportReport(stock_date=stock_date, territory=territory.name)

    progress(0, None, "Lecture du fichier des établissements")
    with reader.open_csv(
        establishments_path, label="des établissements", member_prefix="StockEtablissement"
    ) as stream:
        read, located = reader.read_establishments(stream, commune_codes=codes)
    report.establishments.read = read
    report.establishments.rejected["out_of_territory"] = read - located.height
    located = located.filter(pl.col("siret").is_last_distinct())  # a repeated SIRET: the last

    progress(0, None, "Lecture du fichier des unités légales")
    with reader.open_csv(
        legal_units_path, label="des unités légales", member_prefix="StockUniteLegale"
    ) as stream:
        sirens = located.get_column("siren").unique().to_list()
        units = reader.read_legal_units(stream, sirens=sirens)
    kept_units, kept_rows = _select(located, units, report)

    geolocation = {}
    if geolocation_path:
        progress(0, None, "Lecture du fichier de géolocalisation")
        with reader.open_csv(
            geolocation_path,
            label="de géolocalisation",
            member_prefix="Geolocalisation",
            separator=";",
        ) as stream:
            rows = reader.read_geolocation(stream, sirets={row["siret"] for row in kept_rows})
        geolocation = {row["siret"]: row for row in rows.to_dicts()}

    positions = _positions(kept_rows, geolocation)
    with transaction.atomic():
        _write(
            territory=territory,
            codes=codes,
            units=kept_units,
            rows=kept_rows,
            positions=positions,
            report=report,
            progress=progress,
        )
        record(
            actor=actor,
            action="directory.sirene.import",
            target=territory,
            changes=report.as_dict(),
            message=f"Import SIRENE du stock du {long_date(stock_date)}",
        )
        # Written in bulk, without signals: the public pages of the directory follow.
        page_cache.changed("directory")
    # New names bring new words: typos are corrected against them (after the commit: a search
    # never waits for the import).
    rebuild_search_words(progress=progress)
    return report


def _select(
    located: pl.DataFrame, units: pl.DataFrame, report: ImportReport
) -> tuple[dict[str, dict], list[dict]]:
    """Keep the establishments with a valid SIRET whose legal unit is ESS or already known:
    ({siren: legal unit}, [establishment]) as dicts, made for the kept rows only (a territory's
    rows are many more than it keeps, and a dict per row is what memory goes to)."""
    unit_sirens = units.get_column("siren").to_list()
    known = set(
        _in_batches(
            lambda chunk: Organisation.objects.filter(siren__in=chunk).values_list(
                "siren", flat=True
            ),
            sorted(unit_sirens),
        )
    )
    ess = (
        units.select(
            pl.col("categorieJuridiqueUniteLegale").is_in(sorted(ESS_LEGAL_CATEGORIES))
            | (pl.col("economieSocialeSolidaireUniteLegale") == "O")
        )
        .to_series()
        .to_list()
    )
    present = set(unit_sirens)
    eligible = known | {siren for siren, is_ess in zip(unit_sirens, ess, strict=True) if is_ess}
    counts = report.establishments
    kept = []
    sirets, sirens = located.get_column("siret").to_list(), located.get_column("siren").to_list()
    for siret, siren in zip(sirets, sirens, strict=True):
        reason = ""
        if not siret_digits_are_valid(siret) or not siret.startswith(siren):
            reason = "invalid_siret"
        elif siren not in present:
            reason = "unknown_legal_unit"
        elif siren not in eligible:
            reason = "not_ess"
        kept.append(not reason)
        if reason:
            counts.rejected[reason] += 1
            if len(report.rejected_examples) < 50 and reason != "not_ess":
                report.rejected_examples.append({"siret": siret, "reason": reason})
    kept_rows = located.filter(pl.Series(kept, dtype=pl.Boolean)).to_dicts()
    kept_sirens = {row["siren"] for row in kept_rows}
    by_siren = {
        row["siren"]: row
        for row in units.filter(pl.col("siren").is_in(sorted(kept_sirens))).to_dicts()
    }
    kept_units = {row["siren"]: by_siren[row["siren"]] for row in kept_rows}  # in file order
    counts.kept = len(kept_rows)
    looked_up = set(sirens)
    organisations = report.organisations
    organisations.read = len(looked_up)
    organisations.kept = len(kept_units)
    organisations.rejected["unknown_legal_unit"] = len(looked_up - present)
    organisations.rejected["not_ess"] = len(
        {siren for siren in present & looked_up if siren not in kept_units}
    )
    organisations.rejected = +organisations.rejected  # drop the zero counts
    return kept_units, kept_rows


_LAMBERT_TO_WGS84 = None


def _transformer() -> Transformer:
    global _LAMBERT_TO_WGS84  # one Transformer per process: building it costs milliseconds
    if _LAMBERT_TO_WGS84 is None:
        _LAMBERT_TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    return _LAMBERT_TO_WGS84


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _positions(rows: list[dict], geolocation: dict[str, dict]) -> dict[str, tuple]:
    """{siret: (latitude, longitude)} from the geolocation file first, else from Lambert-93.

    A point that the geolocation file placed at random in the commune (qualite_xy 33) stays
    unmapped; a partially diffusible establishment is never located (its address is private)."""
    positions: dict[str, tuple] = {}
    lambert_sirets, xs, ys = [], array("d"), array("d")
    for row in rows:
        siret = row["siret"]
        if row["statutDiffusionEtablissement"] != "O":
            positions[siret] = (None, None)
            continue
        geo = geolocation.get(siret)
        if geo is not None:
            longitude, latitude = _float(geo["x_longitude"]), _float(geo["y_latitude"])
            if geo["qualite_xy"] == "33" or longitude is None or latitude is None:
                positions[siret] = (None, None)
            else:
                positions[siret] = _checked(latitude, longitude)
            continue
        x = _float(row["coordonneeLambertAbscisseEtablissement"])
        y = _float(row["coordonneeLambertOrdonneeEtablissement"])
        if x is None or y is None:
            positions[siret] = (None, None)
            continue
        lambert_sirets.append(siret)
        xs.append(x)
        ys.append(y)
    if lambert_sirets:
        longitudes, latitudes = _transformer().transform(xs, ys)
        for siret, latitude, longitude in zip(lambert_sirets, latitudes, longitudes, strict=True):
            positions[siret] = _checked(latitude, longitude)
    return positions


def _checked(latitude: float, longitude: float) -> tuple:
    if _float(latitude) is None or _float(longitude) is None:
        return (None, None)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return (None, None)
    return (round(latitude, 6), round(longitude, 6))


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _employer(value: str) -> bool | None:
    return {"O": True, "N": False}.get(value)


def _organisation_values(unit: dict) -> dict:
    diffusion = unit["statutDiffusionUniteLegale"]
    diffusion = diffusion if diffusion in DIFFUSION_CODES else DiffusionStatus.DIFFUSIBLE
    name = unit["denominationUniteLegale"] or unit["denominationUsuelle1UniteLegale"]
    if not name:
        if diffusion == DiffusionStatus.DIFFUSIBLE:
            first_name = unit["prenomUsuelUniteLegale"] or unit["prenom1UniteLegale"]
            last_name = unit["nomUsageUniteLegale"] or unit["nomUniteLegale"]
            name = " ".join(part for part in (first_name, last_name) if part)
        else:  # a person's name is not published when the unit is partially diffusible
            name = "Nom non diffusible"
    headcount = unit["trancheEffectifsUniteLegale"]
    closed = unit["etatAdministratifUniteLegale"] == "C"
    return {
        "name": (name or f"Unité légale {unit['siren']}")[:255],
        "acronym": unit["sigleUniteLegale"][:100],
        "legal_category": unit["categorieJuridiqueUniteLegale"][:4],
        "sirene_ess_flag": unit["economieSocialeSolidaireUniteLegale"][:1],
        "naf_code": unit["activitePrincipaleUniteLegale"][:6],
        "headcount_band": headcount if headcount in HEADCOUNT_CODES else "",
        "is_employer": _employer(unit["caractereEmployeurUniteLegale"]),
        "creation_date": _date(unit["dateCreationUniteLegale"]),
        "is_active": not closed,
        "closed_on": _date(unit["dateDebut"]) if closed else None,
        "diffusion_status": diffusion,
    }


def _address(row: dict) -> str:
    street_type = row["typeVoieEtablissement"]
    parts = (
        row["numeroVoieEtablissement"],
        row["indiceRepetitionEtablissement"],
        STREET_TYPES.get(street_type, street_type.lower()),
        row["libelleVoieEtablissement"],
    )
    return " ".join(part for part in parts if part)[:255]


def _establishment_values(row: dict, commune_id: int, position: tuple) -> dict:
    diffusion = row["statutDiffusionEtablissement"]
    diffusion = diffusion if diffusion in DIFFUSION_CODES else DiffusionStatus.DIFFUSIBLE
    public = diffusion == DiffusionStatus.DIFFUSIBLE
    headcount = row["trancheEffectifsEtablissement"]
    latitude, longitude = position
    return {
        # A partially diffusible establishment is a person's: keep its commune only.
        "name": (row["enseigne1Etablissement"] or row["denominationUsuelleEtablissement"])[:255]
        if public
        else "",
        "is_head_office": row["etablissementSiege"] == "true",
        "address": _address(row) if public else "",
        "address_complement": row["complementAdresseEtablissement"][:255] if public else "",
        "postal_code": row["codePostalEtablissement"][:5] if public else "",
        "city": row["libelleCommuneEtablissement"][:150],
        "commune_id": commune_id,
        "latitude": latitude,
        "longitude": longitude,
        "naf_code": row["activitePrincipaleEtablissement"][:6],
        "headcount_band": headcount if headcount in HEADCOUNT_CODES else "",
        "is_employer": _employer(row["caractereEmployeurEtablissement"]),
        "is_open": row["etatAdministratifEtablissement"] != "F",
        "diffusion_status": diffusion,
        "creation_date": _date(row["dateCreationEtablissement"]),
    }


def _source_field(name: str) -> str:
    return name.removesuffix("_id")


@dataclass
class _Rows:
    """One model's rows to write, as plain values (see essor.core.bulk)."""

    new: list = field(default_factory=list)  # key, *fields, (extra), field_sources, stock date
    changed: list = field(default_factory=list)  # *fields, (extra), sources, date, updated_at, pk
    refreshed: list = field(default_factory=list)  # field_sources, stock date, pk


class _Merger:
    """This import's values over a known row, except the facts protected by their source."""

    def __init__(self, *, fields: list[str], open_field: str, source: dict, counts: Counts):
        self.fields, self.open_field = fields, open_field
        self.source, self.counts = source, counts
        self._new_sources: dict[tuple, dict] = {}
        self._known_sources: dict[tuple, tuple] = {}

    def new(self, values: dict) -> tuple[dict, dict]:
        """({field: value} for every field, the field_sources) of a new row: the `field_sources`
        dict is shared by the rows with the same fields, so that it is serialised once."""
        names = tuple(values)
        sources = self._new_sources.get(names)
        if sources is None:
            sources = self._new_sources[names] = {
                _source_field(name): self.source for name in names
            }
        return {name: values.get(name) for name in self.fields}, sources

    def known(self, current: dict, values: dict) -> tuple[dict, dict, bool]:
        """({field: value}, the field_sources, whether a value changed) of a known row (`current`:
        its fields, `field_sources` included); counts what changed and what closed (`open_field`
        went from true to false). Rows with the same `field_sources` object (see `_known`) and
        fields share the new one."""
        writable, sources = self._sources(current["field_sources"] or {}, tuple(values))
        merged = {name: current[name] for name in self.fields}
        changed = False
        for name in writable:
            value = values[name]
            if merged[name] != value:
                merged[name] = value
                changed = True
        if changed:
            self.counts.updated += 1
        if current[self.open_field] and not merged[self.open_field]:
            self.counts.closed += 1
        return merged, sources, changed

    def row(self, merged: dict) -> list:
        return [merged[name] for name in self.fields]

    def _sources(self, current: dict, names: tuple) -> tuple[list[str], dict]:
        """(the fields this import may set, the field_sources after it) for a row whose
        field_sources are `current`: every field but the protected facts."""
        key = (id(current), names)
        if key not in self._known_sources:
            sources = dict(current)
            writable = []
            for name in names:
                field_key = _source_field(name)
                if (sources.get(field_key) or {}).get("source") in PROTECTED_SOURCES:
                    continue
                writable.append(name)
                sources[field_key] = self.source
            # `current` is kept with the result: its id stays its own while the key is used.
            self._known_sources[key] = (current, writable, sources)
        _, writable, sources = self._known_sources[key]
        return writable, sources


def _in_batches(
    query: Callable[[list], Iterable], values: list, size: int = BATCH_SIZE
) -> Iterator:
    for start in range(0, len(values), size):
        yield from query(values[start : start + size])


def _known(model, key: str, fields: list[str], keys: list[str]) -> dict[str, dict]:
    """{key: {field: value}} of the rows already there, with their `field_sources` parsed once
    per distinct text: the rows that an import wrote share theirs, and a parsed copy per row
    (a dict per fact) would take more memory than all the rest of the row."""
    parsed: dict[str, dict] = {}
    known = {}
    for start in range(0, len(keys), BATCH_SIZE):
        chunk = keys[start : start + BATCH_SIZE]
        for row in model.objects.filter(**{f"{key}__in": chunk}).values(
            *fields, sources_text=Cast("field_sources", TextField())
        ):
            text = row.pop("sources_text") or "{}"
            if text not in parsed:
                parsed[text] = json.loads(text)
            row["field_sources"] = parsed[text]
            known[row[key]] = row
    return known


def _save(model, key: str, fields: list[str], rows: _Rows) -> None:
    """Writes the rows: known rows whose values did not change only get their field_sources
    (this import's date) and last_sirene_date, which spares the search index's triggers."""
    common = [*fields, "field_sources", "last_sirene_date"]
    update_rows(model, [*common, "updated_at"], rows.changed)
    update_rows(model, ["field_sources", "last_sirene_date"], rows.refreshed)
    insert_rows(model, [key, *common], rows.new)


def _write(*, territory, codes, units, rows, positions, report, progress) -> None:
    stock_date = report.stock_date
    source = {"source": "sirene", "date": stock_date.isoformat()}
    now = timezone.now()
    total = len(units) + len(rows)
    progress(0, total, "Enregistrement des unités légales")

    existing = _known(Organisation, "siren", KNOWN_ORGANISATION, sorted(units))
    rna_owners = dict(
        _in_batches(
            lambda chunk: Organisation.objects.filter(rna__in=chunk).values_list("rna", "siren"),
            sorted({unit["identifiantAssociationUniteLegale"] for unit in units.values()} - {""}),
        )
    )
    merger = _Merger(
        fields=ORGANISATION_FIELDS,
        open_field="is_active",
        source=source,
        counts=report.organisations,
    )
    writes = _Rows()
    for siren, unit in units.items():
        values = _organisation_values(unit)
        rna = unit["identifiantAssociationUniteLegale"]
        if (RNA_PATTERN.match(rna) or RNA_OLD_PATTERN.match(rna)) and rna_owners.get(
            rna, siren
        ) == siren:
            values["rna"] = rna
            rna_owners[rna] = siren  # one RNA number for one organisation, even within the file
        current = existing.get(siren)
        if current is None:
            merged, sources = merger.new(values)
            family = _family(merged, {})
            row = [siren, *merger.row(merged), family, bool(family), sources, stock_date]
            writes.new.append(row)
            continue
        merged, sources, changed = merger.known(current, values)
        family = _family(merged, current)
        if changed or (family, bool(family)) != (current["ess_family"], current["is_ess"]):
            row = [*merger.row(merged), family, bool(family), sources, stock_date, now]
            writes.changed.append([*row, current["id"]])
        elif (sources, stock_date) != (current["field_sources"], current["last_sirene_date"]):
            writes.refreshed.append([sources, stock_date, current["id"]])
    report.organisations.created = len(writes.new)
    _save(Organisation, "siren", [*ORGANISATION_FIELDS, "ess_family", "is_ess"], writes)
    done = len(units)
    progress(done, total, "Enregistrement des unités légales")
    organisation_ids = {siren: row["id"] for siren, row in existing.items()}
    organisation_ids.update(
        _in_batches(
            lambda chunk: Organisation.objects.filter(siren__in=chunk).values_list("siren", "id"),
            [row[0] for row in writes.new],
        )
    )

    progress(done, total, "Enregistrement des établissements")
    existing = _known(
        Establishment,
        "siret",
        ["id", "siret", *ESTABLISHMENT_FIELDS, "last_sirene_date"],
        sorted(row["siret"] for row in rows),
    )
    new_head_offices = {
        row["siret"]: organisation_ids[row["siren"]]
        for row in rows
        if row["etablissementSiege"] == "true"
    }
    _release_head_offices(new_head_offices)
    merger = _Merger(
        fields=ESTABLISHMENT_FIELDS,
        open_field="is_open",
        source=source,
        counts=report.establishments,
    )
    writes = _Rows()
    for row in rows:
        siret = row["siret"]
        values = _establishment_values(
            row, codes[row["codeCommuneEtablissement"]], positions[siret]
        )
        values["organisation_id"] = organisation_ids[row["siren"]]
        current = existing.get(siret)
        if current is None:
            merged, sources = merger.new(values)
            writes.new.append([siret, *merger.row(merged), sources, stock_date])
            continue
        merged, sources, changed = merger.known(current, values)
        if changed:
            writes.changed.append([*merger.row(merged), sources, stock_date, now, current["id"]])
        elif (sources, stock_date) != (current["field_sources"], current["last_sirene_date"]):
            writes.refreshed.append([sources, stock_date, current["id"]])
    report.establishments.created = len(writes.new)
    # Updates first (in _save): an establishment that stops being the head office frees the place.
    _save(Establishment, "siret", ESTABLISHMENT_FIELDS, writes)
    progress(total, total, "Enregistrement des établissements")


def _family(facts: dict, declared: dict) -> str:
    """The ESS family from this import's facts and the declared ones (none for a new row)."""
    return derive_family(
        legal_category=facts["legal_category"],
        sirene_ess_flag=facts["sirene_ess_flag"],
        **{name: declared[name] for name in FAMILY_FACTS if name in declared},
    )


def _release_head_offices(new_head_offices: dict[str, int]) -> None:
    """Before writing, the former head office of an organisation whose head office moved to
    another SIRET stops being one (one head office per organisation is a DB constraint)."""
    sirets = list(new_head_offices)
    for start in range(0, len(sirets), BATCH_SIZE):
        chunk = sirets[start : start + BATCH_SIZE]
        Establishment.objects.filter(
            organisation_id__in={new_head_offices[siret] for siret in chunk}, is_head_office=True
        ).exclude(siret__in=chunk).update(is_head_office=False)
