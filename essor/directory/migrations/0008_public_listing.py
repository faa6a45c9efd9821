# SQL here is built from this module's constants only.
# ruff: noqa: S608
"""The public listing on PostgreSQL (nothing on SQLite): a narrow table of the public
organisations with their facets in a GIN index, kept current by statement-level triggers.

Frozen: this is the SQL as it was when this migration was written (commit b4daafa), copied here
rather than imported from essor/directory/listing.py, whose later changes (the map's GiST index,
the acronym and diffusion columns, a set-based refresh) would otherwise have reached new
databases only, leaving the databases migrated in between behind. Migration
0011_public_listing_current brings every database, whatever version ran this one, to today's
definition. Never edit this file: write a new migration.
"""

from django.db import migrations

TABLE = "directory_public_listing"

_PUBLIC = "o.is_ess AND o.is_active AND o.merged_into_id IS NULL"
_REFRESH = f"""
CREATE OR REPLACE FUNCTION {TABLE}_refresh(ids bigint[]) RETURNS void AS $$
BEGIN
  -- Serialise refreshes of the same organisations; the statements below then see what the
  -- transactions that held the locks committed.
  PERFORM 1 FROM directory_organisation WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM {TABLE} l WHERE l.organisation_id = ANY(ids) AND NOT EXISTS (
    SELECT 1 FROM directory_organisation o WHERE o.id = l.organisation_id AND {_PUBLIC});
  INSERT INTO {TABLE} (organisation_id, name, facets, esus_start, esus_end)
  SELECT o.id, o.name,
    ARRAY(SELECT 'sector:' || s.sector_id FROM directory_organisation_sectors s
          WHERE s.organisation_id = o.id)
    || ARRAY(SELECT DISTINCT 'commune:' || e.commune_id FROM directory_establishment e
             WHERE e.organisation_id = o.id AND e.is_open AND e.diffusion_status <> 'N'
               AND e.commune_id IS NOT NULL)
    || ARRAY['family:' || o.ess_family]
    || CASE WHEN o.is_employer THEN ARRAY['employer'] ELSE ARRAY[]::text[] END,
    o.esus_start, o.esus_end
  FROM directory_organisation o
  WHERE o.id = ANY(ids) AND {_PUBLIC}
  ON CONFLICT (organisation_id) DO UPDATE SET
    name = EXCLUDED.name, facets = EXCLUDED.facets,
    esus_start = EXCLUDED.esus_start, esus_end = EXCLUDED.esus_end;
END $$ LANGUAGE plpgsql"""
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
        facets text[] NOT NULL,
        esus_start date NULL,
        esus_end date NULL)""",
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
]
PG_UNINSTALL = [
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


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_INSTALL:
            schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in PG_UNINSTALL:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_organisation_closed_on")]
    operations = [migrations.RunPython(install, uninstall)]
