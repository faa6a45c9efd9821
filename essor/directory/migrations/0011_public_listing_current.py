# SQL here is built from this module's constants only.
# ruff: noqa: S608
"""The public listing (PostgreSQL) brought to its definition of commit 4a57ed2, whatever version
of essor/directory/listing.py migration 0008 ran.

0008 used to import that module, so it ran the code of the day of each installation: a database
migrated before 0e73720 lacks the map's GiST index and the listing's `acronym` and `diffusible`
columns (the map's query fails on it), and one migrated before 4a57ed2 keeps the refresh
function with correlated subqueries (which reads whole tables inside a first SIRENE import).
0008 is now frozen at its first version; this migration, frozen too, converges every state:
the missing columns are added (and the listing then rebuilt, to fill them), the functions are
replaced (CREATE OR REPLACE), the triggers recreated and the indexes created if they are missing.
"""

from django.db import migrations

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
  INSERT INTO {TABLE} (organisation_id, name, acronym, diffusible, facets, esus_start, esus_end)
  SELECT o.id, o.name, o.acronym, o.diffusion_status = 'O',
    coalesce(sectors.facets, ARRAY[]::text[]) || coalesce(communes.facets, ARRAY[]::text[])
    || ARRAY['family:' || o.ess_family]
    || CASE WHEN o.is_employer THEN ARRAY['employer'] ELSE ARRAY[]::text[] END,
    o.esus_start, o.esus_end
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
    esus_start = EXCLUDED.esus_start, esus_end = EXCLUDED.esus_end;
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
    # The map's bounding box: a GiST index of the positions that may be published.
    f"""CREATE INDEX IF NOT EXISTS {MAP_INDEX} ON directory_establishment
        USING gist (point(longitude, latitude)) WHERE {_ON_MAP}""",
]

CREATE_TABLE, *OTHERS = PG_INSTALL
CONVERGE = [
    CREATE_TABLE,
    # A listing created before 0e73720 has neither column: added empty, filled by the rebuild.
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS acronym varchar(255) NOT NULL DEFAULT ''",
    f"ALTER TABLE {TABLE} ALTER COLUMN acronym DROP DEFAULT",
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS diffusible boolean NOT NULL DEFAULT false",
    f"ALTER TABLE {TABLE} ALTER COLUMN diffusible DROP DEFAULT",
    # Today's functions, triggers and indexes, without the first filling of PG_INSTALL.
    *(statement for statement in OTHERS if not statement.startswith(f"SELECT {TABLE}_refresh")),
]
REBUILD = [
    f"TRUNCATE {TABLE}",
    f"SELECT {TABLE}_refresh(ARRAY(SELECT id FROM directory_organisation))",
]


def converge(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = %s AND column_name IN ('acronym', 'diffusible')",
            [TABLE],
        )
        complete = cursor.fetchone()[0] == 2
    for statement in CONVERGE:
        schema_editor.execute(statement, params=None)
    if not complete:
        for statement in REBUILD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0010_claim_status_workflow")]
    # Backwards: nothing to undo; today's definition serves the earlier schema as well.
    operations = [migrations.RunPython(converge, migrations.RunPython.noop)]
