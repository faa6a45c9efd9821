from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from essor.core import health, jobs, notifications
from essor.core.models import Job
from essor.core.page_cache import public_page
from essor.core.permissions import login_required


@never_cache
def healthz(request):
    """The state of the database, the background worker and its queue (`core.health`): HTTP 200
    when all is well, 503 otherwise."""
    payload = health.report()
    return JsonResponse(payload, status=200 if payload["status"] == "ok" else 503)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page names: sent to the icon the pages name
    (its hashed name is read at request time, once static files are collected)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


@public_page()
def legal_notice(request):
    return render(request, "core/legal_notice.html")


@public_page()
def privacy(request):
    return render(request, "core/privacy.html")


@public_page()
def accessibility(request):
    return render(request, "core/accessibility.html")


def _followed_job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if not jobs.visible_to(job, request.user):
        raise PermissionDenied("Vous n'avez pas accès à cette tâche.")
    return job


@never_cache
def job_detail(request, pk: int):
    # Anonymous visitors may follow a public job (the producers' booklet); for the others they
    # are sent to the login page, as by `core.permissions.require`.
    try:
        job = _followed_job(request, pk)
    except PermissionDenied:
        if request.user.is_authenticated:
            raise
        return redirect_to_login(request.get_full_path())
    return render(request, "core/job_detail.html", _job_context(job))


@never_cache
def job_progress(request, pk: int):
    """The progress block that the job page's htmx polling swaps in, and the live region's new
    sentence (out of band) when it changed; a finished job's block has no trigger, which stops
    the polling."""
    context = _job_context(_followed_job(request, pk))
    context["announce"] = request.GET.get("annonce") != context["announcement_digest"]
    return render(request, "core/job_progress_fragment.html", context)


def _job_context(job: Job) -> dict:
    text = jobs.announcement(job)
    return {"job": job, "announcement": text, "announcement_digest": jobs.announcement_digest(text)}


@login_required
@require_http_methods(["GET", "POST"])
def notifications_page(request):
    """The person's notifications from every module, newest first; « Tout marquer comme lu »."""
    if request.method == "POST":
        count = notifications.mark_read(user=request.user)
        if count:
            messages.success(request, "Toutes vos notifications sont marquées comme lues.")
        return redirect("core:notifications")
    page = Paginator(notifications.of_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
