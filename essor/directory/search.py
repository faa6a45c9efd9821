# SQL here is built from module constants only; user input always goes through parameters.
# ruff: noqa: S608, S610, S611
"""Full-text search of organisations, behind one function: `search_organisations`.

SQLite: an FTS5 table (`directory_organisation_fts`, external content) kept in sync by SQL triggers on
`directory_organisation`, so every write path (SIRENE import, back-office, raw SQL) updates it.
PostgreSQL: `Organisation.search_vector` (tsvector) filled by a trigger with the `french_unaccent`
configuration (unaccent + French stemming), with a GIN index.

Both are installed by migration 0003_full_text_search, which carries a frozen copy of the SQL
below (`install_full_text_search` is today's definition; no migration imports this module). A
change to this SQL needs a new migration bringing existing databases to it
(tests/ops/test_migration_drift.py fails while they disagree). On SQLite, a later migration that
remakes `directory_organisation` (Django's way to alter a table there) drops its triggers: such a
migration must create them again (copy the statements into it; they are idempotent);
tests/directory/test_search.py fails if the triggers are missing.
"""

import json
import re

from django.db import connections
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL

FTS_TABLE = "directory_organisation_fts"
SEARCHED_COLUMNS = ("name", "acronym", "description", "activity", "naf_code")
# bm25 weights, in SEARCHED_COLUMNS order: a hit in the name counts more than in the description.
BM25_WEIGHTS = "10.0, 10.0, 1.0, 4.0, 2.0"
MAX_TERMS = 8
_TERM = re.compile(r"\w+", re.UNICODE)


def search_terms(text: str) -> list[str]:
    """The words of a user's query, stripped of any search syntax (quotes, -, *, parentheses…).

    One-letter words ("l'", "d'") are dropped unless nothing else is left."""
    words = [word.lower() for word in _TERM.findall(text or "") if word.strip("_")]
    longer = [word for word in words if len(word) > 1]
    return (longer or words)[:MAX_TERMS]


def last_word_is_prefix(text: str) -> bool:
    """The last word of a query is a prefix (typing as you go), unless the text ends with a
    space: `settle_last_word` adds one to a common word, taken as it is."""
    return not (text or "").endswith(" ")


def fts5_query(terms: list[str], *, prefix: bool = True) -> str:
    """An FTS5 MATCH expression: every word required, the last one as a prefix (typing as you go).

    Each word is a quoted string, so no input can form FTS5 syntax."""
    quoted = [f'"{term}"' for term in terms]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_text(terms: list[str], *, prefix: bool = True) -> str:
    """A to_tsquery() expression: the words joined with &, the last one as a prefix."""
    return " & ".join([*terms[:-1], f"{terms[-1]}:*" if prefix else terms[-1]])


def _fts5(text: str) -> str:
    return fts5_query(search_terms(text), prefix=last_word_is_prefix(text))


def _tsquery(text: str) -> str:
    return tsquery_text(search_terms(text), prefix=last_word_is_prefix(text))


def _search_query(text: str):
    """PostgreSQL: `text` as a SearchQuery of the `french_unaccent` configuration."""
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(_tsquery(text), search_type="raw", config="french_unaccent")


# Ranking costs a read of every match (bm25 or ts_rank): from RANKING_LIMIT matches on, a page would
# take too long, so broad texts are listed by name. Sorting the matches by name is cheap until they
# are very many; from the dense limit on, walking the name index and stopping at the first results
# is. On SQLite the full-text index counts matches cheaply (DENSE_LIMIT); on PostgreSQL a count
# reads every matching row, so the planner's estimate decides (PG_DENSE_LIMIT: where reading the
# matches to sort them costs about as much as walking 25 / share of the rows in name order).
RANKING_LIMIT = 500
DENSE_LIMIT = 20000
PG_DENSE_LIMIT = 6000
# A walk in name order stops looking after this many organisations per result of the page (a
# text with PG_DENSE_LIMIT matches among 1.5 million needs 250 on average).
WALK_ROWS_PER_RESULT = 400
COMMON_WORD_LIMIT = 5000


def is_dense(text: str, *, using: str = "default") -> bool:
    """SQLite: does `text` match so many organisations that the name index should drive the
    search? One count in the full-text index, stopped at DENSE_LIMIT."""
    if not search_terms(text) or connections[using].vendor != "sqlite":
        return False
    return match_count(text, cap=DENSE_LIMIT, using=using) >= DENSE_LIMIT


