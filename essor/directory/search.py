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
import unicodedata

from django.db import connections
from django.db.models import F, Q, QuerySet
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


def tsquery_of(text: str) -> str:
    """PostgreSQL: `text` as a to_tsquery() expression (see `tsquery_text`)."""
    return _tsquery(text)


def _search_query(text: str):
    """PostgreSQL: `text` as a SearchQuery of the `french_unaccent` configuration."""
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(_tsquery(text), search_type="raw", config="french_unaccent")


# A last word matching this many organisations on its own is searched as it is, not as a
# prefix (`settle_last_word`).
COMMON_WORD_LIMIT = 5000


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


def ranked_candidates(queryset: QuerySet, text: str, *, limit: int) -> list[tuple]:
    """(id, relevance, name) of at most `limit` organisations of `queryset` matching `text`, the
    first the full-text index gives (no ORDER BY: the reading stops at the limit, so that a
    word matching 50,000 organisations costs no more than one matching 50). The caller orders
    them; relevance is bm25 on SQLite (names and acronyms weigh most), ts_rank on PostgreSQL
    (weights A, B, C)."""
    if not search_terms(text):
        return []
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        matches = joined_matches(queryset, text).extra(
            select={"search_rank": f"-bm25({FTS_TABLE}, {BM25_WEIGHTS})"}
        )
    elif vendor == "postgresql":
        from django.contrib.postgres.search import SearchRank

        query = _search_query(text)
        matches = queryset.filter(search_vector=query).annotate(
            search_rank=SearchRank(F("search_vector"), query)
        )
    else:
        matches = naive_search(queryset, text, ranked=False).extra(select={"search_rank": "0"})
    return [
        tuple(row) for row in matches.order_by().values_list("id", "search_rank", "name")[:limit]
    ]


ACCENTS = ["\u0300", "\u0301", "\u0302", "\u0308", "\u0327"]  # ` ´ ^ ¨ ¸


def single_letter(text: str) -> str:
    """The letter, when the text is one letter alone (« a », « É »): it is searched as the
    initial of names, since as a prefix of any word it would match nearly every organisation
    and cost a read of most of the index. Empty otherwise."""
    words = [word for word in _TERM.findall(text or "") if word.strip("_")]
    if len(words) == 1 and len(words[0]) == 1 and words[0].isalpha():
        return words[0]
    return ""


def initial_variants(letter: str) -> list[str]:
    """The first characters a name beginning with `letter` may have: both cases, and the
    accented forms of the same letter (« e » gives E, e, É, é, È, è…)."""
    base = unicodedata.normalize("NFD", letter.lower())[0]
    variants = {base, base.upper()}
    for accent in ACCENTS:
        composed = unicodedata.normalize("NFC", base + accent)
        variants |= {composed, composed.upper()}
    # A precomposed character only (« ẗ » has none in capitals).
    return sorted(variant for variant in variants if len(variant) == 1)


def initial_ranges(letter: str) -> list[tuple[str, str]]:
    """Half-open ranges of names (binary order) beginning with one of `initial_variants`."""
    return [(variant, chr(ord(variant) + 1)) for variant in initial_variants(letter)]


def initial_condition(letter: str) -> Q:
    """Names beginning with `letter` (any case or accent), as ranges of names (code point
    order: SQLite's, for the map and the exports)."""
    condition = Q()
    for low, high in initial_ranges(letter):
        condition |= Q(name__gte=low, name__lt=high)
    return condition


def initial_count(queryset: QuerySet, letter: str, *, cap: int) -> int:
    """How many organisations of `queryset` have a name beginning with `letter`, counted up to
    `cap` in each range of the name index (an OR of ranges would read the whole index)."""
    parts, params = [], []
    for low, high in initial_ranges(letter):
        ranged = queryset.filter(name__gte=low, name__lt=high).order_by().values("id")[:cap]
        sql, part_params = ranged.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS initial_{len(parts)}")
        params += part_params
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({' UNION ALL '.join(parts)}) AS initials", params)
        return min(cursor.fetchone()[0], cap)


def initial_candidates(queryset: QuerySet, letter: str, *, limit: int) -> list[tuple]:
    """(id, name) of the first `limit` organisations of `queryset` in name order whose name
    begins with `letter` (any case or accent). One statement: for each first character, a range
    of the name index read in order and stopped at `limit`; their union is sorted here."""
    parts, params = [], []
    for low, high in initial_ranges(letter):
        ranged = queryset.filter(name__gte=low, name__lt=high).order_by("name", "id")
        sql, part_params = ranged.values_list("id", "name")[:limit].query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS initial_{len(parts)}")
        params += part_params
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    return sorted(rows, key=lambda row: (row[1], row[0]))[:limit]


def naive_search(queryset: QuerySet, text: str, *, ranked: bool = True) -> QuerySet:
    """The same search with `icontains` (no index, no accent folding): for other databases and as
    the benchmark's baseline."""
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
