"""Reads of the directory: the public directory, its map, its exports and the home page figures.

Only public organisations (ESS, active, not merged) and only diffusible facts leave this module:
establishments whose diffusion is "N" are never shown, and a "P" establishment (or one of a "P"
organisation) shows its commune but no street address and no position.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Prefetch, Q, QuerySet

from essor.directory import search
from essor.directory.filters import DirectoryFilters
from essor.directory.models import (
    DiffusionStatus,
    EssFamily,
    Establishment,
    FactSource,
    Organisation,
    Sector,
)
from essor.directory.search import filter_matching, search_organisations, search_terms
from essor.territory.models import Commune
from essor.territory.selectors import main_territory

PAGE_SIZE = 25
MAP_FEATURE_LIMIT = 2000
RESULT_WINDOW = 5000


def public_organisations():
    """Organisations shown in the public directory: ESS, active, not merged."""
    return Organisation.objects.filter(is_ess=True, is_active=True, merged_into__isnull=True)


def _organisation_conditions(filters: DirectoryFilters, prefix: str = "") -> Q:
    """Public, and the filters on the organisation's own columns (`prefix` to reach it by a join)."""
    # `__in=[True]` renders "is_ess IN (1)", which SQLite can match to an index, whereas Django
    # renders `is_ess=True` as a bare "is_ess" that no index serves.
    conditions = {"is_ess__in": [True], "is_active__in": [True], "merged_into__isnull": True}
    if filters.family:
        conditions["ess_family"] = filters.family
    if filters.employer:
        conditions["is_employer"] = True
    condition = Q(**{prefix + name: value for name, value in conditions.items()})
    if filters.esus:
        today = datetime.date.today()
        condition &= Q(**{prefix + "esus_start__lte": today}) & (
            Q(**{prefix + "esus_end__isnull": True}) | Q(**{prefix + "esus_end__gte": today})
        )
    return condition


def _related_ids(filters: DirectoryFilters, *, with_text: bool):
    """The ids of organisations matching the filters on other tables (sector, commune, and the
    text when `with_text`), or None without such a filter.

    The subqueries are nested (`… WHERE organisation_id IN (…)`), so the database intersects the
    narrow tables before it reads any organisation row: much faster on large directories."""
    subqueries = []
    if with_text and search_terms(filters.text):
        text_ids = search_organisations(Organisation.objects.all(), filters.text, ranked=False)
        subqueries.append((text_ids, "id"))
    if filters.sector:
        links = Organisation.sectors.through.objects.filter(sector__slug=filters.sector)
        subqueries.append((links, "organisation_id"))
    if filters.commune:
        sites = visible_establishments().filter(commune__insee_code=filters.commune)
        subqueries.append((sites, "organisation_id"))
    nested = None
    for queryset, field in reversed(subqueries):
        if nested is not None:
            queryset = queryset.filter(**{f"{field}__in": nested})
        nested = queryset.order_by().values(field)
    return nested


@dataclass(frozen=True)
class TextPlan:
    """How a text search is ordered: by relevance when it matches few organisations, by name
    otherwise (`dense` when it matches so many that walking the names is the fast way)."""

    by_relevance: bool = True
    dense: bool = False

    @classmethod
    def for_text(cls, text: str) -> "TextPlan":
        if not search_terms(text):
            return cls()
        matches = search.match_count(text, cap=search.DENSE_LIMIT)
        return cls(by_relevance=matches < search.RANKING_LIMIT, dense=matches >= search.DENSE_LIMIT)


def filtered_organisations(
    filters: DirectoryFilters, *, ranked: bool = True, plan: TextPlan | None = None
) -> QuerySet:
    """Public organisations matching the filters, ranked by relevance when there is a text
    (unless it is too broad, see `TextPlan`), by name otherwise.

    `ranked=False` gives an unordered queryset fit for a subquery (map, exports)."""
    if plan is None:
        plan = TextPlan.for_text(filters.text) if ranked else TextPlan()
    by_relevance = plan.by_relevance
    has_text = bool(search_terms(filters.text))
    text_ranked = ranked and by_relevance and has_text
    text_by_name = ranked and not by_relevance and has_text
    organisations = Organisation.objects.filter(_organisation_conditions(filters))
    related_ids = _related_ids(filters, with_text=has_text and not ranked)
    if related_ids is not None:
        organisations = organisations.filter(id__in=related_ids)
    if text_ranked:
        return search_organisations(organisations, filters.text)
    if text_by_name:
        organisations = filter_matching(organisations, filters.text, dense=plan.dense)
    return organisations.order_by("name", "id") if ranked else organisations


