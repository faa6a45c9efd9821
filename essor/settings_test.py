"""Settings for the test suite: the same as production code paths, with fast hashing and
background tasks run immediately (so a test sees a job's outcome without a worker)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

# The tests run with DEBUG off, where Essor refuses a missing or public secret key: they bring one
# of their own (exported, so that the commands the tests start in a subprocess have it too).
os.environ.setdefault("SECRET_KEY", "essor-tests-only-" + "k3Vq9sLm2XwPz7Rt4Yb8Nc1Hd6Fg0Ja5")

from essor.settings import *  # noqa: F403

# SQLite: a file, not the default in-memory database. In memory, SQLite shares one cache between
# connections and answers « table is locked » at once to a second writer, where a real database
# waits for the lock (IMMEDIATE transactions): concurrency tests must see the real behaviour.
# In RAM when the machine has /dev/shm; pytest-xdist adds a suffix per worker.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _ram = Path("/dev/shm")  # noqa: S108 — a private directory is made inside it
    _test_dir = tempfile.mkdtemp(prefix="essor-test-db-", dir=_ram if _ram.is_dir() else None)
    atexit.register(shutil.rmtree, _test_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("SQLITE_TEST_PATH", str(Path(_test_dir) / "test.sqlite3"))
    }

# Uploaded and generated files of the tests go to a temporary directory, never var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="essor-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
# No public page is served from the cache: a test sees the data it changed, however it changed it
# (tests/core/test_page_cache.py turns the cache on).
PUBLIC_PAGE_CACHE_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
