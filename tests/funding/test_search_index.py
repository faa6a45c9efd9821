"""The instruction list's text search has an index on each database."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {
            constraint
            for constraint, info in connection.introspection.get_constraints(cursor, table).items()
            if info["index"]
        }


def test_the_search_column_has_its_index_on_this_database():
    expected = {"funding_app_search"}
    if connection.vendor == "postgresql":
        expected.add("funding_app_search_trgm")  # trigram GIN for « contains »
    assert expected <= _indexes("funding_application")
