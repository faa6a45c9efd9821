"""Security settings: the secret key a public text gives away is refused, and browsers are told
which powerful features the pages may not use."""

import re
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "essor" / "settings.py"
A_REAL_KEY = "q8Zk1vR4-tP0s7Lw_3yN9cB2xH6mJ5dF1gA8eU0iO4rT7wQ2zX5vC9bN3mK6jH0"


def _example_secret_key() -> str:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.search(r"^SECRET_KEY=(.+)$", text, re.MULTILINE).group(1).strip()


def _load_settings(monkeypatch, **environment) -> dict:
    """Runs essor/settings.py afresh with this environment (the loaded settings stay as they are)."""
    for name in ("DEBUG", "SECRET_KEY", "ESSOR_PRODUCTION", "ESSOR_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_debug_off_without_a_secret_key_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY doit être défini"):
        _load_settings(monkeypatch, DEBUG="0")


def test_debug_off_with_the_built_in_development_key_refuses_to_start(monkeypatch):
    built_in = _load_settings(monkeypatch, DEBUG="1")["SECRET_KEY"]
    with pytest.raises(ImproperlyConfigured, match="clé publique"):
        _load_settings(monkeypatch, DEBUG="0", SECRET_KEY=built_in)


def test_debug_off_with_the_key_of_env_example_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="clé publique"):
        _load_settings(monkeypatch, DEBUG="0", SECRET_KEY=_example_secret_key())


def test_debug_on_may_use_the_built_in_development_key(monkeypatch):
    assert _load_settings(monkeypatch, DEBUG="1")["SECRET_KEY"]


def test_debug_off_with_a_key_of_its_own_starts(monkeypatch):
    assert _load_settings(monkeypatch, DEBUG="0", SECRET_KEY=A_REAL_KEY)["SECRET_KEY"] == A_REAL_KEY


DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb")


@pytest.mark.django_db
@pytest.mark.parametrize("feature", DENIED_FEATURES)
def test_pages_deny_powerful_browser_features(client, feature):
    policy = client.get(reverse("home"))["Permissions-Policy"]
    assert f"{feature}=()" in policy


def test_a_deployment_may_open_a_feature_to_its_own_pages(monkeypatch):
    settings = _load_settings(
        monkeypatch, DEBUG="1", PERMISSIONS_POLICY_ALLOW_SELF="camera, geolocation"
    )
    assert settings["PERMISSIONS_POLICY"]["camera"] == ["self"]
    assert settings["PERMISSIONS_POLICY"]["geolocation"] == ["self"]
    assert settings["PERMISSIONS_POLICY"]["microphone"] == []


def test_a_trusted_proxy_that_is_not_an_address_refuses_to_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="« nginx » n'est ni une adresse IP"):
        _load_settings(monkeypatch, DEBUG="1", ESSOR_TRUSTED_PROXIES="127.0.0.1,nginx")
