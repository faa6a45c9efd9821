# SQL here is built from this module's constants only.
# ruff: noqa: S608
"""The public listing (PostgreSQL) keeps each organisation's full-text vector, in one GIN index
with the facets, so that a text and the filters (sector, commune…) are intersected inside it: a
common word in one commune read 88,000 listing rows and 40,000 organisations before (2 s at
1.5 million organisations). A frozen copy of the refresh function of
essor/directory/listing.py (no migration imports it).
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

FORWARD = [
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_vector tsvector NULL",
    _REFRESH,
    f"""UPDATE {TABLE} l SET search_vector = o.search_vector FROM directory_organisation o
        WHERE o.id = l.organisation_id""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_facets_search ON {TABLE} "
    "USING gin (facets, search_vector)",
    # Names by initial: ranges in code point order whatever the database's collation.
    f"""CREATE INDEX IF NOT EXISTS {TABLE}_name_binary ON {TABLE}
        ((name COLLATE "C"), organisation_id)""",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("directory", "0012_organisation_naf_code_index")]
    # Backwards: nothing to undo; the extra column and index serve the earlier code as well.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
