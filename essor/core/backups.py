"""Backups of the database and of the stored files (MEDIA_ROOT), and their restoration into a new
database and a new media directory (`manage.py backup`, `manage.py restore`).

A backup is one directory, `essor-AAAAMMJJ-HHMMSS/`, holding the database (`database.dump`, made
by `pg_dump -Fc`, or `database.sqlite3`), the stored files (`media/`) and `manifest.json` (Essor's
version and commit, the date, the engine, every table's row count, every file's size and
sha256). With a passphrase it is one encrypted file instead, `essor-AAAAMMJJ-HHMMSS.tar.gpg`.

Order: the database first, in one snapshot (pg_dump's snapshot, exported from a transaction in
which the row counts are taken; SQLite's online backup API, the counts read from the copy), then
the files. Files are only ever added under a new name, never rewritten in place: every file a row
of the dump points to was written before the dump, so the copy made afterwards holds it. (A file
uploaded after the dump is copied too and simply referenced by no row of this backup.)

Nothing partial is left: the backup is written under a hidden temporary name in the destination,
verified (the dump is non-empty and `pg_restore --list` reads it, or SQLite's integrity check
passes; every counted table is in it; every file copied has its size), and only then renamed to
its final name. On any failure the temporary output is removed and `BackupError` carries a French
message for the administrator.
"""

import contextlib
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connections

from essor.core.formats import counted

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
NAME = re.compile(r"^essor-\d{8}-\d{6}(\.tar\.gpg)?$")
# The PostgreSQL extensions Essor's migrations create (directory 0003: unaccent; funding 0003:
# pg_trgm): created in the new database before the dump is restored into it.
PG_EXTENSIONS = ("unaccent", "pg_trgm")
CHUNK = 1024 * 1024

Progress = Callable[[int], None]


class BackupError(Exception):
    """A backup or a restoration that could not be completed (the message is for the
    administrator, in French)."""


def _noop(_: int) -> None:
    return None


# --- Helpers -----------------------------------------------------------------------------------


def essor_version() -> dict:
    """Essor's version (pyproject.toml) and, when the code is a git checkout, its commit and tag."""
    info = {"version": None, "commit": None, "describe": None}
    with (
        contextlib.suppress(OSError, tomllib.TOMLDecodeError, KeyError),
        open(settings.BASE_DIR / "pyproject.toml", "rb") as file,
    ):
        info["version"] = tomllib.load(file)["project"]["version"]
    git = shutil.which("git")
    if git and (settings.BASE_DIR / ".git").exists():
        for key, arguments in (
            ("commit", ["rev-parse", "HEAD"]),
            ("describe", ["describe", "--tags", "--always", "--dirty"]),
        ):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                result = subprocess.run(  # noqa: S603
                    [git, "-C", str(settings.BASE_DIR), *arguments],
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                )
                if result.returncode == 0:
                    info[key] = result.stdout.strip()
    return info


def _sha256(path: Path, progress: Progress = _noop) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            progress(len(chunk))
    return digest.hexdigest()


