"""Essor's own `check --deploy` errors: a published secret key, no public SITE_URL, no public
ALLOWED_HOSTS, no CSRF_TRUSTED_ORIGINS. Each fails the check with a French message and a hint."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import ERROR, Error, run_checks

from tests.core.test_env_example import systemd_environment_file

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = {
    "SITE_URL": "https://essor.example.org",
    "ALLOWED_HOSTS": ["essor.example.org"],
    "CSRF_TRUSTED_ORIGINS": ["https://essor.example.org"],
}


def _essor_errors() -> dict[str, Error]:
    return {
        message.id: message
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("essor.")
    }


@pytest.fixture
def public_settings(settings):
    for name, value in PUBLIC.items():
        setattr(settings, name, value)
    return settings


def test_a_configured_instance_has_no_essor_deploy_error(public_settings):
    assert _essor_errors() == {}


def test_the_secret_key_of_env_example_is_an_error(public_settings):
    example = systemd_environment_file((ROOT / ".env.example").read_text(encoding="utf-8"))
    public_settings.SECRET_KEY = example["SECRET_KEY"]
    error = _essor_errors()["essor.E001"]
    assert error.level == ERROR
    assert "clé publiée" in error.msg
    assert "token_urlsafe" in error.hint


def test_the_development_secret_key_is_an_error(public_settings):
    public_settings.SECRET_KEY = public_settings.DEVELOPMENT_SECRET_KEY
    assert "essor.E001" in _essor_errors()


@pytest.mark.parametrize(
    "site_url", ["", "http://127.0.0.1:8000", "http://localhost:8000", "essor.example.org"]
)
def test_a_missing_or_local_site_url_is_an_error(public_settings, site_url):
    public_settings.SITE_URL = site_url
    error = _essor_errors()["essor.E002"]
    assert "SITE_URL" in error.msg
    assert "SITE_URL=https://" in error.hint


@pytest.mark.parametrize("hosts", [[], ["127.0.0.1", "localhost", "testserver"]])
def test_allowed_hosts_without_a_public_name_is_an_error(public_settings, hosts):
    public_settings.ALLOWED_HOSTS = hosts
    error = _essor_errors()["essor.E003"]
    assert "ALLOWED_HOSTS" in error.msg
    assert "ALLOWED_HOSTS=essor.example.org" in error.hint


def test_missing_csrf_trusted_origins_is_an_error(public_settings):
    public_settings.CSRF_TRUSTED_ORIGINS = []
    error = _essor_errors()["essor.E004"]
    assert "CSRF_TRUSTED_ORIGINS" in error.msg
    assert "CSRF_TRUSTED_ORIGINS=https://" in error.hint


def test_the_essor_checks_run_only_with_deploy(public_settings):
    public_settings.CSRF_TRUSTED_ORIGINS = []
    assert not [message for message in run_checks() if message.id.startswith("essor.")]


def test_check_deploy_fails_on_an_instance_left_with_the_defaults(tmp_path):
    """Production settings without SITE_URL, ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS."""
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "essor.settings",
        "ESSOR_PRODUCTION": "1",
        "SECRET_KEY": "q8Zk1vR4-tP0s7Lw_3yN9cB2xH6mJ5dF1gA8eU0iO4rT7wQ2zX5vC9bN3mK6jH0",
        "SQLITE_PATH": str(tmp_path / "essor.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ERRORS:" in result.stderr
    for check_id in ("essor.E002", "essor.E003", "essor.E004"):
        assert check_id in result.stderr
