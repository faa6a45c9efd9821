from django.db import migrations

# The sector filter reads (sector, organisation) pairs: with both in one index the database answers
# from the index alone instead of visiting every link row of a large sector.
INDEX = "directory_organisation_sectors_sector_organisation"


class Migration(migrations.Migration):
    dependencies = [("directory", "0005_claim_review_comment")]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} "
            "ON directory_organisation_sectors (sector_id, organisation_id)",
            f"DROP INDEX IF EXISTS {INDEX}",
        )
    ]