def _copy_hashing(source: Path, target: Path, progress: Progress) -> tuple[int, str]:
    """Copy a file, returning its size and the sha256 of the bytes written."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(CHUNK):
            writer.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            progress(len(chunk))
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def media_files(root: Path) -> list[Path]:
    """The regular files under `root` (relative paths, sorted); symbolic links are not followed."""
    if not root.is_dir():
        return []
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root))
    return found


def _run(command: list[str], *, env: dict | None = None, what: str, **kwargs):
    """Run a program; a missing program or a non-zero exit status is a BackupError."""
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(
            f"{what} : le programme « {command[0]} » est introuvable sur cette machine "
            "(installez le paquet postgresql-client ou gnupg)."
        )
    try:
        result = subprocess.run(  # noqa: S603
            [program, *command[1:]],
            env={**os.environ, **(env or {})},
            capture_output=True,
            check=False,
            **kwargs,
        )
    except OSError as error:
        raise BackupError(f"{what} : {error}") from error
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip() if result.stderr else ""
        raise BackupError(
            f"{what} : échec (code de sortie {result.returncode}).\n{detail}".rstrip()
        )
    return result


def pg_environment(settings_dict: dict) -> dict:
    """The libpq environment (PGHOST, PGUSER, PGPASSWORD…) of a Django database's settings, so
    that pg_dump and pg_restore connect as Essor does, whoever runs them (root has no role)."""
    env = {
        "PGDATABASE": settings_dict.get("NAME") or "",
        "PGUSER": settings_dict.get("USER") or "",
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
    }
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    # Empty values would override a ~/.pgpass or a service file: leave them out.
    return {key: value for key, value in env.items() if value}


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Le manifeste nomme un fichier hors du dossier des fichiers : {name!r}.")
    return path


# --- Backup ------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    pruned: list[Path]


def _pg_count_and_dump(settings_dict: dict, target: Path, say: Callable[[str], None]) -> dict:
    """Dump the PostgreSQL database with pg_dump in the snapshot of a transaction that also counts
    every table's rows: the counts are exactly those of the dump."""
    import psycopg  # PostgreSQL only

    try:
        raw = _pg_connect(settings_dict, settings_dict["NAME"])
    except psycopg.Error as error:
        raise BackupError(f"Connexion à la base PostgreSQL impossible : {error}") from error
    with raw:
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = raw.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = [
            row[0]
            for row in raw.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            counts[table] = raw.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
        say(f"Base PostgreSQL : {len(tables)} tables, instantané {snapshot}. Export (pg_dump)…")
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target)],
            env=pg_environment(settings_dict),
            what="Export de la base (pg_dump)",
        )
        raw.execute("COMMIT")
    if not target.exists() or target.stat().st_size == 0:
        raise BackupError("Export de la base (pg_dump) : le fichier produit est vide.")
    listing = _run(
        ["pg_restore", "--list", str(target)], what="Vérification de l'export (pg_restore --list)"
    ).stdout.decode("utf-8", "replace")
    data = set(re.findall(r" TABLE DATA public (\S+) ", listing))
    missing = sorted(table for table in tables if table not in data)
    if missing:
        raise BackupError(
            "Vérification de l'export : les données de ces tables manquent : " + ", ".join(missing)
        )
    return counts


def sqlite_counts(path: Path) -> tuple[dict, str]:
    """Every table's row count in an SQLite file, and its integrity check's answer."""
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [
            row[0]
            for row in database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            table: database.execute(
                'SELECT count(*) FROM "{}"'.format(table.replace('"', '""'))  # noqa: S608
            ).fetchone()[0]
            for table in tables
        }
    finally:
        database.close()
    return counts, integrity


def _sqlite_dump(settings_dict: dict, target: Path, say: Callable[[str], None]) -> dict:
    """Copy the SQLite database with its online backup API (a consistent copy while Essor runs),
    then count every table in the copy and check its integrity."""
    source_path = settings_dict["NAME"]
    if not Path(source_path).is_file():
        raise BackupError(f"La base SQLite {source_path} est introuvable.")
    say(f"Base SQLite {source_path} : copie en ligne…")
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy, pages=1024)
        finally:
            copy.close()
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"Copie de la base SQLite impossible : {error}") from error
    counts, integrity = sqlite_counts(target)
    if integrity != "ok":
        raise BackupError(f"La copie de la base SQLite est endommagée : {integrity}")
    if not counts:
        raise BackupError("La copie de la base SQLite ne contient aucune table.")
    return counts


def _copy_media(
    media_root: Path, target: Path, progress_factory: Callable[[int], Progress]
) -> dict:
    files = media_files(media_root)
    total = 0
    for relative in files:
        with contextlib.suppress(OSError):
            total += (media_root / relative).stat().st_size
    progress = progress_factory(total)
    manifest = {}
    target.mkdir()
    for relative in files:
        try:
            size, digest = _copy_hashing(media_root / relative, target / relative, progress)
        except FileNotFoundError:
            continue  # removed since the listing: no row of the dump can point to it
        manifest[relative.as_posix()] = {"size": size, "sha256": digest}
    for name, entry in manifest.items():
        if (target / name).stat().st_size != entry["size"]:
            raise BackupError(f"Copie du fichier {name} incomplète.")
    return manifest


def _gpg(home: str, passphrase_file: Path, *arguments: str) -> list[str]:
    program = shutil.which("gpg")
    if program is None:
        raise BackupError(
            "Chiffrement : le programme « gpg » est introuvable sur cette machine (installez le "
            "paquet gnupg)."
        )
    return [
        program,
        "--homedir",
        home,
        "--batch",
        "--yes",
        "--quiet",
        "--pinentry-mode",
        "loopback",
        "--passphrase-file",
        str(passphrase_file),
        *arguments,
    ]


