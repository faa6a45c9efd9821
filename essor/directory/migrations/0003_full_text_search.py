"""Full-text search of organisations: FTS5 + triggers on SQLite, tsvector trigger + GIN on PostgreSQL.

The SQL lives in essor/directory/search.py (install_full_text_search) so that a later migration
can reinstall it after remaking the table on SQLite."""

from django.db import migrations

from essor.directory.search import install_full_text_search, uninstall_full_text_search


def forwards(apps, schema_editor):
    install_full_text_search(schema_editor)


def backwards(apps, schema_editor):
    uninstall_full_text_search(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_sectors")]
    operations = [migrations.RunPython(forwards, backwards)]
