import pytest
from django.core.cache import cache

from tests.observatory.helpers import registry  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_table_cache():
    """Pages keep computed tables in the cache: each test starts without any."""
    cache.clear()
    yield
    cache.clear()