def _estimate(tsquery: str, using: str) -> int:
    """How many organisations (public or not) the planner expects `tsquery` to match, from its
    statistics alone (EXPLAIN: nothing is read)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM directory_organisation "
            "WHERE search_vector @@ to_tsquery('french_unaccent', %s)",
            [tsquery],
        )
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def estimated_matches(text: str, *, using: str = "default") -> int:
    """PostgreSQL: how many organisations the planner expects `text` to match."""
    return _estimate(_tsquery(text), using) if search_terms(text) else 0


def settle_last_word(text: str, *, using: str = "default") -> str:
    """`text`, with a space after it when its last word is common on its own (COMMON_WORD_LIMIT
    matches or more: counted in the index on SQLite, the planner's estimate on PostgreSQL), so
    that it is searched as it is rather than as a prefix: the index then intersects its postings
    with the other words' instead of first gathering those of every longer word, tens of
    milliseconds for a common word of a large directory. A rare or unfinished word stays a
    prefix."""
    terms = search_terms(text)
    vendor = connections[using].vendor
    if not terms or not last_word_is_prefix(text):
        return text
    if vendor == "postgresql":
        common = _estimate(terms[-1], using) >= COMMON_WORD_LIMIT
    elif vendor == "sqlite":
        common = match_count(terms[-1] + " ", cap=COMMON_WORD_LIMIT, using=using)
        common = common >= COMMON_WORD_LIMIT
    else:
        common = False
    return text + " " if common else text


def page_with_total(
    queryset: QuerySet, text: str, *, offset: int, limit: int
) -> tuple[list[int], int]:
    """PostgreSQL: (the ids of one page of the organisations of `queryset` matching `text`, their
    number), the full-text index read once for both: a MATERIALIZED CTE holds the matches, then
    the page is ranked by relevance when they are fewer than RANKING_LIMIT, by name otherwise.
    An empty list past the last page."""
    tsquery = _tsquery(text)
    matches = queryset.filter(search_vector=_search_query(text)).order_by()
    sql, params = matches.values("id", "name", "search_vector").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"""WITH matches AS MATERIALIZED ({sql})
                SELECT page.id, total.n FROM (SELECT count(*) AS n FROM matches) total
                LEFT JOIN LATERAL (
                    SELECT m.id FROM matches m
                    ORDER BY CASE WHEN total.n < %s THEN ts_rank(
                        m.search_vector, to_tsquery('french_unaccent', %s)) END DESC NULLS LAST,
                      m.name, m.id
                    LIMIT %s OFFSET %s) page ON TRUE""",
            [*params, RANKING_LIMIT, tsquery, limit, offset],
        )
        rows = cursor.fetchall()
    return [row[0] for row in rows if row[0] is not None], rows[0][1]


def page_by_name(
    queryset: QuerySet, text: str, *, offset: int, limit: int, budget: int
) -> list[int]:
    """PostgreSQL, for a text matching a large share of `queryset`: the ids of one page of its
    matches in name order. The name index is walked over at most `budget` organisations and
    stops at the page's last match; when those hold too few matches (the matches gather further
    in the alphabet, as a word found in many names does), the same statement sorts all the
    matches instead (the second branch runs only then: a one-time filter)."""
    tsquery = _tsquery(text)
    walked = (
        queryset.order_by("name", "id")
        .extra(
            select={"hit": "search_vector @@ to_tsquery('french_unaccent', %s)"},
            select_params=[tsquery],
        )
        .values("id", "name", "hit")[:budget]
    )
    walk_sql, walk_params = walked.query.sql_with_params()
    matching = queryset.filter(search_vector=_search_query(text))
    match_sql, match_params = matching.order_by().values("id", "name").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"""WITH walk AS MATERIALIZED (
                    SELECT w.id, w.name FROM ({walk_sql}) w WHERE w.hit
                    ORDER BY w.name, w.id LIMIT %s OFFSET %s),
                matches AS MATERIALIZED ({match_sql})
                (SELECT id FROM walk WHERE (SELECT count(*) FROM walk) >= %s ORDER BY name, id)
                UNION ALL
                (SELECT id FROM matches WHERE (SELECT count(*) FROM walk) < %s
                 ORDER BY name, id LIMIT %s OFFSET %s)""",
            [*walk_params, limit, offset, *match_params, limit, limit, limit, offset],
        )
        return [row[0] for row in cursor.fetchall()]


def match_count(text: str, *, cap: int, using: str = "default") -> int:
    """How many organisations (public or not) match `text`, counted in the index alone and
    stopping at `cap`, so that the question itself stays cheap (0 without a usable text)."""
    terms = search_terms(text)
    connection = connections[using]
    if not terms or connection.vendor not in {"sqlite", "postgresql"}:
        return 0
    if connection.vendor == "sqlite":
        matches = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s"
        params = [_fts5(text), cap]
    else:
        matches = (
            "SELECT 1 FROM directory_organisation "
            "WHERE search_vector @@ to_tsquery('french_unaccent', %s) LIMIT %s"
        )
        params = [_tsquery(text), cap]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({matches}) AS matches", params)
        return cursor.fetchone()[0]


def search_organisations(queryset: QuerySet, text: str, *, ranked: bool = True) -> QuerySet:
    """`queryset` (of Organisation) narrowed to the organisations matching `text`, best first.

    An empty query (or one made only of punctuation) returns the queryset unchanged. With
    `ranked=False` the result is not ordered, and can be used as a subquery (`…__in=`)."""
    terms = search_terms(text)
    if not terms:
        return queryset
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        match = _fts5(text)
        if not ranked:
            return queryset.filter(
                id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
            )
        # A join with the FTS table: one pass over the matches computes bm25 for all of them.
        return (
            joined_matches(queryset, text)
            .extra(select={"search_rank": f"-bm25({FTS_TABLE}, {BM25_WEIGHTS})"})
            .order_by("-search_rank", "name", "id")
        )
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        query = _search_query(text)
        if not ranked:
            return queryset.filter(search_vector=query)
        return (
            queryset.filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", "name", "id")
        )
    return naive_search(queryset, text, ranked=ranked)


def joined_matches(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the organisations matching `text`, unordered, the index driving:
    on SQLite a join with the FTS table, read match by match, so that a LIMIT stops the reading
    early (an `id IN (…)` subquery would first collect every match). Not for use as a subquery."""
    terms = search_terms(text)
    if not terms:
        return queryset
    if connections[queryset.db].vendor == "sqlite":
        table = queryset.model._meta.db_table
        return queryset.extra(
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = {table}.id", f"{FTS_TABLE} MATCH %s"],
            params=[_fts5(text)],
        )
    return search_organisations(queryset, text, ranked=False)


