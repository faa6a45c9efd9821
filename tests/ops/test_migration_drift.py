"""Upgrades without drift: a database migrated one release at a time, or migrated with the code of
its day, has the schema of a new installation (tables, columns, indexes, constraints, functions,
triggers), on the engine of the run (SQLite, then PostgreSQL with DATABASE_URL).

Before: directory 0008 ran `essor.directory.listing.install` as it was on the day of each
migration, so a database migrated before the map's GiST index and the listing's new columns
(commits 0e73720 and 4a57ed2) kept the old listing; migration 0011 now converges it."""

import ast
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

# Django serialises these by reference into the migrations it writes (field validators, a
# default's callable, an upload path's callable, a manager with use_in_migrations): they are part
# of a field's definition, not code the migration runs, and must stay importable under these
# names for as long as a migration names them.
ALLOWED_REFERENCES = {
    ("essor.core.validators", "validate_siren"),
    ("essor.core.validators", "validate_siret"),
    ("essor.core.validators", "validate_rna"),
    ("essor.core.validators", "validate_insee_commune_code"),
    ("essor.core.validators", "validate_no_nir"),
    ("essor.accounts.models", "UserManager"),
    ("essor.funding.models", "attachment_path"),
    ("essor.village.models", "new_passport_code"),
    ("essor.village.models", "new_secret"),
}


def migration_files() -> list[Path]:
    return sorted(
        path for path in (ROOT / "essor").glob("*/migrations/*.py") if path.name != "__init__.py"
    )


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def live_code_uses(path: Path) -> list[str]:
    """What a migration uses of Essor's application code beyond the allowed references."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "essor":
            if ".migrations" not in node.module:
                found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "essor" and alias.asname:
                    found.append(f"line {node.lineno}: import {alias.name} as {alias.asname}")
        elif isinstance(node, ast.Attribute) and not isinstance(parents.get(node), ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted.startswith("essor."):
                module, _, name = dotted.rpartition(".")
                if (module, name) not in ALLOWED_REFERENCES:
                    found.append(f"line {node.lineno}: {dotted}")
    return found


def test_no_migration_runs_application_code():
    offenders = {
        str(path.relative_to(ROOT)): uses
        for path in migration_files()
        if (uses := live_code_uses(path))
    }
    assert offenders == {}


def test_the_static_check_catches_a_live_import(tmp_path):
    migration = tmp_path / "0099_example.py"
    migration.write_text(
        "import essor.directory.listing\n"
        "from essor.directory import search\n"
        "def forwards(apps, schema_editor):\n"
        "    essor.directory.listing.install(schema_editor)\n"
    )
    uses = live_code_uses(migration)
    assert any("from essor.directory import" in use for use in uses)
    assert any("essor.directory.listing.install" in use for use in uses)


# --- Migrating fresh databases in a subprocess ------------------------------------------------


def _pg(name: str):
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """migrated(mode) → the schema of a new database migrated that way (see migration_schema);
    each way once per module (the whole project's migrations take 10 to 40 seconds)."""
    created, schemas = [], {}
    tmp_path = tmp_path_factory.mktemp("drift")

    def migrate(mode: str) -> dict:
        if mode in schemas:
            return schemas[mode]
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "essor.settings_test"}
        if connection.vendor == "postgresql":
            name = f"essor_drift_{uuid.uuid4().hex[:10]}"
            with _pg("postgres") as server:
                server.execute(f'CREATE DATABASE "{name}"')
            created.append(name)
            settings_dict = connection.settings_dict
            credentials = settings_dict["USER"] or ""
            if settings_dict["PASSWORD"]:
                credentials += f":{settings_dict['PASSWORD']}"
            env["DATABASE_URL"] = (
                f"postgres://{credentials}@{settings_dict['HOST'] or '127.0.0.1'}:"
                f"{settings_dict['PORT'] or 5432}/{name}"
            )
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(tmp_path / f"{mode}.sqlite3")
        output = tmp_path / f"{mode}.json"
        result = subprocess.run(
            [sys.executable, "-m", "tests.ops.migration_schema", mode, str(output)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        schemas[mode] = json.loads(output.read_text())
        return schemas[mode]

    yield migrate
    if created:
        with _pg("postgres") as server:
            for name in created:
                server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def differences(expected: dict, found: dict) -> dict:
    return {
        kind: {
            "missing": [row for row in expected[kind] if row not in found.get(kind, [])],
            "unexpected": [row for row in found.get(kind, []) if row not in expected[kind]],
        }
        for kind in expected
        if expected[kind] != found.get(kind)
    }


def test_migrating_one_step_at_a_time_gives_the_schema_of_a_new_installation(migrated):
    assert differences(migrated("oneshot"), migrated("stepwise")) == {}


def test_a_database_migrated_with_the_code_of_its_day_converges(migrated):
    """The state of a database migrated with today's listing.py and search.py run by 0003 and
    0008 (as they were before being frozen) ends where a new installation does; and the
    definitions of those modules are what the migrations build."""
    new = migrated("oneshot")
    if connection.vendor == "postgresql":
        indexes = {row[1] for row in new["indexes"]}
        assert "directory_establishment_map_position" in indexes
        columns = {(row[0], row[1]) for row in new["columns"]}
        assert ("directory_public_listing", "diffusible") in columns
    assert differences(new, migrated("live")) == {}
