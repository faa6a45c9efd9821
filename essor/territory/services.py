"""Writes to communes and territories. Imports are all or nothing."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from essor.core.audit import record
from essor.core.formats import counted, plural
from essor.territory.importers import COG_CURRENT, FORMER_KINDS, CogRow, ReferenceFileError
from essor.territory.models import Commune, FormerCommune, Territory

BATCH_SIZE = 1000


@dataclass
class CogImportResult:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    former_created: int = 0
    former_updated: int = 0
    former_removed: int = 0


def _commune_values(row: CogRow) -> dict:
    """The commune's fields the row gives (the COG file gives neither postal codes, population
    nor SIREN: those already known are kept)."""
    values = {"name": row.name, "department_code": row.department}
    if row.postal_codes is not None:
        values["postal_codes"] = list(row.postal_codes)
    if row.population is not None:
        values["population"] = row.population
    if row.siren is not None:
        values["siren"] = row.siren
    return values


@transaction.atomic
def import_cog_rows(*, rows: list[CogRow]) -> CogImportResult:
    """Create or update the communes (TYPECOM COM) and the codes now part of one (COMA, COMD, ARM,
    communes absorbed whole).

    A merge is followed by the data alone: the code of a commune that became part of another one
    becomes a `FormerCommune` pointing to the new commune (its `Commune` row stays, establishments
    may point to it); a code current again stops being a former code. Coordinates are never
    touched; postal codes, population and SIREN only when the source gives them.
    """
    result = CogImportResult(read=len(rows))
    existing = {commune.insee_code: commune for commune in Commune.objects.all()}
    to_create, to_update, updated_fields = [], [], {"name", "department_code"}
    for row in rows:
        if row.kind != COG_CURRENT:
            continue
        values = _commune_values(row)
        commune = existing.get(row.code)
        if commune is None:
            commune = Commune(insee_code=row.code, **values)
            to_create.append(commune)
            existing[row.code] = commune
        elif any(getattr(commune, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(commune, field, value)
            updated_fields.update(values)
            to_update.append(commune)
        else:
            result.unchanged += 1
    Commune.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Commune.objects.bulk_update(to_update, sorted(updated_fields), batch_size=BATCH_SIZE)
    result.created, result.updated = len(to_create), len(to_update)

    # bulk_create does not return ids on every engine: read them back once.
    commune_ids = dict(Commune.objects.values_list("insee_code", "id"))
    current_codes = {row.code for row in rows if row.kind == COG_CURRENT}
    restored = FormerCommune.objects.filter(code__in=current_codes)
    result.former_removed = restored.count()
    if result.former_removed:
        restored.delete()
    known_former = {former.code: former for former in FormerCommune.objects.all()}
    former_create, former_update = [], []
    for row in rows:
        # A delegated commune often keeps the code of the new commune: nothing to map then.
        if row.kind == COG_CURRENT or row.code == row.parent_code:
            continue
        former = known_former.get(row.code)
        # A code absorbed whole comes without its name: keep the one known, if any.
        known_name = former.name if former else getattr(existing.get(row.code), "name", "")
        values = {
            "name": row.name or known_name,
            "current_id": commune_ids[row.parent_code],
            "kind": FORMER_KINDS[row.kind],
        }
        if former is None:
            former = FormerCommune(code=row.code, **values)
            former_create.append(former)
            known_former[row.code] = former
        elif any(getattr(former, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(former, field, value)
            former_update.append(former)
    FormerCommune.objects.bulk_create(former_create, batch_size=BATCH_SIZE)
    FormerCommune.objects.bulk_update(
        former_update, ["name", "current_id", "kind"], batch_size=BATCH_SIZE
    )
    result.former_created, result.former_updated = len(former_create), len(former_update)
    return result


@dataclass
class TerritoryImportResult:
    territory: Territory
    created: bool
    added: int
    removed: int
    total: int


@transaction.atomic
def set_territory_communes(
    *,
    name: str,
    commune_codes: Iterable[str],
    siren: str | None = None,
    kind: str = Territory.Kind.EPCI,
    add: bool = False,
    actor=None,
) -> TerritoryImportResult:
    """Create or update a territory and set its communes to `commune_codes` (or add them).

    An EPCI territory is found by its SIREN; a partner territory (possibly several EPCIs) by the
    slug of its name. Every code must be a commune already imported, otherwise nothing is written.
    """
    codes = sorted(set(commune_codes))
    communes = list(Commune.objects.filter(insee_code__in=codes))
    unknown = sorted(set(codes) - {commune.insee_code for commune in communes})
    if unknown:
        raise ReferenceFileError(
            [
                f"{counted(len(unknown), 'code')} commune {plural(len(unknown), 'inconnu')} : {', '.join(unknown)}. Importez "
                "d'abord la liste officielle des communes (python manage.py import_communes)."
            ]
        )
    slug = slugify(name)[:64]
    if not slug:
        raise ReferenceFileError([f"Le nom de territoire « {name} » est vide ou invalide."])
    territory = None
    if kind == Territory.Kind.EPCI and siren:
        territory = Territory.objects.filter(siren=siren).first()
    if territory is None:
        territory = Territory.objects.filter(slug=slug).first()
        if territory is not None and siren and territory.siren not in (None, siren):
            raise ReferenceFileError(
                [
                    f"Le territoire « {territory.name} » (identifiant {slug}) existe déjà avec "
                    f"le SIREN {territory.siren} : choisissez un autre nom."
                ]
            )
    created = territory is None
    if created:
        territory = Territory(slug=slug)
    territory.name = name
    territory.kind = kind
    if kind == Territory.Kind.EPCI and siren:
        territory.siren = siren
    territory.save()

    before = set(territory.communes.values_list("id", flat=True))
    wanted = {commune.id for commune in communes}
    after = before | wanted if add else wanted
    territory.communes.remove(*(before - after))
    territory.communes.add(*(after - before))
    result = TerritoryImportResult(
        territory=territory,
        created=created,
        added=len(after - before),
        removed=len(before - after),
        total=len(after),
    )
    record(
        actor=actor,
        action="territory.territory.set_communes",
        target=territory,
        changes={"ajoutées": result.added, "retirées": result.removed, "total": result.total},
        message="Import de la composition communale" + (" (ajout)" if add else " (remplacement)"),
    )
    return result
