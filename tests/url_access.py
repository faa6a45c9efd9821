"""The access matrix: what every URL pattern answers to every role.

Each test package declares its URLs in a module named `url_access.py` holding
`URL_ACCESS = [UrlCase(...), ...]`; tests/core/test_url_access.py walks every URL pattern of the
project with every role, and fails when a pattern has no case (so a new URL needs an entry).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ANON_LOGIN = 302  # anonymous users are sent to the login page

PUBLIC = dict.fromkeys(
    [
        "anonymous",
        "authenticated",
        "agency_admin",
        "agency_staff",
        "funder_instructor",
        "organisation_admin",
        "organisation_member",
    ],
    200,
)
LOGGED_IN = {**PUBLIC, "anonymous": ANON_LOGIN}
AGENCY_ONLY = {
    "anonymous": ANON_LOGIN,
    "authenticated": 403,
    "agency_admin": 200,
    "agency_staff": 200,
    "funder_instructor": 403,
    "organisation_admin": 403,
    "organisation_member": 403,
}
AGENCY_ADMIN_ONLY = {**AGENCY_ONLY, "agency_staff": 403}
# The structure's own admins, and the agency.
ORGANISATION_ADMIN = {**AGENCY_ONLY, "organisation_admin": 200}


@dataclass
class UrlCase:
    name: str  # "namespace:url_name"
    expect: dict[str, int]  # role -> status code of a GET
    kwargs: Callable = field(default=lambda world: {})  # world -> URL kwargs
    query: str = ""  # query string appended to the URL
    note: str = ""