class _WindowPaginator(Paginator):
    """Pages of ids: read from the window fetched first, from the database past it."""

    def __init__(self, window: list[int], ids: QuerySet, *, count_beyond_window: bool = True):
        self.window, self.ids = window, ids
        # Counting every match of a broad text costs as much as ranking them: the list then
        # says "more than RESULT_WINDOW" and stops at the window.
        self.count_is_lower_bound = not count_beyond_window and len(window) > RESULT_WINDOW
        super().__init__(window, PAGE_SIZE)

    @cached_property
    def count(self) -> int:
        if len(self.window) <= RESULT_WINDOW or self.count_is_lower_bound:
            return min(len(self.window), RESULT_WINDOW)
        return self.ids.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top <= RESULT_WINDOW or len(self.window) <= RESULT_WINDOW or self.count_is_lower_bound:
            return self._get_page(self.window[bottom:top], number, self)
        return self._get_page(list(self.ids[bottom:top]), number, self)


def search_page(filters: DirectoryFilters, page_number) -> Page:
    """One page of the search results, with what a result card shows, in a bounded number of
    queries: the ids of the first RESULT_WINDOW results (sorting narrow rows only; the count is
    their number), then the page's organisations. Past the window, a count (and a page of ids
    for the pages beyond it)."""
    plan = TextPlan.for_text(filters.text)
    ids = filtered_organisations(filters, plan=plan).values_list("id", flat=True)
    window = _fetch_ids(ids[: RESULT_WINDOW + 1])
    broad_text = bool(search_terms(filters.text)) and not plan.by_relevance
    page = _WindowPaginator(window, ids, count_beyond_window=not broad_text).get_page(page_number)
    page_ids = list(page.object_list)
    organisations = with_listing_relations(Organisation.objects.filter(id__in=page_ids)).in_bulk()
    page.object_list = [organisations[pk] for pk in page_ids]
    # A text too broad to rank is listed by name: the page says so.
    page.ordered_by_name_for_text = broad_text
    return page


