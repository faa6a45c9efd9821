"""Reads of the directory: the public directory, its map, its exports and the home page figures.

Only public organisations (ESS, active, not merged) and only diffusible facts leave this module:
establishments whose diffusion is "N" are never shown, and a "P" establishment (or one of a "P"
organisation) shows its commune but no street address and no position.
"""

import datetime
import re
from dataclasses import replace

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from essor.core.formats import long_date
from essor.core.page_cache import kept
from essor.directory import listing, search, spelling
from essor.directory.filters import DirectoryFilters
from essor.directory.models import (
    DiffusionStatus,
    EssFamily,
    Establishment,
    FactSource,
    Organisation,
    OrganisationClaim,
    SearchWord,
    Sector,
)
from essor.directory.naf import naf_subclasses
from essor.directory.search import search_organisations, search_terms
from essor.territory.models import Commune
from essor.territory.selectors import main_territory

PAGE_SIZE = 25
MAP_FEATURE_LIMIT = 2000
# Beyond this many results the list says « plus de 1 000 structures » rather than count them all:
# an exact count reads every match, which on a large directory costs far more than the page.
COUNT_LIMIT = 1000


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
    if filters.naf:
        conditions["naf_code__in"] = naf_subclasses(filters.naf)
    condition = Q(**{prefix + name: value for name, value in conditions.items()})
    if filters.esus:
        today = datetime.date.today()
        condition &= Q(**{prefix + "esus_start__lte": today}) & (
            Q(**{prefix + "esus_end__isnull": True}) | Q(**{prefix + "esus_end__gte": today})
        )
    return condition


def _related_ids(filters: DirectoryFilters, *, with_text: bool):
    """The ids of organisations matching the filters on other tables (sector and commune, and
    the text when `with_text`) as a subquery, or None without such a filter. On PostgreSQL the
    public listing answers for every filter but the text (see listing.py)."""
    text_ids = None
    letter = search.single_letter(filters.text)
    if with_text and letter:  # as the list: the names beginning with it
        if listing.is_available():
            text_ids = Organisation.objects.filter(id__in=listing.initial_ids(letter))
        else:
            text_ids = Organisation.objects.filter(search.initial_condition(letter))
    elif with_text and search_terms(filters.text):
        text_ids = search_organisations(Organisation.objects.all(), filters.text, ranked=False)
    if listing.is_available():
        others = listing.ListingQuery(filters).ids_subquery()
    else:
        others = _linked_ids(filters)
    if text_ids is None:
        return others
    if others is not None:
        text_ids = text_ids.filter(id__in=others)
    return text_ids.order_by().values("id")


def _linked_ids(filters: DirectoryFilters):
    """The ids of organisations in the sector and with a visible establishment in the commune.

    The subqueries are nested (`… WHERE organisation_id IN (…)`), so the database intersects the
    narrow tables before it reads any organisation row: much faster on large directories."""
    subqueries = []
    if filters.sector:
        subqueries.append(Organisation.sectors.through.objects.filter(sector__slug=filters.sector))
    if filters.commune:
        subqueries.append(visible_establishments().filter(commune__insee_code=filters.commune))
    if filters.postcode_communes:
        # The communes' ids first (a join on their codes makes SQLite read establishments
        # three times slower).
        communes = Commune.objects.filter(insee_code__in=filters.postcode_communes)
        subqueries.append(
            visible_establishments().filter(
                commune_id__in=list(communes.values_list("id", flat=True))
            )
        )
    nested = None
    for queryset in reversed(subqueries):
        if nested is not None:
            queryset = queryset.filter(organisation_id__in=nested)
        nested = queryset.order_by().values("organisation_id")
    return nested


def filtered_organisations(filters: DirectoryFilters, *, ranked: bool = True) -> QuerySet:
    """Public organisations matching the filters, ranked by relevance when there is a text, by
    name otherwise (the search page reads a bounded set instead: `search_page`).

    `ranked=False` gives an unordered queryset fit for a subquery (map, exports)."""
    has_text = bool(search_terms(filters.text))
    organisations = Organisation.objects.filter(_organisation_conditions(filters))
    related_ids = _related_ids(filters, with_text=has_text and not ranked)
    if related_ids is not None:
        organisations = organisations.filter(id__in=related_ids)
    if ranked and has_text:
        return search_organisations(organisations, filters.text)
    return organisations.order_by("name", "id") if ranked else organisations


def _read_by_name(filters: DirectoryFilters) -> QuerySet:
    """SQLite, for filters matching many organisations: the public ones in name order, read
    along the name index, each checked against the filters' subquery (a set built once), so
    that a page stops the reading. Otherwise SQLite would drive from the subquery (the 60,000
    organisations of a large commune) and sort them all for 25 (60 ms at 200,000). The unary
    `+` keeps it from driving: the id is then only checked."""
    organisations = Organisation.objects.filter(_organisation_conditions(filters))
    related_ids = _related_ids(filters, with_text=False)
    if related_ids is not None:
        sql, params = related_ids.query.sql_with_params()
        table = Organisation._meta.db_table
        # The SQL is the ORM's own, its values parameters.
        checked = f'+"{table}"."id" IN ({sql})'
        organisations = organisations.extra(where=[checked], params=params)  # noqa: S610
    return organisations.order_by("name", "id")


