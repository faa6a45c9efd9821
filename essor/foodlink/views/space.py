"""The person's space in foodlink, the same for producers and canteens: home and notifications."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from essor.core.permissions import is_agency_member, login_required
from essor.foodlink import selectors, services


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
            "notifications": list(selectors.unread_notifications(user)[:10]),
            "pending_count": selectors.pending_revisions().count() if is_agency_member(user) else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.mark_notifications_read(user=request.user)
        messages.success(request, "Toutes vos notifications sont marquées comme lues.")
        return redirect("foodlink:notifications")
    page = Paginator(request.user.foodlink_notifications.all(), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "foodlink/notifications.html", {"page": page})
