"""The person's space in foodlink, the same for producers and canteens: their home (their
unread notifications on it; the page of every notification is core's)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from essor.core import notifications
from essor.core.permissions import is_agency_member, login_required
from essor.foodlink import selectors


@login_required
@require_GET
def home(request):
    user = request.user
    buyers = list(selectors.buyers_of(user))
    producers = list(selectors.producers_of(user).select_related("organisation"))
    return render(
        request,
        "foodlink/home.html",
        {
            "buyers": buyers,
            "producers": producers,
            "notifications": list(notifications.unread(user)[:10]),
            "pending_count": selectors.pending_revisions().count() if is_agency_member(user) else 0,
        },
    )