class _CountedPaginator(Paginator):
    """Pages read one at a time from the database (LIMIT/OFFSET), for a count known beforehand:
    exact up to COUNT_LIMIT, a lower bound beyond (then only the pages it covers are offered)."""

    def __init__(self, ids, matches: int):
        super().__init__(ids, PAGE_SIZE)
        self.count_is_lower_bound = matches > COUNT_LIMIT
        # Replaces Paginator's cached property: the count is never asked of `ids`.
        self.count = min(matches, COUNT_LIMIT)


def search_page(filters: DirectoryFilters, page_number) -> Page:
    """One page of the search results, with what a result card shows, in a bounded number of
    queries whatever the number of matches.

    A text reads at most COUNT_LIMIT + 1 matches (`search.ranked_candidates`), whatever their
    number: their count (« plus de 1 000 » beyond) and their order, by relevance. One letter
    lists the names that begin with it (`search.initial_candidates`)."""
    filters = recognise_postcode(filters)
    filters = replace(filters, text=search.settle_last_word(filters.text))
    if not search_terms(filters.text):
        page = _filters_page(filters, page_number)
    else:
        page = _text_page(filters, page_number)
    organisations = with_listing_relations(Organisation.objects.filter(id__in=page.object_list))
    by_id = organisations.in_bulk()
    page.object_list = [by_id[pk] for pk in page.object_list]
    page.postcode, page.postcode_places = filters.postcode, filters.postcode_places
    # What to search instead of the typed text (its postcode kept): the map's, the exports' and
    # the next pages' query, the API's `corrected_q`.
    page.corrected_query = (
        f"{page.corrected_text} {filters.postcode}".strip() if page.corrected_text else ""
    )
    return page


POSTCODE = re.compile(r"\b\d{5}\b")


def recognise_postcode(filters: DirectoryFilters) -> DirectoryFilters:
    """A postcode typed in the text (« 59140 », « club 59380 ») becomes a filter on the
    communes of the main territory it serves, any of them (59380: Armbouts-Cappel and Spycker),
    and leaves the text: no organisation's name or description holds it. A postcode no commune
    of the territory has stays in the text. One query, only when the text holds five digits."""
    match = POSTCODE.search(filters.text or "")
    if not match:
        return filters
    territory = main_territory()
    communes = territory.communes.all() if territory else Commune.objects.all()
    served = tuple(
        sorted(
            (name, code)
            for code, name, postal_codes in communes.values_list(
                "insee_code", "name", "postal_codes"
            )
            if match.group() in (postal_codes or [])
        )
    )
    if not served:
        return filters
    text = (filters.text[: match.start()] + filters.text[match.end() :]).strip()
    return replace(
        filters,
        text=text,
        postcode=match.group(),
        postcode_communes=tuple(code for _name, code in served),
        postcode_places=tuple(name for name, _code in served),
    )


def _filters_page(filters: DirectoryFilters, page_number) -> Page:
    """Without a text: by name; on PostgreSQL read from the public listing alone."""
    if listing.is_available():
        ids = listing.ListingQuery(filters)
        matches = ids.count(cap=COUNT_LIMIT + 1)
    else:
        matching = filtered_organisations(filters, ranked=False).order_by().values("id")
        matches = matching[: COUNT_LIMIT + 1].count()
        if matches > COUNT_LIMIT:
            ids = _read_by_name(filters).values_list("id", flat=True)
        else:
            ids = filtered_organisations(filters).values_list("id", flat=True)
    page = _CountedPaginator(ids, matches).get_page(page_number)
    page.object_list = list(page.object_list)
    page.first_found = False
    page.by_initial = ""
    page.corrected_text = ""
    return page


def _text_page(filters: DirectoryFilters, page_number) -> Page:
    """A text: the first COUNT_LIMIT + 1 matches the index gives (stopped there, so that a
    common word costs no more than a rare one), ordered by relevance then name; one letter:
    the names beginning with it, in name order."""
    initial = search.single_letter(filters.text)
    if initial:
        names = _Initials(filters, initial)
        page = _CountedPaginator(names, names.count(cap=COUNT_LIMIT + 1)).get_page(page_number)
        page.object_list = list(page.object_list)
        page.first_found = False
        page.by_initial = initial
        page.corrected_text = ""
        return page
    candidates = _text_candidates(filters)
    corrected = ""
    if not candidates:  # a typo? (« assocation »): the words the directory uses instead
        corrected = spelling.corrected_text(filters.text, SearchWord.objects)
        if corrected:
            candidates = _text_candidates(replace(filters, text=search.settle_last_word(corrected)))
        if not candidates:  # nothing either (other filters): the page says so of the typed text
            corrected = ""
    candidates.sort(key=lambda row: (-row[1], row[2], row[0]))
    ordered = [pk for pk, _rank, _name in candidates]
    page = _CountedPaginator(ordered[:COUNT_LIMIT], len(ordered)).get_page(page_number)
    page.object_list = list(page.object_list)
    # Beyond COUNT_LIMIT matches, the list holds the first ones found: the page says so.
    page.first_found = len(ordered) > COUNT_LIMIT
    page.by_initial = ""
    page.corrected_text = corrected
    return page


