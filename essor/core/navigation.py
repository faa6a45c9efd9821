"""Links of the main navigation, registered by each module from its `AppConfig.ready()` so that
the base template needs no change when a module is added.

    register_nav(NavEntry("Financements", "funding:catalogue", audience=Audience.PUBLIC, order=20))
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.urls import NoReverseMatch, reverse


class Audience(StrEnum):
    PUBLIC = "public"  # everyone, signed in or not
    AUTHENTICATED = "authenticated"  # signed-in people (the view still checks their rights)
    AGENCY = "agency"  # agency staff and admins


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    audience: Audience = Audience.PUBLIC
    order: int = 100
    # Optional finer rule (user -> bool), e.g. "members of an SIAE"; keep it to cached facts.
    visible: Callable[[object], bool] | None = None


_ENTRIES: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> NavEntry:
    _ENTRIES[entry.url_name] = entry
    return entry


def entries_for(user, *, is_agency: bool) -> list[dict]:
    authenticated = bool(user and user.is_authenticated)
    links = []
    for entry in sorted(_ENTRIES.values(), key=lambda item: (item.order, item.label)):
        if entry.audience == Audience.AUTHENTICATED and not authenticated:
            continue
        if entry.audience == Audience.AGENCY and not is_agency:
            continue
        if entry.visible is not None and not (authenticated and entry.visible(user)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        links.append({"label": entry.label, "url": url, "namespace": entry.url_name.split(":")[0]})
    return links
