"""The public pages, rendered once for every anonymous visitor.

A public page is the same for all anonymous visitors: it is kept in the `pages` cache and served
from there, without a query or a template, until what it shows may have changed:

- each cached view names the apps whose data it shows (`@public_page("directory", "territory")`);
  each app has a version, stored with the page (read with it in one round trip to the cache),
  which is served only while the versions are the same. Any save, delete or many-to-many change
  of a model of an app of Essor gives the app a new version (signals, at once and again after the
  commit, so that no request reading between the two keeps the old page); services that write
  without signals (`bulk_create`, `QuerySet.update`, raw SQL) call `changed("app")` themselves;
- the day changes (a page may say what is in season or which edition is next);
- `PUBLIC_PAGE_CACHE_SECONDS` pass: the bound for what no signal reaches. With the default
  per-process cache (locmem), a write seen by one gunicorn process does not reach the others'
  caches: they serve the page as it was for at most this long. With `REDIS_URL` every process
  shares the pages and the versions, and a change shows on the next request
  (docs/exploitation/guide-exploitation.md).

Never served from the cache nor stored: signed-in people (their pages name them, and they must
see their own changes at once), a request other than GET, a visitor with a message waiting
(« Vous êtes déconnecté »). Never stored: a response other than 200, a streamed one, one that sets
a cookie, one whose rendering asked for the CSRF token (a form posting to Essor: the token is the
visitor's own), changed the session or queued a message, or that says `Cache-Control: private` or
`no-store`. Headers added by the middleware (security, CSP, `Vary`) are added to every response,
cached or not, since the cache sits at the view.

The test settings set `PUBLIC_PAGE_CACHE_SECONDS = 0` (nothing cached): the tests of a page see
its data as they change it; tests/core/test_page_cache.py enables it.
"""

import functools
import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language

CACHE_ALIAS = "pages"
_MISSING = object()
_VERSION_KEY = "page-version:{}"


def _cache():
    return caches[CACHE_ALIAS]


def _new_version() -> int:
    # A clock, never a counter: a version evicted from the cache comes back as a new value,
    # never as one an older page was stored under.
    return time.time_ns()


def _set_versions(app_labels) -> None:
    version = _new_version()
    _cache().set_many({_VERSION_KEY.format(label): version for label in app_labels}, None)


def changed(*app_labels: str) -> None:
    """The data of these apps changed: their pages are rendered again at the next request."""
    _set_versions(app_labels)
    # Again after the commit: a page rendered between the write and the commit (from the data
    # before it) would otherwise be kept under the new version.
    transaction.on_commit(lambda: _set_versions(app_labels), robust=True)


def _versions(app_labels: tuple[str, ...], *, also: tuple[str, ...] = ()) -> tuple[list, dict]:
    """The apps' versions (a new one for an app that has none), and the values of the keys
    `also`, read in the same round trip to the cache (Redis: one request per page)."""
    keys = [_VERSION_KEY.format(label) for label in app_labels]
    found = _cache().get_many([*also, *keys])
    missing = [key for key in keys if key not in found]
    if missing:
        version = _new_version()
        for key in missing:
            _cache().add(key, version, None)
        found.update(_cache().get_many(missing))
    return [found.get(key, 0) for key in keys], {key: found[key] for key in also if key in found}


def kept(name: str, app_labels: tuple[str, ...], compute):
    """`compute()`, kept in the cache until the data of `app_labels` change (or for
    PUBLIC_PAGE_CACHE_SECONDS): what a page computes from slow-changing data, such as the choices
    of its filters, for the requests the page cache does not serve (signed-in people, a new
    search). The value must pickle."""
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return compute()
    versions = ",".join(map(str, _versions(app_labels)[0]))
    key = f"kept:{name}:{versions}"
    value = _cache().get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        _cache().set(key, value, settings.PUBLIC_PAGE_CACHE_SECONDS)
    return value


def _key(request) -> str:
    parts = [
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        get_language() or "",
        timezone.localdate().isoformat(),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _servable(request) -> bool:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
        return False
    if request.user.is_authenticated:
        return False
    # Counting the messages reads them without marking them shown: they stay for the page.
    return not len(messages.get_messages(request))


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {
        directive.split("=")[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the CSRF token was asked for
        return False
    if getattr(request, "session", None) is not None and request.session.modified:
        return False
    storage = getattr(request, "_messages", None)
    return not getattr(storage, "_queued_messages", None)


def public_page(*app_labels: str):
    """Serve this view's page to anonymous visitors from the cache; `app_labels`: the apps
    whose data the page shows (none for a page that changes only with the code)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _servable(request):
                return view(request, *args, **kwargs)
            key = _key(request)
            versions, found = _versions(app_labels, also=(key,))
            # A page is stored with the versions read before it was rendered: a write since
            # (another version) renders it again.
            if key in found and found[key][0] == versions:
                _, content, headers = found[key]
                return HttpResponse(content, headers=headers)
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                _cache().set(
                    key,
                    (versions, response.content, dict(response.items())),
                    settings.PUBLIC_PAGE_CACHE_SECONDS,
                )
            return response

        return wrapper

    return decorator


@functools.cache
def _essor_apps() -> frozenset[str]:
    return frozenset(
        config.label for config in apps.get_app_configs() if config.name.startswith("essor.")
    )


def _on_write(sender, **kwargs) -> None:
    # Every app of Essor, whether or not a page of this process names it: a background worker
    # or a command changes the versions that the web processes read (with a shared cache).
    if sender._meta.app_label in _essor_apps():
        changed(sender._meta.app_label)


def _on_m2m(sender, action, **kwargs) -> None:
    if action.startswith("post_"):
        _on_write(sender)


post_save.connect(_on_write, dispatch_uid="core.page_cache.save")
post_delete.connect(_on_write, dispatch_uid="core.page_cache.delete")
m2m_changed.connect(_on_m2m, dispatch_uid="core.page_cache.m2m")
