"""The restore drill of the operations guide (section 6), on the test database of the run (SQLite,
then PostgreSQL with DATABASE_URL): back up, destroy, restore into a new database and a new media
directory, and compare every table's row count and every file's sha256 with the originals."""

import hashlib
import json
import sqlite3
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from essor.core import backups
from essor.funding.models import Application, Attachment
from tests.factories import EstablishmentFactory, OrganisationFactory
from tests.funding.helpers import attachment

pytestmark = pytest.mark.django_db(transaction=True)


def live_counts() -> dict:
    """Every table's row count in the database of the test, read through Django."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        tables = sorted(row[0] for row in cursor.fetchall())
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def tree_hashes(root: Path) -> dict:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def pg_url(name: str) -> str:
    settings_dict = connection.settings_dict
    credentials = settings_dict["USER"] or ""
    if settings_dict["PASSWORD"]:
        credentials += f":{settings_dict['PASSWORD']}"
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def pg_connect(name: str):
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def pg_drop(name: str) -> None:
    with pg_connect("postgres") as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def restore_target(tmp_path):
    """Where the drill restores: a new PostgreSQL database (dropped afterwards) or a new SQLite
    file, as the arguments of `manage.py restore`."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
        yield {"database_url": pg_url(name), "name": name}
        pg_drop(name)
    else:
        path = tmp_path / "restored" / "essor.sqlite3"
        yield {"sqlite_path": str(path), "name": str(path)}


@pytest.fixture
def prepared_target(tmp_path):
    """The restore target of the guide's procedure. PostgreSQL: Essor's role is no superuser; a
    superuser created the empty database, owned by that role, and the extensions in it (section
    3), so the role does not own the extensions: restoring their COMMENT ON EXTENSION made
    pg_restore exit with status 1. SQLite: a new file."""
    if connection.vendor == "postgresql":
        suffix = uuid.uuid4().hex[:8]
        name, role = f"{connection.settings_dict['NAME']}_drill_{suffix}", f"essor_drill_{suffix}"
        with pg_connect("postgres") as server:
            server.execute(f'CREATE ROLE "{role}" LOGIN')
            server.execute(f'CREATE DATABASE "{name}" OWNER "{role}" TEMPLATE template0')
        with pg_connect(name) as new:
            new.execute("CREATE EXTENSION unaccent")
            new.execute("CREATE EXTENSION pg_trgm")
        settings_dict = connection.settings_dict
        host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
        yield {"database_url": f"postgres://{role}@{host}:{port}/{name}", "name": name}
        pg_drop(name)
        with pg_connect("postgres") as server:
            server.execute(f'DROP ROLE IF EXISTS "{role}"')
    else:
        path = tmp_path / "restored" / "essor.sqlite3"
        yield {"sqlite_path": str(path), "name": str(path)}


def restored_counts(target: dict) -> dict:
    if connection.vendor == "postgresql":
        with pg_connect(target["name"]) as restored:
            return backups.pg_table_counts(restored)
    database = sqlite3.connect(target["name"])
    try:
        tables = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: database.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }
    finally:
        database.close()


def some_data(world, media: Path):
    """Organisations, establishments, a funding application with an attachment stored in
    MEDIA_ROOT, and a file in a sub-directory with a non-ASCII name."""
    for _ in range(3):
        EstablishmentFactory(organisation=OrganisationFactory())
    item = attachment(world)
    (media / "observatoire" / "rapports").mkdir(parents=True)
    (media / "observatoire" / "rapports" / "rapport-2026-é.pdf").write_bytes(b"%PDF-1.7\n" * 500)
    return item


def the_backup(destination: Path) -> Path:
    made = backups.complete_backups(destination)
    assert len(made) == 1
    return made[0]


