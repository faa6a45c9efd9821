"""Covering indexes for the public directory's filters on large directories (both databases).

They are not declared in the model's Meta (models.py belongs to the data model's owner): they
only speed up the public listing, `selectors._related_ids` (commune filter) and
`selectors.map_features` (bounding box)."""

from django.db import migrations

INDEXES = {
    # Public listing by name, and its count, read from the index alone.
    "directory_organisation_public_name": (
        "directory_organisation",
        "is_ess, is_active, merged_into_id, name",
    ),
    "directory_establishment_public_commune": (
        "directory_establishment",
        "commune_id, is_open, diffusion_status, organisation_id",
    ),
    "directory_establishment_public_position": (
        "directory_establishment",
        "latitude, longitude, is_open, diffusion_status, organisation_id",
    ),
}


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_full_text_search")]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, (table, columns) in INDEXES.items()
    ]
