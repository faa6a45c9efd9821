"""Property-based tests (hypothesis): whatever text arrives in the fields of any form of Essor, or
in the query string of a page with filters, validation answers with errors or a page, never an
exception. tests/core/test_crafted_input.py sends each known crafted value through every page;
these draw many more values, and reach the forms no page of the test world shows."""

import importlib
import inspect
import pkgutil
from datetime import date
from urllib.parse import urlsplit

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import essor
from essor.accounts.models import Role, User
from tests.core.test_crafted_input import PAGES, _roles
from tests.crafted import CRAFTED_VALUES, OVERFLOWING_VALUES, page_forms, server_errors
from tests.foodlink.factories import ConsultationFactory
from tests.insertion.factories import make_siae
from tests.support.factories import ProjectHolderFactory
from tests.village.factories import CriterionFactory, EditionFactory, StandFactory

CRAFTED_TEXT = st.one_of(
    st.sampled_from(CRAFTED_VALUES + OVERFLOWING_VALUES),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.dates().map(str),
    st.datetimes().map(str),
    st.text(max_size=40),
)
PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    database=None,  # no example database in the repository: every run draws afresh
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for module in pkgutil.walk_packages(essor.__path__, "essor."):
        if not module.name.endswith(".forms"):
            continue
        loaded = importlib.import_module(module.name)
        found += [
            value
            for value in vars(loaded).values()
            if inspect.isclass(value)
            and issubclass(value, forms.BaseForm)
            and value.__module__ == loaded.__name__
        ]
    return sorted(found, key=lambda form: f"{form.__module__}.{form.__name__}")


def _context_kwargs(form_class, world) -> dict:
    """What each form needs beside its data, as its view gives it (the querysets and objects of
    the test world): a form whose choices come from its view cannot be built without them."""
    from essor.cigales.models import Member as CigalesMember
    from essor.foodlink.models import BuyerProfile
    from essor.funding.models import FunderProfile, Programme, Share
    from essor.insertion.models import Siae
    from essor.support.models import ProjectHolder
    from essor.territory.models import Commune
    from essor.tierslieu.models import Member as TierslieuMember
    from essor.village.models import Question, Stand
    from tests.cigales.url_access import club_of as cigales_club_of

    name = f"{form_class.__module__.split('.')[1]}.{form_class.__name__}"

    def holder():
        return ProjectHolder.objects.first() or ProjectHolderFactory()

    needs = {
        "accounts.NewAccountForm": lambda: {"email": "nouvelle@example.org"},
        "accounts.InvitationForm": lambda: {"roles": Role.values},
        "accounts.LoginForm": lambda: {"request": RequestFactory().post("/compte/connexion/")},
        "accounts.SetPasswordForm": lambda: {"user": world.users["authenticated"]},
        "accounts.PasswordChangeForm": lambda: {"user": world.users["authenticated"]},
        "directory.MergeForm": lambda: {"organisation": world.structure},
        "foodlink.ConsultationForm": lambda: {"buyers": BuyerProfile.objects.all()},
        "foodlink.OfferForm": lambda: {"consultation": ConsultationFactory()},
        "foodlink.PurchaseForm": lambda: {"buyers": BuyerProfile.objects.all()},
        "foodlink.GuideFilterForm": lambda: {"communes": Commune.objects.all()},
        "tierslieu.CrecheApplicationForm": lambda: {
            "criteria": [],
            "communes": Commune.objects.all(),
        },
        "tierslieu.InvoiceMonthForm": lambda: {"members": TierslieuMember.objects.all()},
        "funding.ShareRequestForm": lambda: {"programmes": Programme.objects.all()},
        "funding.DecisionForm": lambda: {"actions": []},
        "funding.ProgrammeForm": lambda: {
            "funders": FunderProfile.objects.all(),
            "instructors": User.objects.all(),
        },
        "funding.SessionForm": lambda: {"funders": FunderProfile.objects.all()},
        "funding.AgendaForm": lambda: {"shares": Share.objects.all()},
        "funding.DashboardForm": lambda: {"years": [2025, 2026]},
        "insertion.AnnexForm": lambda: {"siae": make_siae(world)},
        "insertion.IndicatorFilterForm": lambda: {
            "siaes": Siae.objects.all(),
            "today": date(2026, 12, 6),
        },
        "support.StageForm": lambda: {"holder": holder(), "user": world.users["agency_staff"]},
        "support.ActionForm": lambda: {"holder": holder()},
        "village.ApplicationForm": lambda: {"edition": EditionFactory()},
        "village.StandForm": lambda: {"edition": EditionFactory()},
        "village.AnimationForm": lambda: {"edition": EditionFactory()},
        "village.RouteForm": lambda: {"edition": StandFactory().edition},
        "village.StandChoiceForm": lambda: {"stands": Stand.objects.all()},
        "village.AnswerForm": lambda: {
            "question": Question(text="Q ?", choice_1="a", choice_2="b", correct=1)
        },
        "village.MarksForm": lambda: {
            "criteria": [CriterionFactory(weight=2), CriterionFactory()],
            "marks": {},
        },
        "cigales.ClubForm": lambda: {"agency": True},
        "cigales.OfficerForm": lambda: {"club": cigales_club_of(world)},
        "cigales.HandbackForm": lambda: {"club": cigales_club_of(world)},
        "cigales.MeetingForm": lambda: {"club": cigales_club_of(world)},
        "cigales.MentorsForm": lambda: {"club": cigales_club_of(world)},
        "cigales.MonthForm": lambda: {
            "members": cigales_club_of(world).members.all(),
            "last_amounts": {},
        },
        "cigales.AttendanceForm": lambda: {"members": CigalesMember.objects.all()},
        "cigales.VoteForm": lambda: {
            "present": cigales_club_of(world).members.all(),
            "current": {},
        },
        "support.MergeForm": lambda: {
            "holder": holder(),
            "candidates": ProjectHolder.objects.all(),
        },
    }
    return needs.get(name, dict)()


