"""Reads of the observatory.

1. The indicator registry (`essor.core.indicators`): every page computes each indicator at most
   once per request and year (`TableMemo`), so the number of queries does not grow with the data.
2. The territory's ESS weight, the observatory's own registered indicators (axis « Poids de
   l'ESS »). Stocks at 31 December of the year, one SQL aggregate each: organisations of the ESS created by
then and not closed by then (SIRENE creation and closure dates), not merged into another record.
Headcount bands and employer status are those of the latest SIRENE stock (SIRENE keeps no history).
Counts of organisations are not counts of people: statistical secrecy does not apply to them.
"""

import datetime
import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from essor.core import formats
from essor.core import indicators as registry
from essor.core.exports import Sheet
from essor.core.indicators import Indicator, IndicatorTable
from essor.core.permissions import is_agency_member, is_funder_instructor
from essor.directory.models import EssFamily, Establishment, HeadcountBand, Organisation, Sector
from essor.observatory.models import (
    FIRST_YEAR,
    MEASURE_INDICATORS,
    AnnualReport,
    Audience,
    ComputedTable,
    Measure,
    SectorTarget,
    YearWorkbook,
)
from essor.territory.models import Commune

logger = logging.getLogger(__name__)
YEARS_SHOWN = 10  # the comparison across years covers ten years

AXIS = "Poids de l'ESS"
STOCK_NOTE = (
    "Structures de l'ESS en activité au 31 décembre {year} : créées au plus tard ce jour-là "
    "et non cessées à cette date (dates du répertoire SIRENE ; une structure fermée sans date "
    "de cessation connue n'est pas comptée). Source : annuaire de l'ESS (SIRENE, déclarations)."
)


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def alive_at(year: int, prefix: str = "") -> Q:
    """Organisations of the ESS in activity at the end of `year` (prefix: "organisation__")."""
    end = _year_end(year)

    def field(name):
        return f"{prefix}{name}"

    created = Q(**{f"{field('creation_date')}__isnull": True}) | Q(
        **{f"{field('creation_date')}__lte": end}
    )
    open_then = Q(**{f"{field('closed_on')}__gt": end}) | Q(
        **{f"{field('closed_on')}__isnull": True, field("is_active"): True}
    )
    return (
        Q(**{field("is_ess"): True, f"{field('merged_into')}__isnull": True}) & created & open_then
    )


def organisations_by_family(year: int) -> IndicatorTable:
    counts = dict(
        Organisation.objects.filter(alive_at(year))
        .values_list("ess_family")
        .annotate(n=Count("id"))
        .values_list("ess_family", "n")
    )
    rows, keys = [], []
    for value, label in EssFamily.choices:
        rows.append([label, counts.get(value, 0)])
        keys.append(value)
    if counts.get(""):
        rows.append(["Famille non déterminée", counts[""]])
        keys.append("unknown")
    return IndicatorTable(
        columns=["Famille de l'ESS", "Structures"],
        rows=rows,
        row_keys=keys,
        note=STOCK_NOTE.format(year=year),
    )


def organisations_by_sector(year: int) -> IndicatorTable:
    # Grouping the (organisation, sector) links by sector id is cheaper than annotating sectors.
    counts = dict(
        Organisation.sectors.through.objects.filter(alive_at(year, "organisation__"))
        .values("sector_id")
        .annotate(n=Count("id"))
        .values_list("sector_id", "n")
    )
    sectors = sorted(
        Sector.objects.values_list("pk", "slug", "name", "position"),
        key=lambda sector: (-counts.get(sector[0], 0), sector[3], sector[2]),
    )
    return IndicatorTable(
        columns=["Secteur", "Structures"],
        rows=[[name, counts.get(pk, 0)] for pk, _, name, _ in sectors],
        row_keys=[slug for _, slug, _, _ in sectors],
        note=STOCK_NOTE.format(year=year)
        + " Une structure active dans plusieurs secteurs compte dans chacun.",
    )


