"""REDIS_URL gives a cache shared between processes: the `redis` client library is installed (it
was not, and the first page using the cache failed as soon as REDIS_URL was set)."""

import runpy
import uuid
from pathlib import Path

from django.core.cache import caches
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/15",
    }
}


def test_redis_url_selects_the_redis_cache(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = runpy.run_path(str(ROOT / "essor" / "settings.py"))
    assert settings["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }


def test_redis_url_shares_the_public_pages_between_processes_too(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = runpy.run_path(str(ROOT / "essor" / "settings.py"))
    assert settings["CACHES"]["pages"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": "pages",
    }


def test_the_redis_cache_stores_and_returns_a_value():
    key = f"essor-test-{uuid.uuid4().hex}"
    with override_settings(CACHES=REDIS_CACHE):
        cache = caches["default"]
        try:
            cache.set(key, {"montant": 23000}, timeout=60)
            assert cache.get(key) == {"montant": 23000}
        finally:
            cache.delete(key)
