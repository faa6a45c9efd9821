"""Notifications belong to core now (every module notifies): the rows of foodlink's table are
copied into `core_notification` (ids, dates and read marks kept), then foodlink's table is
dropped. Backwards, they are moved back."""

from django.core.management.color import no_style
from django.db import migrations

COLUMNS = "id, user_id, message, url, created_at, read_at"


def _move(apps, schema_editor, *, source, target):
    """Every row of `source` (app label) into `target`, then the target's id sequence past them."""
    from_model = apps.get_model(source, "Notification")
    to_model = apps.get_model(target, "Notification")
    quote = schema_editor.quote_name
    into, source_table = quote(to_model._meta.db_table), quote(from_model._meta.db_table)
    # Raw SQL keeps `created_at` as it is (a model's auto_now_add would overwrite it); the
    # table names are the models', quoted.
    schema_editor.execute(f"INSERT INTO {into} ({COLUMNS}) SELECT {COLUMNS} FROM {source_table}")  # noqa: S608
    # Rows inserted with their ids leave PostgreSQL's sequence behind: set it past them.
    for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [to_model]):
        schema_editor.execute(statement)


def move_to_core(apps, schema_editor):
    _move(apps, schema_editor, source="foodlink", target="core")


def move_back_to_foodlink(apps, schema_editor):
    _move(apps, schema_editor, source="core", target="foodlink")
    apps.get_model("core", "Notification").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("foodlink", "0004_consultation_history_from_audit_log"),
        ("core", "0004_notifications_for_every_module"),
    ]

    operations = [
        migrations.RunPython(move_to_core, move_back_to_foodlink),
        migrations.DeleteModel(name="Notification"),
    ]