def establishments_by_commune(year: int) -> IndicatorTable:
    end = _year_end(year)
    counts = dict(
        Establishment.objects.filter(
            alive_at(year, "organisation__"),
            Q(creation_date__isnull=True) | Q(creation_date__lte=end),
            is_open=True,
            commune__isnull=False,
        )
        .values("commune_id")
        .annotate(n=Count("id"))
        .values_list("commune_id", "n")
    )
    communes = sorted(
        Commune.objects.filter(pk__in=list(counts)).values_list("pk", "insee_code", "name"),
        key=lambda commune: (-counts[commune[0]], commune[2]),
    )
    return IndicatorTable(
        columns=["Commune", "Établissements"],
        rows=[[name, counts[pk]] for pk, _, name in communes],
        row_keys=[code for _, code, _ in communes],
        note=STOCK_NOTE.format(year=year)
        + " Établissements ouverts aujourd'hui et créés au plus tard le 31 décembre "
        "(SIRENE ne date pas toujours la fermeture d'un établissement).",
    )


def employers_by_headcount(year: int) -> IndicatorTable:
    counts = dict(
        Organisation.objects.filter(alive_at(year), is_employer=True)
        .values_list("headcount_band")
        .annotate(n=Count("id"))
        .values_list("headcount_band", "n")
    )
    rows, keys = [], []
    for value, label in HeadcountBand.choices:
        if value in (HeadcountBand.UNKNOWN, HeadcountBand.NONE) and not counts.get(value):
            continue
        rows.append([label, counts.get(value, 0)])
        keys.append(value)
    unknown = counts.get("", 0)
    if unknown:
        rows.append(["Tranche non renseignée", unknown])
        keys.append("unknown")
    return IndicatorTable(
        columns=["Tranche d'effectif salarié", "Structures employeuses"],
        rows=rows,
        row_keys=keys,
        note=STOCK_NOTE.format(year=year)
        + " Employeur et tranche d'effectif : dernier stock SIRENE importé (l'INSEE ne publie "
        "pas leur historique).",
    )


def ess_summary(year: int) -> IndicatorTable:
    start, end = datetime.date(year, 1, 1), _year_end(year)
    figures = Organisation.objects.aggregate(
        organisations=Count("id", filter=alive_at(year)),
        employers=Count("id", filter=alive_at(year) & Q(is_employer=True)),
        created=Count(
            "id",
            filter=Q(is_ess=True, merged_into__isnull=True, creation_date__range=(start, end)),
        ),
        closed=Count(
            "id", filter=Q(is_ess=True, merged_into__isnull=True, closed_on__range=(start, end))
        ),
    )
    establishments = Establishment.objects.filter(
        alive_at(year, "organisation__"),
        Q(creation_date__isnull=True) | Q(creation_date__lte=end),
        is_open=True,
    ).count()
    return IndicatorTable(
        columns=["Indicateur", "Nombre"],
        rows=[
            ["Structures de l'ESS en activité", figures["organisations"]],
            ["Établissements ouverts", establishments],
            ["Structures employeuses", figures["employers"]],
            [f"Structures créées en {year}", figures["created"]],
            [f"Structures cessées en {year}", figures["closed"]],
        ],
        row_keys=["organisations", "establishments", "employers", "created", "closed"],
        note=STOCK_NOTE.format(year=year),
    )


def register_weight_indicators() -> None:
    from essor.core.indicators import Indicator, register

    for order, (key, label, compute, unit) in enumerate(
        [
            ("observatory.ess_summary", "L'ESS du territoire en chiffres", ess_summary, ""),
            (
                "observatory.organisations_by_family",
                "Structures de l'ESS par famille",
                organisations_by_family,
                "structures",
            ),
            (
                "observatory.organisations_by_sector",
                "Structures de l'ESS par secteur",
                organisations_by_sector,
                "structures",
            ),
            (
                "observatory.establishments_by_commune",
                "Établissements de l'ESS par commune",
                establishments_by_commune,
                "établissements",
            ),
            (
                "observatory.employers_by_headcount",
                "Structures employeuses par tranche d'effectif",
                employers_by_headcount,
                "structures",
            ),
        ],
        start=1,
    ):
        register(
            Indicator(
                key=key,
                module="observatory",
                axis=AXIS,
                label=label,
                compute=compute,
                unit=unit,
                order=order,
                tags=("ranked",) if key.endswith(("by_sector", "by_commune")) else (),
            )
        )


