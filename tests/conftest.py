import importlib

import pytest
from django.apps import apps
from django.core.cache import caches
from django.test import TestCase

from essor.accounts.models import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

# The browser fixtures (one Playwright and one chromium for the whole session), for every package.
pytest_plugins = ["tests.browser_support"]

PASSWORD = "mot-de-passe-solide-123"


def committed():
    """A block at whose end its on-commit callbacks run, as after the commit of a request or a
    command (pytest-django keeps each test inside one transaction, never committed): the e-mails
    queued inside it with `core.mail.send_later` are then sent (the tests' task backend runs a
    task at once) and found in `mail.outbox`."""
    return TestCase.captureOnCommitCallbacks(execute=True)


class World:
    """One person per role, and the organisations they belong to."""

    def __init__(self):
        self.agency = OrganisationFactory(name="Agence ESS du Dunkerquois", is_agency=True)
        self.funder = OrganisationFactory(
            name="Communauté urbaine de Dunkerque",
            legal_category="7346",
            is_ess=False,
            ess_family="",
        )
        self.structure = OrganisationFactory(name="Les Jardins du Littoral")
        self.other_structure = OrganisationFactory(name="Vélo Solidaire Dunkerquois")
        self.users = {
            "anonymous": None,
            "authenticated": UserFactory(email="sans-role@example.org"),
            "agency_admin": self._member(Role.AGENCY_ADMIN, self.agency),
            "agency_staff": self._member(Role.AGENCY_STAFF, self.agency),
            "funder_instructor": self._member(Role.FUNDER_INSTRUCTOR, self.funder),
            "organisation_admin": self._member(Role.ORGANISATION_ADMIN, self.structure),
            "organisation_member": self._member(Role.ORGANISATION_MEMBER, self.structure),
        }

    @staticmethod
    def _member(role, organisation):
        return MembershipFactory(
            user=UserFactory(email=f"{role}@example.org"), organisation=organisation, role=role
        ).user


ROLES = [
    "anonymous",
    "authenticated",
    "agency_admin",
    "agency_staff",
    "funder_instructor",
    "organisation_admin",
    "organisation_member",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Some pages keep computed tables in the cache: no test sees another test's."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def agency_client(client, world):
    client.force_login(world.users["agency_staff"])
    return client


REFERENCE_DATA_MIGRATIONS = [
    ("essor.directory.migrations.0002_sectors", "create_sectors"),
    ("essor.territory.migrations.0002_cud_communes", "load_cud"),
]


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """Transactional tests (live server, concurrency) flush every table, including the rows the
    data migrations loaded (sectors, the CUD's communes): load them again for those tests."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not (
        marker.kwargs.get("transaction") or "live_server" in request.fixturenames
    ):
        return
    request.getfixturevalue("transactional_db")
    for module_name, function_name in REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module_name), function_name)(apps, None)
