"""Crafted input: what an attacker (or a careless script) sends instead of what a form offers.

`page_forms` reads the forms a page offers (standard library HTML parser), so that the crafted
input tests fill exactly the fields a real user would see, one field at a time, with the values
below; whatever they send, Essor must answer with a page or a French message, never a 500.
"""

import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core.signals import got_request_exception

# Each one has broken a Python or database layer somewhere: integer and decimal overflow, values
# Decimal accepts but no column stores, impossible dates, a CSV-sized cell, SQL LIKE wildcards.
# (The NUL character PostgreSQL refuses in text is refused for every request by
# core.middleware, tested in tests/core/test_nul_characters.py.)
CRAFTED_VALUES = [
    "99999999999999999999999999999",
    "-1",
    "NaN",
    "Infinity",
    "1e999",
    "1e30",
    "2026-13",
    "é" * 3000,
    "%_'\"<>",
]
# The values a lax field lets through to the database (where a column overflows) or to date
# arithmetic (the last day Python knows, plus a day): each is tried in every field alone, the other fields keeping the values the page offered.
OVERFLOWING_VALUES = ["99999999999999999999999999999", "1e30", "9999-12-31", "0001-01-01"]


def crafted_submissions(fields: dict[str, str]):
    """The data to post or query for one form: every field gets every crafted value (a value per
    field at a time, rotating, so a form is sent once per value rather than once per value and
    field), then each overflowing value alone in each field, with the other fields as offered."""
    names = sorted(fields.keys() - {"csrfmiddlewaretoken"})
    for turn in range(len(CRAFTED_VALUES)):
        yield {
            **fields,
            **{
                name: CRAFTED_VALUES[(turn + index) % len(CRAFTED_VALUES)]
                for index, name in enumerate(names)
            },
        }
    for name in names:
        for value in OVERFLOWING_VALUES:
            yield {**fields, name: value}


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def signature(self) -> tuple:
        path = urlsplit(self.action).path
        return (self.method, path, tuple(sorted(self.fields)))


class _FormReader(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, attributes.get("action") or self.page_url)
            method = (attributes.get("method") or "get").lower()
            self._form = PageForm(method=method, action=action)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = attributes.get("value", "")
            if "selected" in attributes:
                self._form.fields[self._select] = attributes.get("value", "")
            return
        if "name" not in attributes:
            return
        name = attributes["name"]
        if tag == "input":
            kind = attributes.get("type", "text").lower()
            if kind == "file":
                self._form.files.append(name)
            elif kind in {"checkbox", "radio"}:
                if "checked" in attributes or name not in self._form.fields:
                    self._form.fields[name] = attributes.get("value", "on")
            elif kind not in {"submit", "button", "reset", "image"}:
                self._form.fields[name] = attributes.get("value", "")
            elif kind == "submit":
                self._form.fields.setdefault(name, attributes.get("value", ""))
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            self._form.fields.setdefault(name, attributes.get("value", ""))
        elif tag == "select":
            self._select, self._select_first = name, None
        elif tag == "textarea":
            self._textarea = name
            self._form.fields[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._form is not None and self._select:
            self._form.fields.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(html: str, page_url: str) -> list[PageForm]:
    reader = _FormReader(page_url)
    reader.feed(html)
    return reader.forms


@contextmanager
def server_errors(client):
    """The test client answers a view's exception with a 500 (as the server would) instead of
    raising it; the list collects each exception, to name it in the failure."""
    client.raise_request_exception = False
    caught: list[str] = []

    def remember(sender, **kwargs):
        caught.append(repr(sys.exc_info()[1]))

    got_request_exception.connect(remember)
    try:
        yield caught
    finally:
        got_request_exception.disconnect(remember)