class _HashingWriter:
    """A write-only stream that hashes what goes through it."""

    def __init__(self, stream):
        self.stream, self.digest = stream, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.stream.write(data)
        return len(data)


def _finish(process: subprocess.Popen, errors, what: str) -> None:
    if process.wait() != 0:
        errors.seek(0)
        detail = errors.read().decode("utf-8", "replace").strip()
        raise BackupError(f"{what} : échec (code de sortie {process.returncode}).\n{detail}")


def _encrypt(directory: Path, target: Path, passphrase_file: Path) -> None:
    """directory → a tar stream piped into `gpg --symmetric` (AES256), checked by decrypting the
    result and comparing the stream's sha256 (nothing clear is written besides `directory`)."""
    with (
        tempfile.TemporaryDirectory(prefix="essor-gpg-") as home,
        tempfile.TemporaryFile() as errors,
    ):
        command = _gpg(home, passphrase_file, "--symmetric", "--cipher-algo", "AES256")
        process = subprocess.Popen(  # noqa: S603
            [*command, "--output", str(target)], stdin=subprocess.PIPE, stderr=errors
        )
        writer = _HashingWriter(process.stdin)
        try:
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                for path in sorted(directory.iterdir()):
                    tar.add(path, arcname=path.name)
        except BrokenPipeError:
            pass  # gpg stopped: its status and message say why
        finally:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()
        _finish(process, errors, "Chiffrement (gpg)")
        decrypted = hashlib.sha256()
        errors.seek(0)
        errors.truncate()
        process = subprocess.Popen(  # noqa: S603
            _gpg(home, passphrase_file, "--decrypt", str(target)),
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        while chunk := process.stdout.read(CHUNK):
            decrypted.update(chunk)
        process.stdout.close()
        _finish(process, errors, "Vérification du chiffrement (gpg --decrypt)")
        if decrypted.hexdigest() != writer.digest.hexdigest():
            raise BackupError("Chiffrement (gpg) : l'archive déchiffrée diffère de l'originale.")


def _decrypt_into(source: Path, passphrase_file: Path, unpacked: Path) -> None:
    """Decrypt a .tar.gpg and unpack its tar stream into `unpacked` (no clear archive on disk)."""
    with (
        tempfile.TemporaryDirectory(prefix="essor-gpg-") as home,
        tempfile.TemporaryFile() as errors,
    ):
        process = subprocess.Popen(  # noqa: S603
            _gpg(home, passphrase_file, "--decrypt", str(source)),
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            with tarfile.open(fileobj=process.stdout, mode="r|") as tar:
                tar.extractall(unpacked, filter="data")
        except tarfile.TarError as error:
            process.kill()
            process.wait()
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip()
            raise BackupError(
                f"Déchiffrement (gpg) de {source} impossible (phrase secrète ?).\n{detail}"
            ) from error
        finally:
            process.stdout.close()
        _finish(process, errors, "Déchiffrement (gpg)")


def complete_backups(destination: Path) -> list[Path]:
    """The complete backups in `destination`, oldest first (their names carry their date)."""
    if not destination.is_dir():
        return []
    found = []
    for path in destination.iterdir():
        if not NAME.match(path.name):
            continue
        directory = path.is_dir() and (path / MANIFEST).is_file()
        if directory or (path.is_file() and path.name.endswith(".tar.gpg")):
            found.append(path)
    return sorted(found, key=lambda path: path.name)


def prune(destination: Path, keep: int) -> list[Path]:
    """Remove the oldest complete backups beyond the `keep` most recent ones."""
    backups = complete_backups(destination)
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return removed


def backup(
    destination: Path,
    *,
    keep: int | None = None,
    passphrase_file: Path | None = None,
    using: str = "default",
    say: Callable[[str], None] = lambda message: None,
    progress_factory: Callable[[int], Progress] = lambda total: _noop,
    now: datetime.datetime | None = None,
) -> BackupResult:
    """Back up the database then the stored files into `destination`; see the module's doc."""
    destination = Path(destination)
    if keep is not None and keep < 1:
        raise BackupError("--keep doit valoir au moins 1 (la sauvegarde qu'on vient de faire).")
    if passphrase_file is not None and not Path(passphrase_file).is_file():
        raise BackupError(f"Le fichier de phrase secrète {passphrase_file} est introuvable.")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    if destination.resolve().is_relative_to(media_root):
        raise BackupError(
            f"Le dossier de destination {destination} est dans MEDIA_ROOT ({media_root}) : "
            "chaque sauvegarde copierait les précédentes. Choisissez un dossier à part."
        )
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Dossier de destination inutilisable : {error}") from error
    stamp = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y%m%d-%H%M%S")
    name = f"essor-{stamp}"
    final = destination / (name + (".tar.gpg" if passphrase_file else ""))
    if final.exists():
        raise BackupError(f"Une sauvegarde {final} existe déjà ; relancez dans une seconde.")
    settings_dict = connections[using].settings_dict
    vendor = connections[using].vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"Moteur de base non pris en charge : {vendor}.")
    partial = destination / f".{name}.partial"
    encrypted_partial = destination / f".{name}.tar.gpg.partial"
    try:
        partial.mkdir()
        if vendor == "postgresql":
            database_file = PG_DUMP
            counts = _pg_count_and_dump(settings_dict, partial / PG_DUMP, say)
        else:
            database_file = SQLITE_COPY
            counts = _sqlite_dump(settings_dict, partial / SQLITE_COPY, say)
        say("Copie des fichiers envoyés (MEDIA_ROOT)…")
        files = _copy_media(Path(settings.MEDIA_ROOT), partial / MEDIA_DIR, progress_factory)
        manifest = {
            "format": 1,
            "essor": essor_version(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "order": "database, then media",
            "database": {
                "engine": vendor,
                "name": str(settings_dict.get("NAME")),
                "file": database_file,
                "sha256": _sha256(partial / database_file),
                "tables": counts,
            },
            "media": {"root": str(settings.MEDIA_ROOT), "directory": MEDIA_DIR, "files": files},
        }
        with open(partial / MANIFEST, "w", encoding="utf-8") as file:
            json.dump(manifest, file, ensure_ascii=False, indent=2, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        if passphrase_file:
            say("Chiffrement (gpg)…")
            _encrypt(partial, encrypted_partial, Path(passphrase_file))
            os.replace(encrypted_partial, final)
            shutil.rmtree(partial)
        else:
            os.replace(partial, final)
    except BaseException as error:
        shutil.rmtree(partial, ignore_errors=True)
        encrypted_partial.unlink(missing_ok=True)
        if isinstance(error, BackupError):
            raise BackupError(f"Sauvegarde annulée, rien n'a été conservé.\n{error}") from error
        if isinstance(error, OSError):
            raise BackupError(
                f"Sauvegarde annulée, rien n'a été conservé.\nErreur d'écriture : {error}"
            ) from error
        raise
    try:
        pruned = prune(destination, keep) if keep else []
    except OSError as error:
        raise BackupError(
            f"Sauvegarde complète ({final}), mais la suppression des plus anciennes (--keep "
            f"{keep}) a échoué : {error}"
        ) from error
    return BackupResult(path=final, manifest=manifest, pruned=pruned)


# --- Restore -----------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    database: str
    media_root: Path
    next_steps: list[str]


def _open_backup(source: Path, passphrase_file: Path | None, workdir: Path) -> Path:
    """The backup's directory (decrypted and unpacked into `workdir` when it is a .tar.gpg)."""
    if source.is_dir():
        if not (source / MANIFEST).is_file():
            raise BackupError(f"{source} n'est pas une sauvegarde d'Essor (pas de {MANIFEST}).")
        return source
    if not source.is_file():
        raise BackupError(f"Sauvegarde introuvable : {source}.")
    if passphrase_file is None:
        raise BackupError(f"{source} est une sauvegarde chiffrée : donnez --passphrase-file.")
    unpacked = workdir / "backup"
    _decrypt_into(source, Path(passphrase_file), unpacked)
    if not (unpacked / MANIFEST).is_file():
        raise BackupError(f"L'archive {source} ne contient pas de {MANIFEST}.")
    return unpacked


def _pg_connect(settings_dict: dict, dbname: str):
    import psycopg

    env = pg_environment({**settings_dict, "NAME": dbname})
    keys = {
        "PGDATABASE": "dbname",
        "PGUSER": "user",
        "PGPASSWORD": "password",
        "PGHOST": "host",
        "PGPORT": "port",
        "PGSSLMODE": "sslmode",
    }
    return psycopg.connect(
        **{keys[key]: value for key, value in env.items() if key in keys}, autocommit=True
    )


def pg_table_counts(connection) -> dict:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    return {
        table: connection.execute(
            'SELECT count(*) FROM "{}"'.format(table.replace('"', '""'))  # noqa: S608
        ).fetchone()[0]
        for table in tables
    }


def _restore_pg(backup_dir: Path, manifest: dict, database_url: str, say) -> str:
    import dj_database_url
    import psycopg

    target = dj_database_url.parse(database_url)
    if "postgresql" not in target["ENGINE"]:
        raise BackupError("--database-url doit désigner une base PostgreSQL (postgres://…).")
    dbname = target["NAME"]
    env = pg_environment(target)
    created = False
    try:
        maintenance = _pg_connect(target, "postgres")
    except psycopg.Error:
        try:  # a server without the `postgres` database, or a role refused there
            maintenance = _pg_connect(target, "template1")
        except psycopg.Error as error:
            raise BackupError(f"Connexion au serveur PostgreSQL impossible : {error}") from error
    with maintenance:
        exists = maintenance.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
        ).fetchone()
    if exists:
        with _pg_connect(target, dbname) as existing:
            tables = existing.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            ).fetchone()[0]
        if tables:
            raise BackupError(
                f"La base {dbname} existe déjà et n'est pas vide : restaurez dans une base "
                "nouvelle (jamais par-dessus la base en service)."
            )
    else:
        say(f"Création de la base {dbname} (createdb)…")
        _run(
            ["createdb", "--encoding=UTF8", "--template=template0", dbname],
            env=env,
            what="Création de la base (createdb)",
        )
        created = True
    try:
        say("Extensions " + ", ".join(PG_EXTENSIONS) + "…")
        with _pg_connect(target, dbname) as new:
            for extension in PG_EXTENSIONS:
                new.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        say("Restauration de la base (pg_restore)…")
        # --no-owner/--no-privileges: everything belongs to the role that restores;
        # --no-comments: COMMENT ON EXTENSION needs the extension's owner (pg_restore used to
        # stop with status 1 on them); --single-transaction: all or nothing, any error fails.
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--no-comments",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                dbname,
                str(backup_dir / manifest["database"]["file"]),
            ],
            env=env,
            what="Restauration de la base (pg_restore)",
        )
        with _pg_connect(target, dbname) as new:
            counts = pg_table_counts(new)
        _compare_counts(manifest["database"]["tables"], counts)
    except BaseException:
        if created:
            with contextlib.suppress(BackupError):
                _run(["dropdb", "--if-exists", dbname], env=env, what="Suppression (dropdb)")
        raise
    return dbname


