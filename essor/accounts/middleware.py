"""A person whose password Essor generated chooses one before using Essor."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """Every page leads a signed-in person with `must_change_password` to the password-change
    page (which says why), except that page itself, signing out, static files and the health
    check. The flag is cleared when the person sets a password (User.set_password)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            change = reverse("accounts:password_change")
            allowed = (change, reverse("accounts:logout"), reverse("core:healthz"))
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect(change)
        return self.get_response(request)
