"""Reads of territories and communes."""

from django.conf import settings

from essor.territory.models import Commune, FormerCommune, Territory


def main_territory() -> Territory | None:
    return Territory.objects.filter(is_main=True).first() or Territory.objects.filter(
        siren=settings.ESSOR_TERRITORY_SIREN
    ).first()


def commune_code_map(territory: Territory) -> dict[str, int]:
    """Every INSEE code that designates a commune of the territory, current or former,
    mapped to the current commune's id (SIRENE still carries old codes)."""
    communes = dict(territory.communes.values_list("insee_code", "id"))
    former = FormerCommune.objects.filter(current_id__in=communes.values()).values_list(
        "code", "current_id"
    )
    return {**dict(former), **communes}


def resolve_commune(code: str) -> Commune | None:
    """The current commune for an INSEE code, following former codes."""
    commune = Commune.objects.filter(insee_code=code).first()
    if commune is None:
        former = FormerCommune.objects.select_related("current").filter(code=code).first()
        commune = former.current if former else None
    return commune
