"""No server error on crafted input: every field of every form a page offers, and its query
parameters, filled with values no form would send (tests/crafted.py). Essor answers each with a
page, a 400/404 or a French message; a 500 names the page, the field and the value."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.core.test_url_access import CASES
from tests.crafted import PageForm, crafted_submissions, page_forms, server_errors

# The roles whose pages differ most: the agency, a funder, a structure; other roles only where none
# of those three may open the page.
ROLE_PREFERENCE = [
    "agency_admin",
    "funder_instructor",
    "organisation_admin",
    "agency_staff",
    "organisation_member",
    "authenticated",
    "anonymous",
]
# Forms that end the visit rather than take input.
SKIPPED_ACTIONS = ("/compte/deconnexion/",)
PAGES = [case for case in CASES if 200 in case.expect.values()]


def _roles(case) -> list[str]:
    allowed = [role for role in ROLE_PREFERENCE if case.expect[role] == 200]
    main = [role for role in allowed if role in ROLE_PREFERENCE[:3]]
    return main or allowed[:1]


def _send(client, form: PageForm, data: dict):
    action = urlsplit(form.action)
    if form.method == "get":
        return client.get(action.path, data)
    path = action.path + (f"?{action.query}" if action.query else "")
    return client.post(path, data)


@pytest.mark.crafted
@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.name)
def test_no_field_of_a_page_turns_a_crafted_value_into_a_server_error(client, world, case):
    failures, seen = [], set()
    with server_errors(client) as caught:
        url = reverse(case.name, kwargs=case.kwargs(world))
        for role in _roles(case):
            user = world.users[role]
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            forms = page_forms(response.content.decode(), f"http://testserver{url}")
            forms.append(PageForm("get", f"http://testserver{url}", {"page": "2"}))
            for form in forms:
                if form.signature in seen or form.action.endswith(SKIPPED_ACTIONS):
                    continue
                seen.add(form.signature)
                for data in crafted_submissions(form.fields):
                    if user is not None:
                        client.force_login(user)
                    answer = _send(client, form, data)
                    if answer.status_code >= 500:
                        sent = {
                            name: value[:20]
                            for name, value in data.items()
                            if value != form.fields.get(name)
                        }
                        failures.append(
                            f"{role} {form.method.upper()} {urlsplit(form.action).path} "
                            f"{sent} → {answer.status_code} {caught[-1:]}"
                        )
    assert not failures, "\n".join(failures)


CRAFTED_PATH_VALUES = [str(2**70), "0", "9" * 5000]
PLACEHOLDER = 1357


@pytest.mark.crafted
@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.name)
def test_no_number_in_a_path_turns_a_crafted_value_into_a_server_error(client, world, case):
    """An identifier, a year or a month in the URL itself: too large for the database, for a
    date, or for Python's conversion of text to int (more than 4,300 digits)."""
    kwargs = case.kwargs(world)
    numbers = [name for name, value in kwargs.items() if isinstance(value, int)]
    failures = []
    with server_errors(client) as caught:
        for role in _roles(case):
            user = world.users[role]
            if user is not None:
                client.force_login(user)
            for name in numbers:
                # A number every converter takes stands in for the crafted one, which the
                # converter may refuse to write (the point is to send it all the same).
                template = reverse(case.name, kwargs={**kwargs, name: PLACEHOLDER})
                for value in CRAFTED_PATH_VALUES:
                    url = template.replace(str(PLACEHOLDER), value)
                    answer = client.get(url)
                    if answer.status_code >= 500:
                        failures.append(f"{role} GET {url[:120]} → {caught[-1:]}")
    assert not failures, "\n".join(failures)
