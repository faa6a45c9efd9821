"""The site's URLs, plus public pages that count how many times they were rendered (for
tests/core/test_page_cache.py)."""

from collections import Counter

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotFound
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import include, path

from essor.core.page_cache import public_page

RENDERED = Counter()


def _rendered(name: str) -> HttpResponse:
    RENDERED[name] += 1
    return HttpResponse(f"{name} rendu {RENDERED[name]} fois")


@public_page("funding")
def plain(request):
    return _rendered("plain")


@public_page("funding")
def with_csrf_token(request):
    get_token(request)
    return _rendered("with_csrf_token")


@public_page("funding")
def with_cookie(request):
    response = _rendered("with_cookie")
    response.set_cookie("choix", "1")
    return response


@public_page("funding")
def not_found(request):
    RENDERED["not_found"] += 1
    return HttpResponseNotFound("introuvable")


@public_page("funding")
def private(request):
    response = _rendered("private")
    response["Cache-Control"] = "private"
    return response


@public_page("funding")
def queues_a_message(request):
    messages.info(request, "Votre choix est noté.")
    return _rendered("queues_a_message")


def leave_a_message(request):
    messages.info(request, "Vous êtes déconnecté.")
    return redirect("directory:search")


urlpatterns = [
    path("essai/simple/", plain),
    path("essai/jeton/", with_csrf_token),
    path("essai/cookie/", with_cookie),
    path("essai/introuvable/", not_found),
    path("essai/prive/", private),
    path("essai/message/", queues_a_message),
    path("essai/laisser-un-message/", leave_a_message),
    path("", include("essor.urls")),
]