def filter_matching(queryset: QuerySet, text: str, *, dense: bool = False) -> QuerySet:
    """`queryset` narrowed to the organisations matching `text`, unranked. With `dense` (a text
    matching a large share of the directory), the database is left to walk the queryset's own
    order and stop at the first results: on SQLite the unary `+` keeps the match list from
    driving the plan."""
    terms = search_terms(text)
    if not terms:
        return queryset
    if dense and connections[queryset.db].vendor == "sqlite":
        table = queryset.model._meta.db_table
        return queryset.extra(
            where=[f"+{table}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"],
            params=[_fts5(text)],
        )
    return search_organisations(queryset, text, ranked=False)


def naive_search(queryset: QuerySet, text: str, *, ranked: bool = True) -> QuerySet:
    """The same search with `icontains` (no index, no accent folding): for other databases and as
    the benchmark's baseline."""
    from django.db.models import Q

    for term in search_terms(text):
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(acronym__icontains=term)
            | Q(description__icontains=term)
            | Q(activity__icontains=term)
            | Q(naf_code__icontains=term)
        )
    return queryset.order_by("name", "id") if ranked else queryset


# --- Installation (called by migrations) ---------------------------------------------------------

_columns = ", ".join(SEARCHED_COLUMNS)
_new = ", ".join(f"new.{column}" for column in SEARCHED_COLUMNS)
_old = ", ".join(f"old.{column}" for column in SEARCHED_COLUMNS)

SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
        {_columns}, content='directory_organisation', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3')""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON directory_organisation
        BEGIN INSERT INTO {FTS_TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON directory_organisation
        BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_columns})
              VALUES ('delete', old.id, {_old}); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE OF {_columns} ON directory_organisation
        BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_columns})
              VALUES ('delete', old.id, {_old});
              INSERT INTO {FTS_TABLE}(rowid, {_columns}) VALUES (new.id, {_new}); END""",
    # Index the rows already there (and repair the index after a table remake).
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]

PG_VECTOR = """
    setweight(to_tsvector('french_unaccent', coalesce({row}.name, '') || ' ' || coalesce({row}.acronym, '')), 'A')
    || setweight(to_tsvector('french_unaccent', coalesce({row}.activity, '') || ' ' || coalesce({row}.naf_code, '')), 'B')
    || setweight(to_tsvector('french_unaccent', coalesce({row}.description, '')), 'C')"""
PG_INDEX = "CREATE INDEX IF NOT EXISTS directory_organisation_search_gin ON directory_organisation USING GIN (search_vector)"
PG_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
           CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
           ALTER TEXT SEARCH CONFIGURATION french_unaccent
             ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
         END IF;
       END $$""",
    f"""CREATE OR REPLACE FUNCTION directory_organisation_search_vector() RETURNS trigger AS $$
        BEGIN NEW.search_vector := {PG_VECTOR.format(row="NEW")}; RETURN NEW; END
        $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS directory_organisation_search_vector ON directory_organisation",
    f"""CREATE TRIGGER directory_organisation_search_vector
        BEFORE INSERT OR UPDATE OF {_columns} ON directory_organisation
        FOR EACH ROW EXECUTE FUNCTION directory_organisation_search_vector()""",
    f"UPDATE directory_organisation SET search_vector = {PG_VECTOR.format(row='directory_organisation')}",
    PG_INDEX,
]
PG_UNINSTALL = [
    "DROP INDEX IF EXISTS directory_organisation_search_gin",
    "DROP TRIGGER IF EXISTS directory_organisation_search_vector ON directory_organisation",
    "DROP FUNCTION IF EXISTS directory_organisation_search_vector()",
    "UPDATE directory_organisation SET search_vector = NULL",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def _run(schema_editor, statements: dict) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def install_full_text_search(schema_editor) -> None:
    """Create (idempotently) the search index and the triggers that keep it current."""
    _run(schema_editor, {"sqlite": SQLITE_INSTALL, "postgresql": PG_INSTALL})


def uninstall_full_text_search(schema_editor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_UNINSTALL, "postgresql": PG_UNINSTALL})
