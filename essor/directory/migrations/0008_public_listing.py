"""The public listing on PostgreSQL (nothing on SQLite): see essor/directory/listing.py."""

from django.db import migrations

from essor.directory import listing


def install(apps, schema_editor):
    listing.install(schema_editor)


def uninstall(apps, schema_editor):
    listing.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_organisation_closed_on")]
    operations = [migrations.RunPython(install, uninstall)]
