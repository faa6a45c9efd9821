"""PostgreSQL: a trigram index serves the instruction list's « contains » search on
`Application.search_text` (SQLite scans the narrow covering index of migration 0002 instead)."""

from django.db import migrations

INDEX = "funding_app_search_trgm"


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL ≥ 13): the database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON funding_application "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_application_search_text")]

    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
