# SQL here is built from module constants only; user input always goes through parameters.
# ruff: noqa: S608, S611
"""The public listing (PostgreSQL): one narrow row per public organisation, for the directory's
filters on large directories.

Filtering on sector and commune means intersecting two large link tables (173,000 and 109,000
rows for one sector and one commune among 1.5 million organisations), then reading every
intersecting organisation, a wide row, to sort by name. `directory_public_listing` keeps, for each
public organisation (ESS, active, not merged), its name and its facets in one text array
(`sector:<id>`, `commune:<id>` of each visible establishment, `family:<family>`, `employer`) with
a GIN index: the database intersects the facets in the index and reads narrow rows only.

Statement-level triggers on the organisations, their sector links and their establishments keep
it current for every write path (services, SIRENE import, raw SQL, tests' factories). Each refresh
first locks the organisations concerned, so that two transactions changing the same organisation
cannot leave a listing row computed without the other's change. SQLite keeps no such table: its
directories are smaller and its nested subqueries fast enough (see bench/directory_search.py).

The listing also keeps each organisation's full-text vector (`search_vector`, copied from the
organisation's, which its own trigger computes first) in one GIN index with the facets: a text and
the filters are intersected inside it (`ListingQuery.text_rows`).

`PG_INSTALL` is today's definition; no migration imports it. Migrations 0008 (first version),
0011 and 0012 (the vector) carry frozen copies, so that a database migrated at any commit ends
with the same schema. Changing this SQL needs a new migration bringing existing databases to it:
tests/ops/test_migration_drift.py fails while `install` and the migrations disagree.
"""

import datetime

from django.db import connections, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from essor.directory.filters import DirectoryFilters
from essor.directory.naf import naf_subclasses

TABLE = "directory_public_listing"

_PUBLIC = "o.is_ess AND o.is_active AND o.merged_into_id IS NULL"
# An establishment whose position may be published (its organisation's diffusion aside).
_ON_MAP = "is_open AND diffusion_status = 'O' AND latitude IS NOT NULL AND longitude IS NOT NULL"
MAP_INDEX = "directory_establishment_map_position"
_REFRESH = f"""
CREATE OR REPLACE FUNCTION {TABLE}_refresh(ids bigint[]) RETURNS void AS $$
BEGIN
  -- Serialise refreshes of the same organisations; the statements below then see what the
  -- transactions that held the locks committed.
  PERFORM 1 FROM directory_organisation WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM {TABLE} l WHERE l.organisation_id = ANY(ids) AND NOT EXISTS (
    SELECT 1 FROM directory_organisation o
    WHERE o.id = ANY(ids) AND o.id = l.organisation_id AND {_PUBLIC});
  -- Set-based (one pass per table, joined): correlated subqueries per organisation would scan
  -- whole tables when their statistics are stale, as in the transaction that fills them.
  INSERT INTO {TABLE} (organisation_id, name, acronym, diffusible, facets, esus_start, esus_end,
    search_vector)
  SELECT o.id, o.name, o.acronym, o.diffusion_status = 'O',
    coalesce(sectors.facets, ARRAY[]::text[]) || coalesce(communes.facets, ARRAY[]::text[])
    || ARRAY['family:' || o.ess_family]
    || CASE WHEN o.is_employer THEN ARRAY['employer'] ELSE ARRAY[]::text[] END,
    o.esus_start, o.esus_end, o.search_vector
  FROM directory_organisation o
  LEFT JOIN (
    SELECT s.organisation_id, array_agg('sector:' || s.sector_id) AS facets
    FROM directory_organisation_sectors s WHERE s.organisation_id = ANY(ids)
    GROUP BY s.organisation_id) sectors ON sectors.organisation_id = o.id
  LEFT JOIN (
    SELECT e.organisation_id, array_agg(DISTINCT 'commune:' || e.commune_id) AS facets
    FROM directory_establishment e
    WHERE e.organisation_id = ANY(ids) AND e.is_open AND e.diffusion_status <> 'N'
      AND e.commune_id IS NOT NULL
    GROUP BY e.organisation_id) communes ON communes.organisation_id = o.id
  WHERE o.id = ANY(ids) AND {_PUBLIC}
  ON CONFLICT (organisation_id) DO UPDATE SET
    name = EXCLUDED.name, acronym = EXCLUDED.acronym, diffusible = EXCLUDED.diffusible,
    facets = EXCLUDED.facets,
    esus_start = EXCLUDED.esus_start, esus_end = EXCLUDED.esus_end,
    search_vector = EXCLUDED.search_vector;
END $$ LANGUAGE plpgsql
-- Index scans and hash joins whatever the statistics say: inside the transaction that fills
-- the tables (a first SIRENE import) they are stale, and the planner would read whole tables,
-- or the establishments once per organisation: the work must follow the number of ids.
SET enable_nestloop = off SET enable_seqscan = off"""
# One trigger function for the three tables: TG_ARGV[0] names the column holding the
# organisation's id; the transition tables hold the rows the statement changed.
_FOLLOW = f"""
CREATE OR REPLACE FUNCTION {TABLE}_follow() RETURNS trigger AS $$
DECLARE ids bigint[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', TG_ARGV[0]) INTO ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', TG_ARGV[0]) INTO ids;
  ELSE
    EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I AS x FROM old_rows '
                   'UNION SELECT %1$I FROM new_rows) changed', TG_ARGV[0]) INTO ids;
  END IF;
  IF ids IS NOT NULL THEN
    PERFORM {TABLE}_refresh(ids);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
_REBUILD = f"""
CREATE OR REPLACE FUNCTION {TABLE}_rebuild() RETURNS trigger AS $$
BEGIN
  TRUNCATE {TABLE};
  PERFORM {TABLE}_refresh(ARRAY(SELECT id FROM directory_organisation));
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
_FOLLOWED = {
    "directory_organisation": "id",
    "directory_organisation_sectors": "organisation_id",
    "directory_establishment": "organisation_id",
}
_EVENTS = {
    "insert": ("INSERT", "NEW TABLE AS new_rows"),
    "update": ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "delete": ("DELETE", "OLD TABLE AS old_rows"),
}