def _restore_sqlite(backup_dir: Path, manifest: dict, sqlite_path: Path, say) -> str:
    if sqlite_path.exists():
        raise BackupError(
            f"{sqlite_path} existe déjà : restaurez dans un fichier nouveau (jamais par-dessus "
            "la base en service)."
        )
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    partial = sqlite_path.with_name(f".{sqlite_path.name}.partial")
    say(f"Restauration de la base SQLite dans {sqlite_path}…")
    try:
        shutil.copyfile(backup_dir / manifest["database"]["file"], partial)
        counts, integrity = sqlite_counts(partial)
        if integrity != "ok":
            raise BackupError(f"La base restaurée est endommagée : {integrity}")
        _compare_counts(manifest["database"]["tables"], counts)
        os.replace(partial, sqlite_path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return str(sqlite_path)


def _without_password(url: str) -> str:
    """The URL to print: its password replaced by « MOT-DE-PASSE » (it is in the env file)."""
    return re.sub(r"^([a-z]+://[^:/@]+):.*@", r"\1:MOT-DE-PASSE@", url)


def _compare_counts(expected: dict, found: dict) -> None:
    differences = [
        f"{table} : {expected.get(table, 'absente')} attendues, {found.get(table, 'absente')} "
        "trouvées"
        for table in sorted(set(expected) | set(found))
        if expected.get(table) != found.get(table)
    ]
    if differences:
        raise BackupError(
            "La base restaurée ne correspond pas au manifeste :\n" + "\n".join(differences)
        )


def _restore_media(
    backup_dir: Path, manifest: dict, media_root: Path, progress_factory, say
) -> None:
    if media_root.exists() and (not media_root.is_dir() or any(media_root.iterdir())):
        raise BackupError(
            f"{media_root} existe déjà et n'est pas un dossier vide : restaurez les fichiers "
            "dans un dossier nouveau."
        )
    files = manifest["media"]["files"]
    source = backup_dir / manifest["media"]["directory"]
    partial = media_root.with_name(f".{media_root.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    say(f"Restauration de {counted(len(files), 'fichier')} dans {media_root}…")
    progress = progress_factory(sum(entry["size"] for entry in files.values()))
    try:
        partial.mkdir(parents=True)
        for name, entry in sorted(files.items()):
            relative = _safe_relative(name)
            size, digest = _copy_hashing(source / relative, partial / relative, progress)
            if size != entry["size"] or digest != entry["sha256"]:
                raise BackupError(f"Le fichier {name} ne correspond pas au manifeste (sha256).")
        extra = {path.as_posix() for path in media_files(partial)} - set(files)
        if extra:
            raise BackupError("Fichiers inattendus : " + ", ".join(sorted(extra)))
        if media_root.exists():
            media_root.rmdir()
        os.replace(partial, media_root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def restore(
    source: Path,
    *,
    media_root: Path,
    database_url: str | None = None,
    sqlite_path: Path | None = None,
    passphrase_file: Path | None = None,
    say: Callable[[str], None] = lambda message: None,
    progress_factory: Callable[[int], Progress] = lambda total: _noop,
) -> RestoreResult:
    """Restore a backup into a NEW database and a NEW media directory, then verify them against
    the manifest (every table's count, every file's sha256)."""
    source, media_root = Path(source), Path(media_root).absolute()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    # Next to the new media directory: an encrypted backup is unpacked there, not in /tmp.
    with tempfile.TemporaryDirectory(prefix=".essor-restore-", dir=media_root.parent) as workdir:
        backup_dir = _open_backup(source, passphrase_file, Path(workdir))
        with open(backup_dir / MANIFEST, encoding="utf-8") as file:
            manifest = json.load(file)
        engine = manifest["database"]["engine"]
        expected_sha = manifest["database"]["sha256"]
        if _sha256(backup_dir / manifest["database"]["file"]) != expected_sha:
            raise BackupError("Le fichier de la base ne correspond pas au manifeste (sha256).")
        if engine == "postgresql":
            if not database_url:
                raise BackupError(
                    "Sauvegarde PostgreSQL : donnez la base nouvelle avec "
                    "--database-url postgres://…/nom_de_la_nouvelle_base."
                )
            # The files first: a refused media directory must not leave a new database behind.
            _restore_media(backup_dir, manifest, media_root, progress_factory, say)
            try:
                database = _restore_pg(backup_dir, manifest, database_url, say)
            except BaseException:
                shutil.rmtree(media_root, ignore_errors=True)
                raise
            setting = f"DATABASE_URL={_without_password(database_url)}"
        else:
            if not sqlite_path:
                raise BackupError(
                    "Sauvegarde SQLite : donnez le fichier nouveau avec --sqlite-path CHEMIN."
                )
            sqlite_path = Path(sqlite_path).absolute()
            if sqlite_path.exists():
                raise BackupError(
                    f"{sqlite_path} existe déjà : restaurez dans un fichier nouveau (jamais "
                    "par-dessus la base en service)."
                )
            _restore_media(backup_dir, manifest, media_root, progress_factory, say)
            try:
                database = _restore_sqlite(backup_dir, manifest, sqlite_path, say)
            except BaseException:
                shutil.rmtree(media_root, ignore_errors=True)
                raise
            setting = f"SQLITE_PATH={sqlite_path}"
    next_steps = [
        "Arrêtez Essor et la file de tâches : sudo systemctl stop essor essor-worker",
        "Dans /etc/essor/essor.env, faites pointer Essor sur les copies restaurées, les deux "
        f"ensemble : {setting} et MEDIA_ROOT={media_root} (gardez l'ancienne base et l'ancien "
        "dossier intacts tant que la restauration n'est pas validée).",
        "Chargez l'environnement (set -a; . /etc/essor/essor.env; set +a), puis appliquez les "
        "migrations si le code est plus récent que la sauvegarde : "
        ".venv/bin/python manage.py migrate --noinput",
        "Vérifiez : .venv/bin/python manage.py check --deploy",
        "Redémarrez : sudo systemctl start essor essor-worker",
    ]
    return RestoreResult(
        manifest=manifest, database=database, media_root=media_root, next_steps=next_steps
    )
