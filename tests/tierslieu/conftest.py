import pytest

from tests.tierslieu.factories import make_place


@pytest.fixture
def tl(db):
    return make_place()
