"""Links to the modules, registered by each module from its `AppConfig.ready()` so that no
template changes when a module is added.

    register_nav(NavEntry("Financements", "funding:catalogue", audience=Audience.PUBLIC, order=20))

Two places show them. The page header (every page, so it must cost no query) shows the public
links, and the agency's links to agency members. The "Mon espace" dashboard shows a person's
working spaces: the signed-in links whose `visible(user)` rule holds, and the agency's links; an
entry's `detail(user)` (e.g. « 2 non lues » for the notifications) is added to its label there,
and only there.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


class Audience(StrEnum):
    PUBLIC = "public"  # everyone, signed in or not
    AUTHENTICATED = "authenticated"  # signed-in people, on their dashboard (views check rights)
    AGENCY = "agency"  # agency staff and admins


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    audience: Audience = Audience.PUBLIC
    order: int = 100
    # Optional finer rule (user -> bool), e.g. "members of an SIAE"; keep it to cached facts.
    visible: Callable[[object], bool] | None = None
    # Optional short text shown after the label on the dashboard (user -> str, "" for nothing),
    # e.g. the unread count; never computed for the header.
    detail: Callable[[object], str] | None = None


_ENTRIES: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> NavEntry:
    _ENTRIES[entry.url_name] = entry
    return entry


def _shown(entry: NavEntry, user, *, is_agency: bool, place: str) -> bool:
    authenticated = bool(user and user.is_authenticated)
    if entry.audience == Audience.AGENCY and not is_agency:
        return False
    if place == "header":
        # No per-person rule in the header: it is drawn on every page.
        return entry.audience != Audience.AUTHENTICATED and entry.visible is None
    if entry.audience == Audience.PUBLIC or not authenticated:
        return False
    return entry.visible is None or bool(entry.visible(user))


def entries_for(user, *, is_agency: bool, place: str = "header") -> list[dict]:
    """The links of `place` ("header" or "dashboard") for this person."""
    if place == "header":
        # The same for everyone but the agency: computed once per process (reversing the URLs
        # cost half a millisecond a page), with the registry and the URLconf as the key.
        links = _header_links(
            tuple(_ENTRIES.values()),
            is_agency,
            get_script_prefix(),
            get_urlconf(settings.ROOT_URLCONF),
        )
        return [dict(link) for link in links]
    return _links(_ENTRIES.values(), user, is_agency=is_agency, place=place)


@functools.lru_cache(maxsize=32)
def _header_links(entries, is_agency: bool, script_prefix: str, urlconf) -> tuple[dict, ...]:
    return tuple(_links(entries, None, is_agency=is_agency, place="header"))


def _links(entries, user, *, is_agency: bool, place: str) -> list[dict]:
    links = []
    for entry in sorted(entries, key=lambda item: (item.order, item.label)):
        if not _shown(entry, user, is_agency=is_agency, place=place):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        detail = entry.detail(user) if entry.detail and place == "dashboard" else ""
        links.append(
            {
                "label": f"{entry.label} ({detail})" if detail else entry.label,
                "url": url,
                "namespace": entry.url_name.split(":")[0],
                "detail": detail,
            }
        )
    return links
