"""The site's URLs and error handlers, plus views that fail on purpose (for the error page tests)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from essor.urls import handler400, handler403, handler404, handler500  # noqa: F401
from essor.urls import urlpatterns as site_urlpatterns


def refused_with_a_reason(request):
    raise PermissionDenied("Vous n'avez pas accès à cette tâche.")


def refused_without_a_reason(request):
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("Invalid characters in the request")


def broken(request):
    raise RuntimeError("Panne provoquée par le test")


def failing_context_processor(request):
    raise RuntimeError("Un processeur de contexte en panne")


urlpatterns = [
    path("essais/refus-motive/", refused_with_a_reason),
    path("essais/refus/", refused_without_a_reason),
    path("essais/suspect/", suspicious),
    path("essais/panne/", broken),
    *site_urlpatterns,
]
