"""The indicator registry: how modules publish figures to the observatory without being imported.

A module describes each indicator it publishes in its `selectors.py` and registers it from its
`AppConfig.ready()`:

    from essor.core.indicators import Indicator, IndicatorTable, register

    register(Indicator(
        key="funding.granted_by_funder", module="funding", axis="Financements",
        label="Montants accordés par financeur", unit="€",
        compute=granted_by_funder,      # (year: int) -> IndicatorTable
    ))

`observatory` reads `registered()` and renders every table (chart, table, XLSX, open data, yearly
report). A table holds only aggregates; counts of people go through `core.disclosure` first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class IndicatorTable:
    """A small table of aggregates: `columns` are the French headers, `rows` the values.

    By convention the first column is the label (a sector, a commune, a month) and the others are
    numbers; `None` in a cell means "hidden" (secret statistique), shown as « s » (secret statistique).
    """

    columns: list[str]
    rows: list[list[str | int | float | Decimal | None]]
    note: str = ""  # method note shown under the table and in the yearly report
    # Stable keys of the rows (a sector's slug, a commune's INSEE code, a month "2026-03"), so that
    # another reader can match rows without relying on French labels.
    row_keys: list[str] | None = None
    chart: str = "bar"  # "bar" (first numeric column as bars), "none"

    def as_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Indicator:
    key: str  # "<module>.<name>", unique
    module: str  # the registering app's label
    axis: str  # the report section it belongs to, in French ("Financements", "Insertion"…)
    label: str  # French title
    compute: Callable[[int], IndicatorTable]  # year -> table
    unit: str = ""
    description: str = ""
    public: bool = True  # False: shown to the agency and the funders only
    order: int = 100  # position inside its axis
    tags: tuple[str, ...] = field(default_factory=tuple)


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Registers an indicator (idempotent for the same key and module, so `ready()` may run twice)."""
    existing = _REGISTRY.get(indicator.key)
    if existing is not None and existing.module != indicator.module:
        raise ValueError(f"Indicateur déjà enregistré par un autre module : {indicator.key}")
    _REGISTRY[indicator.key] = indicator
    return indicator


def registered(*, module: str | None = None, public_only: bool = False) -> list[Indicator]:
    indicators = [
        indicator
        for indicator in _REGISTRY.values()
        if (module is None or indicator.module == module) and (not public_only or indicator.public)
    ]
    return sorted(
        indicators, key=lambda indicator: (indicator.axis, indicator.order, indicator.key)
    )


def get(key: str) -> Indicator | None:
    return _REGISTRY.get(key)
