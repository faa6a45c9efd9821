"""Fake indicators for the observatory's tests: registered for one test, then the registry is
restored as it was (so that the tests depend on no peer module)."""

import pytest

from essor.core import indicators
from essor.core.indicators import Indicator, IndicatorTable


@pytest.fixture
def registry():
    """Restores `essor.core.indicators._REGISTRY` after the test."""
    saved = dict(indicators._REGISTRY)
    yield indicators
    indicators._REGISTRY.clear()
    indicators._REGISTRY.update(saved)


def fake(key, compute, *, axis="Accompagnement", label=None, public=True, order=1, tags=()):
    module = key.split(".")[0]
    return indicators.register(
        Indicator(
            key=key,
            module=module,
            axis=axis,
            label=label or f"Indicateur {key}",
            compute=compute,
            public=public,
            order=order,
            tags=tags,
        )
    )


def table(rows, *, columns=("Secteur", "Nouveaux porteurs de projet"), keys=None, note=""):
    return IndicatorTable(
        columns=list(columns), rows=[list(r) for r in rows], row_keys=keys, note=note
    )


# The support module's contract (its keys, columns and row keys), with figures per year.
SECTOR_LABELS = {
    "culture": "Culture",
    "sport": "Sport",
    "mobilite": "Mobilité",
    "batiment": "Bâtiment",
}


def holders_by_sector(figures_by_year):
    """A fake `support.new_holders_by_sector`: {year: {slug: count or None}} -> ranked table."""

    def compute(year):
        figures = figures_by_year.get(year, {})
        ordered = sorted(figures.items(), key=lambda item: -(item[1] or 0))
        return table(
            [[SECTOR_LABELS[slug], value] for slug, value in ordered],
            keys=[slug for slug, _ in ordered],
        )

    return compute
