"""The demo data (accounts with a published password) are never loaded on a production instance."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from essor.accounts.models import User
from essor.directory.models import Organisation

ROOT = Path(__file__).resolve().parents[2]
A_REAL_KEY = "q8Zk1vR4-tP0s7Lw_3yN9cB2xH6mJ5dF1gA8eU0iO4rT7wQ2zX5vC9bN3mK6jH0"


@pytest.mark.django_db
def test_load_demo_refuses_on_a_production_instance(settings):
    settings.ESSOR_PRODUCTION = True
    with pytest.raises(CommandError, match="configurée pour la production"):
        call_command("load_demo")
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_load_demo_if_empty_refuses_too(settings):
    settings.ESSOR_PRODUCTION = True
    with pytest.raises(CommandError, match="ESSOR_PRODUCTION=1"):
        call_command("load_demo", "--if-empty")


@pytest.mark.parametrize("debug", ["0", "1"])
def test_load_demo_exits_in_error_with_the_production_environment(tmp_path, debug):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "essor.settings",
        "ESSOR_PRODUCTION": "1",
        "DEBUG": debug,
        "SECRET_KEY": A_REAL_KEY,
        "SQLITE_PATH": str(tmp_path / "essor.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "jamais sur une instance de production" in result.stderr
