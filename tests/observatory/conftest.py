from tests.observatory.helpers import registry  # noqa: F401