def _text_candidates(filters: DirectoryFilters) -> list[tuple]:
    """(id, relevance, name) of the first COUNT_LIMIT + 1 matches of the text and the filters."""
    if listing.is_available():
        others = listing.ListingQuery(replace(filters, text=""))
        return others.text_rows(search.tsquery_of(filters.text), limit=COUNT_LIMIT + 1)
    others = filtered_organisations(replace(filters, text=""), ranked=False)
    return search.ranked_candidates(others, filters.text, limit=COUNT_LIMIT + 1)


class _Initials:
    """The public organisations matching the filters whose name begins with a letter, in name
    order: counted (capped), and sliced by a Paginator, each page read from the name index."""

    def __init__(self, filters: DirectoryFilters, letter: str):
        self.letter = letter
        if listing.is_available():
            self.listing = listing.ListingQuery(replace(filters, text=""))
        else:
            self.listing = None
            self.others = filtered_organisations(replace(filters, text=""), ranked=False)

    def count(self, *, cap: int) -> int:
        if self.listing is not None:
            return self.listing.initial_count(self.letter, cap=cap)
        return search.initial_count(self.others, self.letter, cap=cap)

    def __getitem__(self, bounds: slice) -> list[int]:
        offset = bounds.start or 0
        if not bounds.stop:  # the empty page of no result
            return []
        if self.listing is not None:
            rows = self.listing.initial_rows(self.letter, limit=bounds.stop)
        else:
            rows = search.initial_candidates(self.others, self.letter, limit=bounds.stop)
        return [pk for pk, _name in rows[offset:]]


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
    filters = recognise_postcode(filters)
    filters = replace(filters, text=search.settle_last_word(filters.text))
    if listing.is_available():
        text_ids = None
        letter = search.single_letter(filters.text)
        if letter:  # as the list: the names beginning with it
            text_ids = Organisation.objects.filter(id__in=listing.initial_ids(letter)).values("id")
        elif search_terms(filters.text):
            text_ids = search_organisations(Organisation.objects.all(), filters.text, ranked=False)
            text_ids = text_ids.order_by().values("id")
        rows = listing.ListingQuery(filters).map_rows(text_ids=text_ids, bbox=bbox, limit=limit + 1)
    else:
        rows = _map_rows(filters, bbox, limit + 1)
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


def _map_rows(filters: DirectoryFilters, bbox, limit: int) -> list[tuple]:
    """The map's rows through the organisations' own table (SQLite)."""
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
    return list(
        establishments.order_by().values_list(
            "id",
            "longitude",
            "latitude",
            "organisation_id",
            "organisation__name",
            "organisation__acronym",
            "city",
        )[:limit]
    )


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


def pending_claim(user, organisation_id: int) -> OrganisationClaim | None:
    """The person's claim on this organisation still waiting for the agency (at most one: a DB
    constraint), or None; a refused or accepted claim is not pending."""
    if not user.is_authenticated:
        return None
    return OrganisationClaim.objects.filter(
        organisation_id=organisation_id, user=user, status=OrganisationClaim.Status.PENDING
    ).first()


SOURCE_LABELS = {
    FactSource.DECLARED: "déclaré par la structure",
    FactSource.AGENCY: "renseigné par l'agence",
    FactSource.DEMO: "donnée de démonstration",
}


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
        return f"Source : SIRENE ({long_date(day)})" if day else "Source : SIRENE"
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
    """(main territory or None, its communes as (insee_code, name) pairs; every commune if none),
    kept until the territories change (the search form's choices, at each search)."""
    return kept("directory:territory_communes", ("territory",), _territory_communes)


def _territory_communes() -> tuple:
    territory = main_territory()
    communes = territory.communes.all() if territory else Commune.objects.all()
    return territory, list(communes.order_by("name").values_list("insee_code", "name"))


# The home page's figures count every public organisation (a full read of a large directory):
# they are kept this long, which a visitor cannot tell from a live count.
HOME_FIGURES_SECONDS = 600


def home_figures() -> dict:
    families = cache.get_or_set("directory:family_counts", family_counts, HOME_FIGURES_SECONDS)
    territory, communes = territory_communes()
    return {
        "organisation_count": sum(item["count"] for item in families),
        "family_counts": families,
        "territory": territory,
        "territory_communes": communes,
        "sectors": list(Sector.objects.all()),
    }