FORMS = _form_classes()


@pytest.mark.crafted
@pytest.mark.parametrize("form_class", FORMS, ids=lambda form: form.__name__)
def test_no_text_in_any_field_makes_a_form_raise(world, form_class):
    kwargs = _context_kwargs(form_class, world)
    names = list(form_class(**kwargs).fields)

    @PROPERTY_SETTINGS
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(names, CRAFTED_TEXT)))
    def validating_never_raises(data):
        form = form_class(data=data, **kwargs)
        assert form.is_valid() in {True, False}
        for errors in form.errors.values():
            assert all(isinstance(message, str) and message for message in errors)

    validating_never_raises()


def _filter_forms(client, world, case):
    """(user, path, parameter names) for each GET form (filters, searches) of a page, or for the
    page itself with `page` (any list may be paginated) when it has none."""
    found = []
    for role in _roles(case):
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        url = reverse(case.name, kwargs=case.kwargs(world))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found += [
            (user, urlsplit(form.action).path, [*form.fields, "page"])
            for form in page_forms(response.content.decode(), f"http://testserver{url}")
            if form.method == "get" and form.fields
        ] or [(user, url, ["page"])]
    return found


def _check_query_strings(client, user, path, names, caught):
    @PROPERTY_SETTINGS
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(names, CRAFTED_TEXT)))
    def answering_never_fails(query):
        if user is not None:
            client.force_login(user)
        response = client.get(path, query)
        assert response.status_code < 500, f"{path} {query} → {caught[-1:]}"

    answering_never_fails()


@pytest.mark.crafted
@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.name)
def test_no_query_string_makes_a_page_fail(client, world, case):
    with server_errors(client) as caught:
        for user, path, names in _filter_forms(client, world, case):
            _check_query_strings(client, user, path, names, caught)


@pytest.mark.crafted
def test_no_query_string_makes_the_directory_api_fail(client, world):
    from essor.directory.api import FiltersIn

    with server_errors(client) as caught:
        path = reverse("api:directory_organisations")
        _check_query_strings(client, None, path, list(FiltersIn.model_fields), caught)