def test_drill_backup_destroy_restore_compares_every_table_and_every_file(
    world, media, prepared_target, tmp_path
):
    item = some_data(world, media)
    counts, hashes = live_counts(), tree_hashes(media)
    assert counts["funding_attachment"] == 1
    assert (media / item.file.name).is_file()

    destination = tmp_path / "sauvegardes"
    out = StringIO()
    call_command("backup", str(destination), stdout=out, stderr=StringIO())
    backup_dir = the_backup(destination)
    assert "Sauvegarde complète" in out.getvalue()

    # Disaster: the attachments' rows and every stored file are gone.
    Attachment.objects.all().delete()
    Application.objects.all().delete()
    for path in media.rglob("*"):
        if path.is_file():
            path.unlink()
    assert live_counts() != counts

    new_media = tmp_path / "media-restaure"
    out = StringIO()
    call_command(
        "restore",
        str(backup_dir),
        media_root=str(new_media),
        **{key: value for key, value in prepared_target.items() if key != "name"},
        stdout=out,
        stderr=StringIO(),
    )

    assert restored_counts(prepared_target) == counts
    assert tree_hashes(new_media) == hashes
    output = out.getvalue()
    assert "Restauration vérifiée" in output
    assert f"MEDIA_ROOT={new_media}" in output
    setting = "DATABASE_URL=" if connection.vendor == "postgresql" else "SQLITE_PATH="
    assert setting in output
    assert "systemctl stop essor essor-worker" in output
    assert "systemctl start essor essor-worker" in output


def test_the_manifest_holds_the_counts_and_checksums(world, media, tmp_path):
    some_data(world, media)
    counts, hashes = live_counts(), tree_hashes(media)

    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())

    manifest = json.loads((the_backup(tmp_path / "b") / "manifest.json").read_text())
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["database"]["tables"] == counts
    assert {name: entry["sha256"] for name, entry in manifest["media"]["files"].items()} == hashes
    assert manifest["essor"]["version"]
    assert manifest["created_at"]


def test_an_encrypted_backup_restores_with_its_passphrase(world, media, restore_target, tmp_path):
    some_data(world, media)
    counts, hashes = live_counts(), tree_hashes(media)
    passphrase = tmp_path / "phrase"
    passphrase.write_text("une phrase secrète assez longue\n")

    call_command(
        "backup",
        str(tmp_path / "b"),
        passphrase_file=str(passphrase),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    archive = the_backup(tmp_path / "b")
    assert archive.name.endswith(".tar.gpg")
    assert b"%PDF" not in archive.read_bytes()

    call_command(
        "restore",
        str(archive),
        media_root=str(tmp_path / "m"),
        passphrase_file=str(passphrase),
        **{key: value for key, value in restore_target.items() if key != "name"},
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert restored_counts(restore_target) == counts
    assert tree_hashes(tmp_path / "m") == hashes


def test_a_wrong_passphrase_restores_nothing(world, media, restore_target, tmp_path):
    some_data(world, media)
    (tmp_path / "phrase").write_text("la bonne phrase secrète\n")
    (tmp_path / "autre").write_text("une autre phrase\n")
    call_command(
        "backup",
        str(tmp_path / "b"),
        passphrase_file=str(tmp_path / "phrase"),
        stdout=StringIO(),
        stderr=StringIO(),
    )

    with pytest.raises(CommandError, match="Restauration annulée"):
        call_command(
            "restore",
            str(the_backup(tmp_path / "b")),
            media_root=str(tmp_path / "m"),
            passphrase_file=str(tmp_path / "autre"),
            **{key: value for key, value in restore_target.items() if key != "name"},
            stdout=StringIO(),
            stderr=StringIO(),
        )
    assert not (tmp_path / "m").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["autre", "b", "media", "phrase"]


def test_a_failed_database_export_leaves_nothing_and_fails(world, media, tmp_path, monkeypatch):
    """Before: pg_dump run by root (no PostgreSQL role) failed and left a 0-byte file that looked
    like a backup."""
    some_data(world, media)
    if connection.vendor == "postgresql":
        # A pg_dump that fails as it did for root: an empty output file, exit status 1.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        fake = bin_dir / "pg_dump"
        fake.write_text(
            "#!/bin/sh\n"
            'while [ $# -gt 0 ]; do [ "$1" = --file ] && : > "$2"; shift; done\n'
            "echo 'pg_dump: error: role \"root\" does not exist' >&2\nexit 1\n"
        )
        fake.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:{Path('/usr/bin')}:{Path('/bin')}")
        expected = 'role "root" does not exist'
    else:

        def unreadable(*args, **kwargs):
            raise sqlite3.OperationalError("unable to open database file")

        monkeypatch.setattr(backups.sqlite3, "connect", unreadable)
        expected = "unable to open database file"
    destination = tmp_path / "sauvegardes"

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(destination), stdout=StringIO(), stderr=StringIO())

    assert "Sauvegarde annulée, rien n'a été conservé." in str(refused.value)
    assert expected in str(refused.value)
    assert list(destination.iterdir()) == []


def test_a_failure_while_copying_the_files_removes_the_dump_too(
    world, media, tmp_path, monkeypatch
):
    some_data(world, media)

    def disk_full(source, target, progress):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"%PDF")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "_copy_hashing", disk_full)
    destination = tmp_path / "sauvegardes"

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(destination), stdout=StringIO(), stderr=StringIO())

    assert "No space left on device" in str(refused.value)
    assert list(destination.iterdir()) == []


