"""Reads of territories and communes."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from essor.territory.models import Commune, FormerCommune, Territory


def main_territory() -> Territory | None:
    return (
        Territory.objects.filter(is_main=True).first()
        or Territory.objects.filter(siren=settings.ESSOR_TERRITORY_SIREN).first()
    )


def commune_code_map(territory: Territory) -> dict[str, int]:
    """Every INSEE code that designates a commune of the territory, current or former,
    mapped to the current commune's id (SIRENE still carries old codes)."""
    communes = dict(territory.communes.values_list("insee_code", "id"))
    former = FormerCommune.objects.filter(current_id__in=communes.values()).values_list(
        "code", "current_id"
    )
    return {**dict(former), **communes}


def resolve_commune(code: str) -> Commune | None:
    """The current commune for an INSEE code, following former codes: a commune merged into
    another keeps its `Commune` row, but its code leads to the new commune."""
    former = FormerCommune.objects.select_related("current").filter(code=code).first()
    if former is not None:
        return former.current
    return Commune.objects.filter(insee_code=code).first()


def public_territories():
    """Every territory with its communes (two queries, whatever the number of territories)."""
    return Territory.objects.prefetch_related(
        Prefetch("communes", queryset=Commune.objects.order_by("name"))
    )


def territory_with_communes(slug: str) -> Territory:
    """One territory, its communes and their former codes (three queries)."""
    communes = Commune.objects.order_by("name").prefetch_related(
        Prefetch("former_communes", queryset=FormerCommune.objects.order_by("code"))
    )
    return get_object_or_404(
        Territory.objects.prefetch_related(Prefetch("communes", queryset=communes)), slug=slug
    )


def total_population(communes) -> int | None:
    """Sum of the known populations, None when none is known."""
    known = [commune.population for commune in communes if commune.population is not None]
    return sum(known) if known else None