def _fetch_ids(queryset: QuerySet) -> list[int]:
    """The ids of a values_list queryset, read with a bare cursor (thousands of rows, cheaply)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def visible_establishments() -> QuerySet:
    """Open establishments whose existence may be published (diffusion O or P)."""
    return Establishment.objects.filter(is_open=True).exclude(
        diffusion_status=DiffusionStatus.NOT_DIFFUSIBLE
    )


def locatable_establishments() -> QuerySet:
    """Open establishments whose address and position may be published (O, of an O organisation)."""
    return Establishment.objects.filter(
        is_open=True,
        diffusion_status=DiffusionStatus.DIFFUSIBLE,
        organisation__diffusion_status=DiffusionStatus.DIFFUSIBLE,
        latitude__isnull=False,
        longitude__isnull=False,
    )


def with_listing_relations(organisations: QuerySet) -> QuerySet:
    """What a result card shows, in a fixed number of queries: sectors and visible establishments."""
    return organisations.prefetch_related(
        "sectors",
        Prefetch(
            "establishments",
            queryset=visible_establishments().select_related("commune"),
            to_attr="public_establishments",
        ),
    )


def map_features(filters: DirectoryFilters, bbox=None, limit: int | None = None) -> dict:
    """A GeoJSON FeatureCollection of the located establishments of the matching organisations.

    `bbox` is (west, south, east, north) in degrees. At most `limit` features: the collection says
    when it was truncated, so that the map can ask the visitor to zoom in or filter."""
    limit = limit or MAP_FEATURE_LIMIT
    establishments = locatable_establishments().filter(
        _organisation_conditions(filters, prefix="organisation__")
    )
    related_ids = _related_ids(filters, with_text=True)
    if related_ids is not None:
        establishments = establishments.filter(organisation_id__in=related_ids)
    if bbox:
        west, south, east, north = bbox
        establishments = establishments.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    # No ORDER BY: the database stops at the limit instead of sorting every point of the box.
    rows = list(
        establishments.order_by().values_list(
            "id",
            "longitude",
            "latitude",
            "organisation_id",
            "organisation__name",
            "organisation__acronym",
            "city",
        )[: limit + 1]
    )
    truncated = len(rows) > limit
    features = [
        {
            "type": "Feature",
            "id": establishment_id,
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "organisation": organisation_id,
                "name": f"{name} ({acronym})" if acronym else name,
                "city": city,
            },
        }
        for establishment_id, lon, lat, organisation_id, name, acronym, city in rows[:limit]
    ]
    return {"type": "FeatureCollection", "truncated": truncated, "features": features}


def export_rows(filters: DirectoryFilters):
    """One row per visible establishment of the matching organisations, for the CSV export.

    Streams from the database (iterator) so that a large export holds little memory."""
    organisation_ids = filtered_organisations(filters, ranked=False).order_by().values("id")
    establishments = (
        visible_establishments()
        .filter(organisation__in=organisation_ids)
        .select_related("organisation", "commune")
        .order_by("organisation__name", "organisation_id", "-is_head_office", "siret")
    )
    sector_names = dict(Sector.objects.values_list("id", "name"))
    memberships = {}
    for organisation_id, sector_id in Organisation.sectors.through.objects.filter(
        organisation_id__in=organisation_ids
    ).values_list("organisation_id", "sector_id"):
        memberships.setdefault(organisation_id, []).append(sector_names[sector_id])
    for establishment in establishments.iterator(chunk_size=2000):
        establishment.sector_names = sorted(memberships.get(establishment.organisation_id, []))
        establishment.address_is_public = address_is_public(establishment)
        yield establishment


def address_is_public(establishment: Establishment, organisation=None) -> bool:
    """May the street address and position of this establishment be published?"""
    organisation = organisation or establishment.organisation
    return (
        establishment.diffusion_status == DiffusionStatus.DIFFUSIBLE
        and organisation.diffusion_status == DiffusionStatus.DIFFUSIBLE
    )


def organisation_for_page(pk: int) -> tuple[Organisation | None, Organisation | None]:
    """(organisation, None) for a public organisation, (None, target) for one merged into a public
    organisation, (None, None) otherwise."""
    organisation = with_listing_relations(public_organisations()).filter(pk=pk).first()
    if organisation is not None:
        for establishment in organisation.public_establishments:
            establishment.address_is_public = address_is_public(establishment, organisation)
        return organisation, None
    merged = Organisation.objects.filter(pk=pk, merged_into__isnull=False).values_list(
        "merged_into_id", flat=True
    )
    target_id = merged.first()
    for _ in range(5):  # follow a short chain of successive mergers
        if target_id is None:
            break
        target = Organisation.objects.filter(pk=target_id).first()
        if target is None:
            break
        if target.is_public:
            return None, target
        target_id = target.merged_into_id
    return None, None


SOURCE_LABELS = {
    FactSource.DECLARED: "déclaré par la structure",
    FactSource.AGENCY: "renseigné par l'agence",
    FactSource.DEMO: "donnée de démonstration",
}
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def french_date(day: datetime.date) -> str:
    """« 1er novembre 2026 », « 26 novembre 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def fact_source_label(field_sources: dict, field: str, fallback_date=None) -> str:
    """Where a fact comes from, in words: « Source : SIRENE (1er novembre 2026) »…"""
    entry = (field_sources or {}).get(field) or {}
    source = entry.get("source", "")
    if source == FactSource.SIRENE:
        raw_date = entry.get("date")
        try:
            day = datetime.date.fromisoformat(raw_date) if raw_date else fallback_date
        except ValueError:
            day = fallback_date
        return f"Source : SIRENE ({french_date(day)})" if day else "Source : SIRENE"
    label = SOURCE_LABELS.get(source)
    return f"Source : {label}" if label else ""


def family_counts() -> list[dict]:
    """Public organisations by ESS family, in the families' order, with their labels."""
    counts = dict(
        public_organisations()
        .order_by()
        .values_list("ess_family")
        .annotate(count=Count("id"))
        .values_list("ess_family", "count")
    )
    return [
        {"family": family, "label": label, "count": counts.get(family, 0)}
        for family, label in EssFamily.choices
    ]


def territory_communes() -> tuple:
    """(main territory or None, its communes as (insee_code, name) pairs; every commune if none)."""
    territory = main_territory()
    communes = territory.communes.all() if territory else Commune.objects.all()
    return territory, list(communes.order_by("name").values_list("insee_code", "name"))


def home_figures() -> dict:
    families = family_counts()
    territory, communes = territory_communes()
    return {
        "organisation_count": sum(item["count"] for item in families),
        "family_counts": families,
        "territory": territory,
        "territory_communes": communes,
        "sectors": list(Sector.objects.all()),
    }
