# SQL here is built from module constants only; user input always goes through parameters.
# ruff: noqa: S608, S610, S611
"""Full-text search of organisations, behind one function: `search_organisations`.

SQLite: an FTS5 table (`directory_organisation_fts`, external content) kept in sync by SQL triggers on
`directory_organisation`, so every write path (SIRENE import, back-office, raw SQL) updates it.
PostgreSQL: `Organisation.search_vector` (tsvector) filled by a trigger with the `french_unaccent`
configuration (unaccent + French stemming), with a GIN index.

Both are installed by migration 0003_full_text_search through `install_full_text_search`. On SQLite,
a later migration that remakes `directory_organisation` (Django's way to alter a table there) drops
its triggers: such a migration must call `install_full_text_search` again (it is idempotent);
tests/directory/test_search.py fails if the triggers are missing.
"""

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


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: every word required, the last one as a prefix (typing as you go).

    Each word is a quoted string, so no input can form FTS5 syntax."""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery() expression: the words joined with &, the last one as a prefix."""
    return " & ".join([*terms[:-1], f"{terms[-1]}:*"])


# Ranking costs a read of every match (bm25 or ts_rank): above RANKING_LIMIT matches a page would
# take too long, so broad texts are listed by name. Sorting the matches by name is cheap until they
# are very many; from DENSE_LIMIT on, walking the name index and stopping at the first results is.
RANKING_LIMIT = 500
DENSE_LIMIT = 20000


def match_count(text: str, *, cap: int, using: str = "default") -> int:
    """How many organisations (public or not) match `text`, counted in the index alone and
    stopping at `cap`, so that the question itself stays cheap (0 without a usable text)."""
    terms = search_terms(text)
    connection = connections[using]
    if not terms or connection.vendor not in {"sqlite", "postgresql"}:
        return 0
    if connection.vendor == "sqlite":
        matches = f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s"
        params = [fts5_query(terms), cap]
    else:
        matches = (
            "SELECT 1 FROM directory_organisation "
            "WHERE search_vector @@ to_tsquery('french_unaccent', %s) LIMIT %s"
        )
        params = [tsquery_text(terms), cap]
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
        match = fts5_query(terms)
        if not ranked:
            return queryset.filter(
                id__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match])
            )
        # A join with the FTS table: one pass over the matches computes bm25 for all of them.
        table = queryset.model._meta.db_table
        return queryset.extra(
            tables=[FTS_TABLE],
            where=[f"{FTS_TABLE}.rowid = {table}.id", f"{FTS_TABLE} MATCH %s"],
            params=[match],
            select={"search_rank": f"-bm25({FTS_TABLE}, {BM25_WEIGHTS})"},
        ).order_by("-search_rank", "name", "id")
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(tsquery_text(terms), search_type="raw", config="french_unaccent")
        if not ranked:
            return queryset.filter(search_vector=query)
        return (
            queryset.filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", "name", "id")
        )
    return naive_search(queryset, text, ranked=ranked)


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
            params=[fts5_query(terms)],
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
