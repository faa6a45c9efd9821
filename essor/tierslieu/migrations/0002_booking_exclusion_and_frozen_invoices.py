"""What the database itself refuses, beyond the model's constraints:

- PostgreSQL: two confirmed exclusive bookings of one space that overlap in time (an exclusion
  constraint over a half-open time range, with `btree_gist` for the space's equality). SQLite has
  no such constraint: the booking service checks inside its IMMEDIATE transaction.
- Both databases: any change to an issued invoice or to its lines (a trigger); a credit note
  corrects an invoice, nothing edits it.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

EXCLUSION = "tierslieu_booking_no_overlap"
FROZEN = {
    "tierslieu_invoice": "Une facture émise ne se modifie pas : émettez un avoir.",
    "tierslieu_invoiceline": "Une ligne de facture émise ne se modifie pas : émettez un avoir.",
}


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE tierslieu_booking ADD CONSTRAINT {EXCLUSION} EXCLUDE USING gist "
            "(space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
            "WHERE (status = 'confirmed' AND exclusive)"
        )
        schema_editor.execute(
            "CREATE FUNCTION tierslieu_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END; $$",
            params=None,  # no placeholder: the « % » is PL/pgSQL's
        )
        for table, message in FROZEN.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION tierslieu_refuse_change('{message}')"
            )
    elif vendor == "sqlite":
        for table, message in FROZEN.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in FROZEN:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_frozen" + (
            f" ON {table}" if vendor == "postgresql" else ""
        ))  # fmt: skip
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tierslieu_refuse_change()")
        schema_editor.execute(f"ALTER TABLE tierslieu_booking DROP CONSTRAINT {EXCLUSION}")


class Migration(migrations.Migration):
    dependencies = [("tierslieu", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards),
    ]
