"""In production the database is named explicitly: a DATABASE_URL set in a shell without `export`
used to leave Essor on a fresh SQLite file in the repository, and `migrate` built it silently."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "essor" / "settings.py"
A_REAL_KEY = "q8Zk1vR4-tP0s7Lw_3yN9cB2xH6mJ5dF1gA8eU0iO4rT7wQ2zX5vC9bN3mK6jH0"


def _load_settings(monkeypatch, **environment) -> dict:
    for name in ("DEBUG", "SECRET_KEY", "ESSOR_PRODUCTION", "DATABASE_URL", "SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_production_without_a_database_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="la base de données doit être désignée"):
        _load_settings(monkeypatch, ESSOR_PRODUCTION="1", SECRET_KEY=A_REAL_KEY)


def test_production_with_a_sqlite_path_starts(monkeypatch, tmp_path):
    path = str(tmp_path / "essor.sqlite3")
    settings = _load_settings(
        monkeypatch, ESSOR_PRODUCTION="1", SECRET_KEY=A_REAL_KEY, SQLITE_PATH=path
    )
    assert settings["DATABASES"]["default"]["NAME"] == path


def test_production_with_a_database_url_starts(monkeypatch):
    settings = _load_settings(
        monkeypatch,
        ESSOR_PRODUCTION="1",
        SECRET_KEY=A_REAL_KEY,
        DATABASE_URL="postgres://essor:x@127.0.0.1:5432/essor",
    )
    assert settings["DATABASES"]["default"]["NAME"] == "essor"


def test_development_keeps_the_repository_sqlite_file(monkeypatch):
    settings = _load_settings(monkeypatch, DEBUG="1")
    assert settings["DATABASES"]["default"]["NAME"].endswith("var/essor.sqlite3")


def test_migrate_with_an_unexported_database_url_fails_loudly(tmp_path):
    """`DATABASE_URL=…` on its own line, then `manage.py migrate`: the variable is not exported."""
    env = {
        "PATH": os.environ["PATH"],
        "ESSOR_PRODUCTION": "1",
        "SECRET_KEY": A_REAL_KEY,
        "DJANGO_SETTINGS_MODULE": "essor.settings",
    }
    script = (
        "DATABASE_URL=postgres://essor:x@127.0.0.1:5432/essor\n"
        f'"{sys.executable}" manage.py migrate --noinput\n'
    )
    result = subprocess.run(
        ["sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "la base de données doit être désignée" in result.stderr
    assert "Applying" not in result.stdout