# --- Reading the registry -------------------------------------------------------------------


def sees_full_observatory(user) -> bool:
    """The agency and the funders' instructors see every indicator, public or not."""
    return bool(user.is_authenticated and (is_agency_member(user) or is_funder_instructor(user)))


def current_year() -> int:
    return timezone.localdate().year


def available_years() -> list[int]:
    """The years offered in the selectors, most recent first."""
    last = current_year()
    return list(range(last, last - YEARS_SHOWN, -1))


def comparison_years(year: int) -> list[int]:
    """The ten years ending with `year`, oldest first."""
    return list(range(year - YEARS_SHOWN + 1, year + 1))


def parse_year(
    raw: str | None, *, default: int | None = None, allowed: list[int] | None = None
) -> tuple[int, str]:
    """(year, French error) from `?annee=`; an invalid value falls back to the default year."""
    fallback = default or current_year()
    years = allowed or available_years()
    if raw in (None, ""):
        return fallback, ""
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return fallback, f"« {raw} » n'est pas une année : l'année {fallback} est affichée."
    if year not in years:
        return fallback, (
            f"L'année {year} n'est pas disponible (de {years[-1]} à {years[0]}) : "
            f"l'année {fallback} est affichée."
        )
    return year, ""


def audience_of(user) -> str:
    """Whose indicators the user sees: every one (`Audience.FULL`) or the public ones."""
    return Audience.FULL if sees_full_observatory(user) else Audience.PUBLIC


def audience_indicators(audience: str) -> list[Indicator]:
    return by_axis(registry.registered(public_only=audience != Audience.FULL))


def visible_indicators(user) -> list[Indicator]:
    return audience_indicators(audience_of(user))


def visible_indicator(user, key: str) -> Indicator | None:
    """The indicator if it exists and the user may see it (None otherwise)."""
    indicator = registry.get(key)
    if indicator is None or (not indicator.public and not sees_full_observatory(user)):
        return None
    return indicator


@dataclass
class Computed:
    """One indicator computed for one year, ready for a template."""

    indicator: Indicator
    year: int
    table: IndicatorTable | None
    error: str = ""
    computed_at: datetime.datetime | None = None
    duration_ms: int = 0

    @property
    def value_column(self) -> int | None:
        """Index of the first numeric column (the bars of the chart)."""
        if self.table is None:
            return None
        for index in range(1, len(self.table.columns)):
            if any(_is_number(row[index]) for row in self.table.rows):
                return index
        return 1 if len(self.table.columns) > 1 else None

    @property
    def has_chart(self) -> bool:
        """A chart when there is something to draw (not for a column of zeros)."""
        return bool(
            self.table
            and self.table.rows
            and self.table.chart != "none"
            and self.value_column is not None
            and any(_is_number(value) and value > 0 for value in self.chart_values)
        )

    @property
    def chart_labels(self) -> list[str]:
        return [str(row[0]) for row in self.table.rows] if self.table else []

    @property
    def chart_values(self) -> list:
        column = self.value_column
        return [row[column] for row in self.table.rows] if self.table and column else []

    @property
    def chart_title(self) -> str:
        if not self.table or self.value_column is None:
            return self.indicator.label
        return f"{self.indicator.label}, {self.year} : {self.table.columns[self.value_column]}"


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# --- Stored tables (`models.ComputedTable`) ---------------------------------------------------

FRESH_SECONDS = 300  # the current and the previous year's tables are refreshed this often
PAST_YEARS_FRESH_SECONDS = 24 * 3600  # older years change rarely (a late entry): once a day
# An indicator page compares the ten years ending at any year offered (the last ten).
REFRESHED_YEARS = 2 * YEARS_SHOWN - 1
UNAVAILABLE = "Cet indicateur n'a pas pu être calculé pour cette année."


def cache_seconds() -> int:
    """`OBSERVATORY_CACHE_SECONDS`: how long a stored table of the current or the previous year
    stays fresh. 0 switches the stored
    tables off: every request computes what it shows (tests, the benchmark's baseline)."""
    return int(getattr(settings, "OBSERVATORY_CACHE_SECONDS", FRESH_SECONDS))


