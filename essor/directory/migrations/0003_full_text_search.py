# SQL here is built from this module's constants only.
# ruff: noqa: S608
"""Full-text search of organisations: FTS5 + triggers on SQLite, tsvector trigger + GIN on PostgreSQL.

Frozen: the SQL as it was when this migration was written (commit 62f0c1d), copied here rather
than imported from essor/directory/search.py, so that a later change there cannot make new
databases differ from the ones migrated before it. A change of the search's SQL goes into a new
migration (tests/ops/test_migration_drift.py compares search.py's definition with the schema the
migrations build). Never edit this file.
"""

from django.db import migrations

FTS_TABLE = "directory_organisation_fts"
SEARCHED_COLUMNS = ("name", "acronym", "description", "activity", "naf_code")

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


def forwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_INSTALL, "postgresql": PG_INSTALL})


def backwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_UNINSTALL, "postgresql": PG_UNINSTALL})


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_sectors")]
    operations = [migrations.RunPython(forwards, backwards)]
