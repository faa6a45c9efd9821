"""Requests refused before any view sees them."""

from django.core.exceptions import SuspiciousOperation


class NulCharacterInRequest(SuspiciousOperation):
    """Django answers a SuspiciousOperation with the 400 page (and a line in django.security)."""


def _holds_nul(values) -> bool:
    return any("\x00" in value for _key, items in values.lists() for value in items) or any(
        "\x00" in key for key in values
    )


class RefuseNulCharactersMiddleware:
    """No form or link of Essor sends a NUL character, and PostgreSQL refuses it in text: a path,
    query string or posted field holding one is a 400, whichever view it was meant for."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _holds_nul(request.GET)
            or (request.method == "POST" and _holds_nul(request.POST))
        ):
            raise NulCharacterInRequest("Caractère NUL dans la requête.")
        return self.get_response(request)