def stored_tables_enabled() -> bool:
    return cache_seconds() > 0


def refreshed_years() -> list[int]:
    """The years the background refresh keeps computed, most recent first."""
    last = current_year()
    return [year for year in range(last, last - REFRESHED_YEARS, -1) if year >= FIRST_YEAR]


def freshness_seconds(year: int) -> int:
    if year >= current_year() - 1:
        return cache_seconds()
    return max(cache_seconds(), PAST_YEARS_FRESH_SECONDS)


def is_stale(year: int, computed_at: datetime.datetime, *, error: str = "", now=None) -> bool:
    """A table older than its year's freshness, or one whose computation failed (retried)."""
    age = ((now or timezone.now()) - computed_at).total_seconds()
    return bool(error) or age > freshness_seconds(year)


def _encode_cell(value):
    if isinstance(value, Decimal):
        return {"decimal": str(value)}  # keeps the places it was rounded to (« 61,50 »)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _decode_cell(value):
    if isinstance(value, dict) and "decimal" in value:
        return Decimal(value["decimal"])
    return value


def table_to_json(table: IndicatorTable) -> dict:
    return {
        "columns": list(table.columns),
        "rows": [[_encode_cell(value) for value in row] for row in table.rows],
        "row_keys": list(table.row_keys) if table.row_keys is not None else None,
        "note": table.note,
        "chart": table.chart,
    }


def table_from_json(data: dict) -> IndicatorTable:
    return IndicatorTable(
        columns=data["columns"],
        rows=[[_decode_cell(value) for value in row] for row in data["rows"]],
        row_keys=data.get("row_keys"),
        note=data.get("note", ""),
        chart=data.get("chart", "bar"),
    )


def compute(indicator: Indicator, year: int) -> Computed:
    """Runs the indicator's own computation; a failing one (a peer module's bug) is logged and
    comes back as unavailable instead of breaking the page or the refresh."""
    started = time.perf_counter()
    try:
        table, error = indicator.compute(year), ""
    except Exception:
        logger.exception("Indicateur %s (%s) : calcul impossible", indicator.key, year)
        table, error = None, UNAVAILABLE
    duration = round((time.perf_counter() - started) * 1000)
    return Computed(indicator, year, table, error, timezone.now(), duration)


def stored_table_states() -> dict[tuple[str, int], tuple[datetime.datetime, str]]:
    """(indicator, year) -> (computed at, error) of every stored table."""
    return {
        (key, year): (computed_at, error)
        for key, year, computed_at, error in ComputedTable.objects.values_list(
            "indicator", "year", "computed_at", "error"
        )
    }


# The two writes a page may need (storing a table computed for the first time, queuing a refresh)
# live in services and tasks, which import this module: they hand them over from ready().
_writers: dict = {}


def use_writers(*, store_tables, request_refresh) -> None:
    _writers.update(store_tables=store_tables, request_refresh=request_refresh)


