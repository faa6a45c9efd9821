import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _environment(**values) -> dict:
    """The test process's environment without what the browser tests set for themselves."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, **values}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = _environment(
        **{
            "DJANGO_SETTINGS_MODULE": "essor.settings",
            "ESSOR_PRODUCTION": "1",
            "DEBUG": "0",
            "SECRET_KEY": "x7!Qm2#pV9zL4@wR8&tY1^bN6*cJ3(hF5)kD0-sG_aE+uI=oP~" * 2,
            "ALLOWED_HOSTS": "essor.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://essor.example.org",
            "SITE_URL": "https://essor.example.org",
        }
    )
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(tmp_path / "essor.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = _environment(DJANGO_SETTINGS_MODULE="essor.settings", ESSOR_PRODUCTION="1")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["database"]) == ("ok", "ok")


def test_pages_carry_a_content_security_policy(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
