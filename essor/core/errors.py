"""Error pages in French and in the site's layout (handler400/403/404/500 in essor/urls.py, and
CSRF_FAILURE_VIEW).

403 and 404 are drawn like any page, with the person's navigation. 400 and 500 are drawn without
the request: a 500 may come from the database or from a context processor, and a 400 from a
request whose Host is refused, so they use only the settings and the URL configuration."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

import essor

logger = logging.getLogger(__name__)

NO_REASON = "Vous n'avez pas l'autorisation d'accéder à cette page."

# Shown when even the layout cannot be drawn: nothing here may fail.
BARE_SERVER_ERROR = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur du serveur</title>'
    "</head><body><main><h1>Erreur du serveur</h1><p>Une erreur inattendue s'est produite. "
    'Réessayez dans quelques instants.</p><p><a href="/">Aller à l\'accueil</a></p></main>'
    "</body></html>"
)


def _previous_page(request) -> str | None:
    """The page of this site the person came from (its path), if the browser said so."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    if not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    path = parts.path or "/"
    previous = f"{path}?{parts.query}" if parts.query else path
    return None if previous == request.get_full_path() else previous


def _layout_context() -> dict:
    """What the layout needs, from the settings only (the context processor may be what failed)."""
    return {
        "platform_name": settings.ESSOR_PLATFORM_NAME,
        "agency_name": settings.ESSOR_AGENCY_NAME,
        "contact_email": settings.ESSOR_CONTACT_EMAIL,
        "essor_version": essor.__version__,
    }


def bad_request(request, exception=None):
    body = loader.get_template("errors/400.html").render(_layout_context())
    return HttpResponseBadRequest(body)


def permission_denied(request, exception=None):
    reason = str(exception) if exception is not None and exception.args else ""
    context = {"reason": reason or NO_REASON, "previous_url": _previous_page(request)}
    return render(request, "errors/403.html", context, status=403)


def page_not_found(request, exception=None):
    context = {"previous_url": _previous_page(request)}
    return render(request, "errors/404.html", context, status=404)


def server_error(request):
    try:
        context = {**_layout_context(), "previous_url": _previous_page(request)}
        body = loader.get_template("errors/500.html").render(context)
    except Exception:  # the page that says something failed must not fail in turn
        logger.exception("La page d'erreur 500 n'a pas pu être affichée.")
        body = BARE_SERVER_ERROR
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    """A form sent without its security token (an expired page, or a form of another site)."""
    context = {"previous_url": _previous_page(request)}
    return render(request, "errors/403_csrf.html", context, status=403)