class TableMemo:
    """The tables a request shows, each read once: from the stored tables (`ComputedTable`, one
    query per page), computed by the request itself only when never computed before (a fresh
    install, a newly registered indicator). A stored table past its freshness is still shown,
    and a background refresh is queued (`tasks.request_refresh`): no visitor waits for it.

    `use_cache=False` (the yearly report) computes every table afresh; `queue_refresh=False`
    (the refresh itself) queues none.
    """

    def __init__(self, *, use_cache: bool = True, queue_refresh: bool = True):
        self._tables: dict[tuple[str, int], Computed] = {}
        self.use_stored = use_cache and stored_tables_enabled()
        self.queue_refresh = queue_refresh
        self.refresh_requested = False
        self.computed_here: list[Computed] = []

    def prefetch(self, indicators: list[Indicator], years: list[int]) -> None:
        """One query for every (indicator, year) a page needs."""
        if not self.use_stored:
            return
        wanted = {
            (indicator.key, year): indicator
            for indicator in indicators
            for year in years
            if (indicator.key, year) not in self._tables
        }
        if not wanted:
            return
        now = timezone.now()
        stale = False
        rows = ComputedTable.objects.filter(
            indicator__in={key for key, _ in wanted}, year__in={year for _, year in wanted}
        ).values_list("indicator", "year", "table", "error", "computed_at", "duration_ms")
        for key, year, data, error, computed_at, duration in rows:
            indicator = wanted.get((key, year))
            if indicator is None:
                continue
            table = table_from_json(data) if data is not None else None
            error = error or ("" if table is not None else UNAVAILABLE)
            self._tables[(key, year)] = Computed(
                indicator, year, table, error, computed_at, duration
            )
            stale = stale or is_stale(year, computed_at, error=error, now=now)
        if stale:
            self._request_refresh()

    def get(self, indicator: Indicator, year: int) -> Computed:
        memo_key = (indicator.key, year)
        if memo_key not in self._tables:
            self.prefetch([indicator], [year])
        if memo_key not in self._tables:
            computed = compute(indicator, year)
            if self.use_stored:
                _writers["store_tables"]([computed])
                self.computed_here.append(computed)
                self._request_refresh()  # the worker computes the other missing tables
            self._tables[memo_key] = computed
        return self._tables[memo_key]

    def _request_refresh(self) -> None:
        if self.queue_refresh and not self.refresh_requested:
            self.refresh_requested = True
            _writers["request_refresh"]()

    @property
    def oldest_computed_at(self) -> datetime.datetime | None:
        """When the oldest figure the page shows was computed (« chiffres calculés le … »)."""
        moments = [item.computed_at for item in self._tables.values() if item.computed_at]
        return min(moments, default=None)


@dataclass
class AxisSection:
    axis: str
    items: list[Computed] = field(default_factory=list)


# The observatory's own axis and the project holders' come first; other axes follow by name.
AXIS_ORDER = ("Poids de l'ESS", "Porteurs de projet")


def by_axis(indicators: list[Indicator]) -> list[Indicator]:
    def rank(indicator):
        position = AXIS_ORDER.index(indicator.axis) if indicator.axis in AXIS_ORDER else 99
        return (position, indicator.axis, indicator.order, indicator.key)

    return sorted(indicators, key=rank)


def year_sections(indicators: list[Indicator], year: int, memo: TableMemo) -> list[AxisSection]:
    """Indicators grouped by axis, the observatory's axes first."""
    indicators = by_axis(indicators)
    memo.prefetch(indicators, [year])
    sections: list[AxisSection] = []
    for indicator in indicators:
        if not sections or sections[-1].axis != indicator.axis:
            sections.append(AxisSection(indicator.axis))
        sections[-1].items.append(memo.get(indicator, year))
    return sections


# --- The year's workbook (`models.YearWorkbook`) ---------------------------------------------

# Part of every digest: changing how a sheet is laid out (not only what it holds) means
# raising it, so that the stored workbooks are built again.
WORKBOOK_LAYOUT = 1


def indicator_sheet(computed: Computed) -> Sheet:
    """One indicator of one year as a sheet (its error when it could not be computed)."""
    table = computed.table
    title = computed.indicator.label
    if table is None:
        return Sheet(title=title, headers=["Indicateur"], rows=[[computed.error]])
    return Sheet(title=title, headers=table.columns, rows=table.rows, note=table.note)


def year_sheets(indicators: list[Indicator], year: int, memo: TableMemo) -> list[Sheet]:
    memo.prefetch(indicators, [year])  # one query for every table
    return [indicator_sheet(memo.get(indicator, year)) for indicator in indicators]