def test_keep_prunes_the_oldest_complete_backups_only(world, media, tmp_path):
    destination = tmp_path / "sauvegardes"
    destination.mkdir()
    for stamp in ("20250101-030000", "20250102-030000", "20250103-030000"):
        (destination / f"essor-{stamp}").mkdir()
        (destination / f"essor-{stamp}" / "manifest.json").write_text("{}")
    (destination / "essor-20240101-030000.tar.gpg").write_bytes(b"chiffre")
    # Not complete backups: never counted, never removed.
    (destination / ".essor-20240101-000000.partial").mkdir()
    (destination / "essor-20240102-000000").mkdir()
    (destination / "notes.txt").write_text("à garder")

    out = StringIO()
    call_command("backup", str(destination), keep=2, stdout=out, stderr=StringIO())

    complete = [path.name for path in backups.complete_backups(destination)]
    assert len(complete) == 2
    assert complete[0] == "essor-20250103-030000"
    assert f"Sauvegarde complète : {destination / complete[1]}" in out.getvalue()
    assert {path.name for path in destination.iterdir()} == {
        *complete,
        ".essor-20240101-000000.partial",
        "essor-20240102-000000",
        "notes.txt",
    }
    assert "Ancienne sauvegarde supprimée (--keep 2)" in out.getvalue()


def test_a_destination_inside_media_root_is_refused(world, media):
    with pytest.raises(CommandError, match="est dans MEDIA_ROOT"):
        call_command("backup", str(media / "sauvegardes"), stdout=StringIO(), stderr=StringIO())
    assert not (media / "sauvegardes").exists()


def test_restore_refuses_a_media_directory_that_is_not_empty(
    world, media, restore_target, tmp_path
):
    some_data(world, media)
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    occupied = tmp_path / "occupe"
    occupied.mkdir()
    (occupied / "fichier").write_text("x")

    with pytest.raises(CommandError, match="n'est pas un dossier vide"):
        call_command(
            "restore",
            str(the_backup(tmp_path / "b")),
            media_root=str(occupied),
            **{key: value for key, value in restore_target.items() if key != "name"},
            stdout=StringIO(),
        )
    assert [path.name for path in occupied.iterdir()] == ["fichier"]
    if connection.vendor == "postgresql":
        with pg_connect("postgres") as maintenance:
            created = maintenance.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [restore_target["name"]]
            ).fetchone()
        assert created is None
    else:
        assert not Path(restore_target["name"]).exists()


def test_restore_refuses_the_database_in_service(world, media, tmp_path):
    some_data(world, media)
    call_command("backup", str(tmp_path / "b"), stdout=StringIO(), stderr=StringIO())
    if connection.vendor == "postgresql":
        target = {"database_url": pg_url(connection.settings_dict["NAME"])}
    else:
        target = {"sqlite_path": connection.settings_dict["NAME"]}

    with pytest.raises(CommandError, match="existe déjà"):
        call_command(
            "restore",
            str(the_backup(tmp_path / "b")),
            media_root=str(tmp_path / "neuf"),
            **target,
            stdout=StringIO(),
        )
    assert not (tmp_path / "neuf").exists()
