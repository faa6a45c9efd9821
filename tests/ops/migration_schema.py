"""Migrate the database named by the environment (DATABASE_URL or SQLITE_PATH) in one of three
ways, then write its schema as JSON (for tests/ops/test_migration_drift.py, in a subprocess):

    python -m tests.ops.migration_schema oneshot|stepwise|live SCHEMA.json

- oneshot: `migrate`, every migration in one go (a new installation);
- stepwise: one migration at a time, in the order of the plan (`migrate <app> <name>` each), as a
  database upgraded release after release;
- live: like stepwise, but the migrations that used to import application code run that code
  instead (today's `install_full_text_search` for directory 0003, `listing.install` for directory
  0008), as a database migrated with today's code before those migrations were frozen. If the
  application's definitions and the migrations' ever disagree, this schema differs from the others.
"""

import json
import re
import sys

import django


def schema(connection) -> dict:
    """Tables, columns, indexes, constraints, functions, triggers… normalised and sorted (column
    order ignored: a column added later comes last, which Django never relies on)."""
    with connection.cursor() as cursor:

        def rows(sql):
            cursor.execute(sql)
            return sorted(
                [re.sub(r"\s+", " ", str(value)).strip() for value in row]
                for row in cursor.fetchall()
            )

        if connection.vendor == "sqlite":
            return {
                "objects": rows(
                    "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                    "WHERE name NOT LIKE 'sqlite_%'"
                )
            }
        return {
            "columns": rows(
                "SELECT table_name, column_name, data_type, udt_name, "
                "coalesce(character_maximum_length, -1), is_nullable, "
                "coalesce(column_default, ''), is_identity FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            ),
            "indexes": rows(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            ),
            "constraints": rows(
                "SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) "
                "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
            ),
            "functions": rows(
                "SELECT p.proname, pg_get_function_identity_arguments(p.oid), "
                "pg_get_functiondef(p.oid) FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')"
            ),
            "triggers": rows(
                "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
            ),
            "sequences": rows(
                "SELECT sequence_name, data_type FROM information_schema.sequences WHERE "
                "sequence_schema = 'public'"
            ),
            "views": rows(
                "SELECT table_name, view_definition FROM information_schema.views "
                "WHERE table_schema = 'public'"
            ),
            "extensions": rows("SELECT extname FROM pg_extension"),
            "text_search": rows(
                "SELECT c.cfgname, count(m.*) FROM pg_ts_config c "
                "LEFT JOIN pg_ts_config_map m ON m.mapcfg = c.oid GROUP BY c.cfgname"
            ),
        }


def main(mode: str, output: str) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    from essor.directory import listing, search

    if mode == "oneshot":
        call_command("migrate", verbosity=0, interactive=False)
    else:
        live = {
            ("directory", "0003_full_text_search"): search.install_full_text_search,
            ("directory", "0008_public_listing"): listing.install,
        }
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
        for migration, _backwards in plan:
            key = (migration.app_label, migration.name)
            if mode == "live" and key in live:
                with connection.schema_editor() as editor:
                    live[key](editor)
                MigrationRecorder(connection).record_applied(*key)
            else:
                call_command("migrate", *key, verbosity=0, interactive=False)
    with open(output, "w", encoding="utf-8") as file:
        json.dump(schema(connection), file, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