def workbook_digest(sheets: list[Sheet]) -> str:
    """SHA-256 of what the sheets say (titles, headers, cells, notes): the same tables give the
    same digest however long ago they were computed."""
    content = [
        [sheet.title, list(sheet.headers), [list(row) for row in sheet.rows], sheet.note]
        for sheet in sheets
    ]
    # Cells JSON has no type for (Decimal, dates) as their type and text: a Decimal keeps
    # its places ("61.50" is not "61.5"), and is not the text "61.50".
    text = json.dumps(
        [WORKBOOK_LAYOUT, content],
        ensure_ascii=False,
        default=lambda value: f"{type(value).__name__}:{value}",
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def stored_workbook(year: int, audience: str, digest: str) -> bytes | None:
    """The stored workbook of this year and audience if it holds these very sheets."""
    content = (
        YearWorkbook.objects.filter(year=year, audience=audience, digest=digest)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(content) if content is not None else None  # PostgreSQL gives a memoryview


def years_without_workbook(years: list[int]) -> set[int]:
    """The years among `years` lacking the workbook of an audience."""
    stored = set(YearWorkbook.objects.filter(year__in=years).values_list("year", "audience"))
    return {
        year for year in years for audience in Audience.values if (year, audience) not in stored
    }


# --- The overview, the axes ------------------------------------------------------------------

KEY_FIGURES_PER_AXIS = 3  # the overview shows the first indicators of each axis
TOTAL_LABELS = ("total", "ensemble")
PLAIN_COLUMNS = ("nombre", "valeur", "")


def axis_slug(axis: str) -> str:
    return slugify(axis)


@dataclass
class AxisLink:
    axis: str
    slug: str
    count: int  # indicators of the axis the reader may see


def axis_links(indicators: list[Indicator]) -> list[AxisLink]:
    """The axes of the indicators, in the observatory's order."""
    links: list[AxisLink] = []
    for indicator in by_axis(indicators):
        if not links or links[-1].axis != indicator.axis:
            links.append(AxisLink(indicator.axis, axis_slug(indicator.axis), 0))
        links[-1].count += 1
    return links


def axis_indicators(user, slug: str) -> tuple[str, list[Indicator]] | None:
    """The axis named by `slug` and its indicators the user may see (None: no such axis, or
    none of its indicators is visible to the user)."""
    indicators = [item for item in visible_indicators(user) if axis_slug(item.axis) == slug]
    return (indicators[0].axis, indicators) if indicators else None


def _key_row(table: IndicatorTable) -> int | None:
    """The row a key figure reads: the table's total when it has one, else its first row (the
    leading sector or commune of a ranked table, the first figure of a summary)."""
    if not table.rows:
        return None
    for position, row in enumerate(table.rows):
        key = table.row_keys[position] if table.row_keys else ""
        if str(key).lower() in TOTAL_LABELS or str(row[0]).lower().startswith(TOTAL_LABELS):
            return position
    return 0


@dataclass
class KeyFigure:
    """One published cell of an indicator (its total or first row) and the same row the year
    before: no figure of the observatory's own, only two cells the module published."""

    item: Computed
    previous_year: int
    label: str = ""  # the row's label
    column: str = ""  # the column's header
    value: object = None
    previous: object = None
    has_previous: bool = False  # the row exists in the previous year's table

    @property
    def available(self) -> bool:
        return self.item.table is not None and bool(self.label or self.column)

    @property
    def hidden(self) -> bool:
        return self.available and self.value is None

    @property
    def column_text(self) -> str:
        """The column's header after the row's label (« Association (structures) »), none for a
        plain « Nombre »; an acronym keeps its capitals (« ETP conventionnés »)."""
        column = self.column.strip()
        if column.lower() in PLAIN_COLUMNS:
            return ""
        return column if column[:2].isupper() else column[:1].lower() + column[1:]

    @property
    def difference(self) -> Decimal | None:
        if not (_is_number(self.value) and _is_number(self.previous)):
            return None
        return formats.to_decimal(self.value) - formats.to_decimal(self.previous)

    @property
    def trend(self) -> str:
        """« hausse », « baisse », « stable », or "" when there is nothing to compare."""
        difference = self.difference
        if difference is None:
            return ""
        return "hausse" if difference > 0 else "baisse" if difference < 0 else "stable"

    @property
    def trend_text(self) -> str:
        """The trend said in words (the arrow beside it is decoration)."""
        year = self.previous_year
        if not self.available:
            return ""
        if self.hidden:
            return "Valeur masquée (secret statistique) : pas d'évolution publiée."
        if not self.has_previous:
            return f"Pas de valeur en {year} pour comparer."
        if self.previous is None:
            return f"Évolution non publiée : la valeur de {year} est masquée (secret statistique)."
        difference = self.difference
        if difference is None:
            return ""
        before = formats.figure(self.previous)
        if difference == 0:
            return f"Stable par rapport à {year} ({before})."
        words = "En hausse" if difference > 0 else "En baisse"
        text = f"{words} de {formats.figure(abs(difference))} par rapport à {year} ({before})"
        rate = formats.percentage(abs(difference), abs(formats.to_decimal(self.previous)), 1)
        if rate is not None:
            sign = "+" if difference > 0 else "−"
            text += f", soit {sign}{formats.percent(rate)}"
        return text + "."


def key_figure(current: Computed, previous: Computed) -> KeyFigure:
    figure = KeyFigure(item=current, previous_year=previous.year)
    table, column = current.table, current.value_column
    if table is None or column is None:
        return figure
    position = _key_row(table)
    if position is None:
        return figure
    row = table.rows[position]
    figure.label, figure.column, figure.value = str(row[0]), table.columns[column], row[column]
    key = table.row_keys[position] if table.row_keys else str(row[0])
    if key.startswith(f"{current.year}-"):  # a month (« 2026-01 »): the same month a year before
        key = f"{previous.year}-" + key.removeprefix(f"{current.year}-")
    before = previous.table
    if before is not None and column < len(before.columns):
        keys = before.row_keys or [str(line[0]) for line in before.rows]
        if key in keys:
            figure.previous = before.rows[keys.index(key)][column]
            figure.has_previous = True
    return figure


@dataclass
class OverviewAxis:
    axis: str
    slug: str
    count: int  # every indicator of the axis the reader may see
    figures: list[KeyFigure] = field(default_factory=list)


def overview(
    indicators: list[Indicator], year: int, memo: TableMemo, *, per_axis: int | None = None
) -> list[OverviewAxis]:
    """The key figures of each axis for `year`, with their trend against the year before
    (`per_axis`: the first indicators of each axis only)."""
    indicators = by_axis(indicators)
    memo.prefetch(indicators, [year, year - 1])
    sections = [OverviewAxis(link.axis, link.slug, link.count) for link in axis_links(indicators)]
    by_name = {section.axis: section for section in sections}
    for indicator in indicators:
        section = by_name[indicator.axis]
        if per_axis is not None and len(section.figures) >= per_axis:
            continue
        section.figures.append(key_figure(memo.get(indicator, year), memo.get(indicator, year - 1)))
    return sections


RANKED_TAGS = {"ranked", "secteurs", "communes"}


def is_ranked(indicator: Indicator) -> bool:
    """Tables whose rows are ranked (sectors, communes): the comparison shows a ranking."""
    return bool(RANKED_TAGS & set(indicator.tags)) or any(
        part in indicator.key for part in ("_by_sector", "_by_commune", ".creations")
    )


@dataclass
class CrossYear:
    """One indicator across years: a pivot of one numeric column, its ranking, its line chart."""

    indicator: Indicator
    years: list[int]  # oldest first
    column: str
    rows: list[tuple[str, list]]  # (label, value per year)
    ranking: list[tuple[int, list[str]]]  # (rank, label per year)
    series: dict[str, list]  # the lines of the chart (the largest rows)
    errors: list[str]
    column_choices: list[tuple[int, str]]
    column_index: int


def across_years(
    indicator: Indicator, years: list[int], memo: TableMemo, *, column: int | None = None
) -> CrossYear:
    years = sorted(years)
    memo.prefetch([indicator], years)
    computed = [memo.get(indicator, year) for year in years]
    reference = next((item for item in reversed(computed) if item.table is not None), None)
    choices: list[tuple[int, str]] = []
    if reference is not None:
        choices = [
            (index, name)
            for index, name in enumerate(reference.table.columns)
            if index > 0
            and any(_is_number(row[index]) or row[index] is None for row in reference.table.rows)
        ]
    default = reference.value_column if reference is not None else None
    index = column if column in dict(choices) else default
    labels: dict[str, str] = {}
    values: dict[str, dict[int, object]] = {}
    errors = [f"{item.year} : {item.error}" for item in computed if item.error]
    for item in computed:
        table = item.table
        if table is None or index is None or index >= len(table.columns):
            continue
        for position, row in enumerate(table.rows):
            key = table.row_keys[position] if table.row_keys else str(row[0])
            labels[key] = str(row[0])  # the latest label wins (a renamed sector)
            values.setdefault(key, {})[item.year] = row[index]
    last_year = years[-1]

    def weight(key):
        value = values[key].get(last_year)
        return (-(float(value)) if _is_number(value) else 0.0, labels[key])

    keys = list(labels)
    if is_ranked(indicator):
        keys.sort(key=weight)
    rows = [(labels[key], [values[key].get(year) for year in years]) for key in keys]
    ranking: list[tuple[int, list[str]]] = []
    if is_ranked(indicator) and keys:
        ordered_by_year = []
        for year in years:
            present = [
                key for key in keys if _is_number(values[key].get(year)) and values[key][year] > 0
            ]
            present.sort(key=lambda key, year=year: (-float(values[key][year]), labels[key]))
            ordered_by_year.append([labels[key] for key in present])
        depth = min(5, max((len(order) for order in ordered_by_year), default=0))
        ranking = [
            (rank + 1, [order[rank] if rank < len(order) else "—" for order in ordered_by_year])
            for rank in range(depth)
        ]
    chart_keys = sorted(keys, key=weight)[:6]
    series = {labels[key]: [values[key].get(year) for year in years] for key in chart_keys}
    return CrossYear(
        indicator=indicator,
        years=years,
        column=reference.table.columns[index] if reference is not None and index else "",
        rows=rows,
        ranking=ranking,
        series=series,
        errors=errors,
        column_choices=choices,
        column_index=index or 0,
    )


# --- Targets --------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    target: SectorTarget
    actual: int | float | None  # None: hidden (secret statistique) or unavailable
    available: bool  # the indicator is registered and computed
    hidden: bool

    @property
    def percent(self) -> Decimal | None:
        if self.actual is None or not self.target.target:
            return None
        return formats.percentage(self.actual, self.target.target, 1)

    @property
    def reached(self) -> bool:
        return self.actual is not None and self.actual >= self.target.target


def target_chart(progress: list[TargetProgress]) -> tuple[list[str], list]:
    """Labels and completion rates (%) of the targets with a known rate, for a bar chart."""
    known = [line for line in progress if line.percent is not None]
    if not any(line.percent for line in known):
        return [], []  # nothing to draw
    short = {Measure.NEW_HOLDERS: "porteurs", Measure.CREATIONS: "créations"}
    labels = [f"{line.target.sector.name} ({short[line.target.measure]})" for line in known]
    return labels, [line.percent for line in known]


def targets_for_year(year: int):
    return SectorTarget.objects.filter(year=year).select_related("sector", "updated_by")


def target_progress(year: int, memo: TableMemo) -> list[TargetProgress]:
    """Each target of the year against the registered indicator of its measure, matched on the
    indicator's row keys (sector slugs)."""
    progress = []
    by_measure: dict[str, dict[str, object] | None] = {}
    for measure in Measure.values:
        indicator = registry.get(MEASURE_INDICATORS[measure])
        computed = memo.get(indicator, year) if indicator is not None else None
        if computed is None or computed.table is None or computed.value_column is None:
            by_measure[measure] = None
            continue
        table, column = computed.table, computed.value_column
        keys = table.row_keys or [str(row[0]) for row in table.rows]
        by_measure[measure] = {key: row[column] for key, row in zip(keys, table.rows, strict=True)}
    for target in targets_for_year(year):
        values = by_measure.get(target.measure)
        if values is None:
            progress.append(TargetProgress(target, None, available=False, hidden=False))
            continue
        value = values.get(target.sector.slug, 0)
        progress.append(TargetProgress(target, value, available=True, hidden=value is None))
    return progress


def target_years() -> list[int]:
    return sorted(
        set(available_years()) | set(SectorTarget.objects.values_list("year", flat=True)),
        reverse=True,
    )


# --- Reports --------------------------------------------------------------------------------


def reports():
    return AnnualReport.objects.select_related("job", "created_by")


def report_indicators() -> list[Indicator]:
    """The yearly report goes to the CUD and the co-funders: every registered indicator."""
    return by_axis(registry.registered())


def registered_public() -> list[Indicator]:
    return by_axis(registry.registered(public_only=True))


def registered_public_indicator(key: str) -> Indicator | None:
    indicator = registry.get(key)
    return indicator if indicator is not None and indicator.public else None