def _trigger_name(table: str, event: str) -> str:
    return f"{table}_listing_{event}"


PG_INSTALL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        organisation_id bigint PRIMARY KEY,
        name varchar(255) NOT NULL,
        acronym varchar(255) NOT NULL,
        diffusible boolean NOT NULL,
        facets text[] NOT NULL,
        esus_start date NULL,
        esus_end date NULL,
        search_vector tsvector NULL)""",
    _REFRESH,
    _FOLLOW,
    _REBUILD,
    *(
        statement
        for table, column in _FOLLOWED.items()
        for event, (operation, transition) in _EVENTS.items()
        for statement in (
            f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}",
            f"""CREATE TRIGGER {_trigger_name(table, event)}
                AFTER {operation} ON {table} REFERENCING {transition}
                FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_follow('{column}')""",
        )
    ),
    *(
        statement
        for table in _FOLLOWED
        for statement in (
            f"DROP TRIGGER IF EXISTS {_trigger_name(table, 'truncate')} ON {table}",
            f"""CREATE TRIGGER {_trigger_name(table, "truncate")}
                AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_rebuild()""",
        )
    ),
    # The rows already there, then the indexes (faster built once than maintained row by row).
    f"SELECT {TABLE}_refresh(ARRAY(SELECT id FROM directory_organisation))",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_facets ON {TABLE} USING gin (facets)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_name ON {TABLE} (name, organisation_id)",
    # Names by initial (one letter typed): ranges in code point order whatever the database's
    # collation (« e » and « É » are separate ranges).
    f"""CREATE INDEX IF NOT EXISTS {TABLE}_name_binary ON {TABLE}
        ((name COLLATE "C"), organisation_id)""",
    # The text and the facets in one index: a common word in a large sector (54,000 and 168,000
    # organisations) is intersected inside the index, which skips through the longer list,
    # rather than as two bitmaps built whole (250 ms, and lossy beyond work_mem).
    f"CREATE INDEX IF NOT EXISTS {TABLE}_facets_search ON {TABLE} USING gin (facets, search_vector)",
    # The map's bounding box: a GiST index of the positions that may be published.
    f"""CREATE INDEX IF NOT EXISTS {MAP_INDEX} ON directory_establishment
        USING gist (point(longitude, latitude)) WHERE {_ON_MAP}""",
]
PG_UNINSTALL = [
    f"DROP INDEX IF EXISTS {MAP_INDEX}",
    *(
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}"
        for table in _FOLLOWED
        for event in [*_EVENTS, "truncate"]
    ),
    f"DROP FUNCTION IF EXISTS {TABLE}_follow()",
    f"DROP FUNCTION IF EXISTS {TABLE}_rebuild()",
    f"DROP FUNCTION IF EXISTS {TABLE}_refresh(bigint[])",
    f"DROP TABLE IF EXISTS {TABLE}",
]


REBUILD = [
    f"TRUNCATE {TABLE}",
    f"SELECT {TABLE}_refresh(ARRAY(SELECT id FROM directory_organisation))",
]


def trigger_switches(*, enabled: bool) -> list[str]:
    """ALTER TABLE statements that switch the listing's triggers off for a bulk load (then
    `REBUILD` it in one pass) or back on."""
    switch = "ENABLE" if enabled else "DISABLE"
    return [
        f"ALTER TABLE {table} {switch} TRIGGER {_trigger_name(table, event)}"
        for table in _FOLLOWED
        for event in [*_EVENTS, "truncate"]
    ]


def install(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_INSTALL:
            schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_UNINSTALL:
            schema_editor.execute(statement, params=None)


_BINARY_NAME = 'l.name COLLATE "C"'

# --- Reads -----------------------------------------------------------------------------------


def is_available(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def initial_ids(letter: str) -> RawSQL:
    """The ids of the public organisations whose name begins with `letter` (any case or
    accent), for `id__in=` (the map and the exports of a one-letter search)."""
    from essor.directory.search import initial_ranges

    ranges = initial_ranges(letter)
    clause = " OR ".join([f"({_BINARY_NAME} >= %s AND {_BINARY_NAME} < %s)"] * len(ranges))
    return RawSQL(
        f"SELECT l.organisation_id FROM {TABLE} l WHERE {clause}",
        [bound for pair in ranges for bound in pair],
    )


class ListingQuery:
    """The public organisations matching the filters other than the text, read from the listing:
    their count (capped), pages of their ids in name order (sliceable, for a Paginator), or a
    subquery of their ids. The sector and commune become ids first (one query), so that the
    planner estimates the facets from its statistics."""

    def __init__(self, filters: DirectoryFilters, *, using: str = "default"):
        self.using = using
        clauses, self.params = [], []
        facets, any_of = self._facets(filters)
        if facets:
            clauses.append("l.facets @> %s::text[]")
            self.params.append(facets)
        if any_of:
            clauses.append("l.facets && %s::text[]")
            self.params.append(any_of)
        if filters.esus:
            today = datetime.date.today()
            clauses.append("l.esus_start <= %s AND (l.esus_end IS NULL OR l.esus_end >= %s)")
            self.params += [today, today]
        if filters.naf:
            # The activity is no facet of the listing: the organisations' index on it answers.
            clauses.append(
                "l.organisation_id IN "
                "(SELECT id FROM directory_organisation WHERE naf_code = ANY(%s))"
            )
            self.params.append(naf_subclasses(filters.naf))
        self.where = " AND ".join(clauses) or "TRUE"
        self.has_conditions = bool(clauses)

    def _facets(self, filters: DirectoryFilters) -> tuple[list[str], list[str]]:
        """(the facets all required, the facets of which one is: a postcode's communes)."""
        facets, any_of = [], []
        if filters.postcode_communes:
            with connections[self.using].cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM territory_commune WHERE insee_code = ANY(%s)",
                    [list(filters.postcode_communes)],
                )
                any_of = [f"commune:{row[0]}" for row in cursor.fetchall()] or ["commune:None"]
        if filters.sector or filters.commune:
            with connections[self.using].cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT id FROM directory_sector WHERE slug = %s), "
                    "(SELECT id FROM territory_commune WHERE insee_code = %s)",
                    [filters.sector, filters.commune],
                )
                sector_id, commune_id = cursor.fetchone()
            # An unknown slug or code gives "sector:None", which no organisation has.
            if filters.sector:
                facets.append(f"sector:{sector_id}")
            if filters.commune:
                facets.append(f"commune:{commune_id}")
        if filters.family:
            facets.append(f"family:{filters.family}")
        if filters.employer:
            facets.append("employer")
        return facets, any_of

    def ids_subquery(self) -> RawSQL | None:
        """Their ids, for `id__in=` (None without a condition: every public organisation)."""
        if not self.has_conditions:
            return None
        return RawSQL(f"SELECT l.organisation_id FROM {TABLE} l WHERE {self.where}", self.params)

    def count(self, *, cap: int) -> int:
        """Their number, counted up to `cap`."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} l WHERE {self.where} LIMIT %s) c",
                [*self.params, cap],
            )
            return cursor.fetchone()[0]

    def __getitem__(self, bounds: slice) -> list[int]:
        """The ids from `bounds.start` to `bounds.stop` in name order."""
        offset = bounds.start or 0
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT l.organisation_id FROM {TABLE} l WHERE {self.where} "
                "ORDER BY l.name, l.organisation_id LIMIT %s OFFSET %s",
                [*self.params, bounds.stop - offset, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def text_rows(self, tsquery: str, *, limit: int) -> list[tuple]:
        """(id, relevance, name) of at most `limit` of them matching `tsquery` (a to_tsquery
        expression of the `french_unaccent` configuration), the first the indexes give: the
        text's and the facets' GIN indexes are intersected, and the reading stops at `limit`."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT l.organisation_id, ts_rank(l.search_vector, q.query), l.name "
                f"FROM {TABLE} l, to_tsquery('french_unaccent', %s) q(query) "
                f"WHERE {self.where} AND l.search_vector @@ q.query LIMIT %s",
                [tsquery, *self.params, limit],
            )
            return cursor.fetchall()

    def initial_count(self, letter: str, *, cap: int) -> int:
        """How many have a name beginning with `letter` (any case or accent), counted up to
        `cap` in each range of the name index (an OR of ranges would read the whole table)."""
        from essor.directory.search import initial_ranges

        parts, params = [], []
        name = _BINARY_NAME
        for low, high in initial_ranges(letter):
            parts.append(
                f"(SELECT 1 FROM {TABLE} l WHERE {self.where} "
                f"AND {name} >= %s AND {name} < %s LIMIT %s)"
            )
            params += [*self.params, low, high, cap]
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({' UNION ALL '.join(parts)}) c", params)
            return min(cursor.fetchone()[0], cap)

    def initial_rows(self, letter: str, *, limit: int) -> list[tuple]:
        """(id, name) of the first `limit` in name order whose name begins with `letter` (any
        case or accent): for each first character a range of the name index, stopped at
        `limit`, their union sorted here (see search.initial_candidates)."""
        from essor.directory.search import initial_ranges

        parts, params = [], []
        name = _BINARY_NAME
        for low, high in initial_ranges(letter):
            parts.append(
                f"(SELECT l.organisation_id, l.name FROM {TABLE} l WHERE {self.where} "
                f"AND {name} >= %s AND {name} < %s ORDER BY {name}, l.organisation_id LIMIT %s)"
            )
            params += [*self.params, low, high, limit]
        with connections[self.using].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        return sorted(rows, key=lambda row: (row[1], row[0]))[:limit]

    def map_rows(self, *, text_ids: QuerySet | None, bbox, limit: int) -> list[tuple]:
        """(id, longitude, latitude, organisation id, name, acronym, city) of at most `limit`
        establishments on the map: position published, inside `bbox` (west, south, east,
        north), of a public and diffusible organisation matching the filters (and among
        `text_ids`). No ORDER BY: the database stops at the limit."""
        on_map = " AND ".join(f"e.{condition}" for condition in _ON_MAP.split(" AND "))
        clauses, params = [self.where, "l.diffusible", on_map], [*self.params]
        if bbox:
            clauses.append("point(e.longitude, e.latitude) <@ box(point(%s, %s), point(%s, %s))")
            params += list(bbox)
        if text_ids is not None:
            sql, text_params = text_ids.query.sql_with_params()
            clauses.append(f"e.organisation_id IN ({sql})")
            params += list(text_params)
        connection = connections[self.using]
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            # The planner estimates any box at a fixed share of the points, so it would read a
            # large box whole through a bitmap: a plain index scan streams and stops at the limit.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(
                "SELECT e.id, e.longitude, e.latitude, e.organisation_id, l.name, l.acronym, "
                f"e.city FROM directory_establishment e JOIN {TABLE} l "
                f"ON l.organisation_id = e.organisation_id WHERE {' AND '.join(clauses)} LIMIT %s",
                [*params, limit],
            )
            rows = cursor.fetchall()
            cursor.execute("SET LOCAL enable_bitmapscan TO DEFAULT")  # within an outer transaction
        return rows
