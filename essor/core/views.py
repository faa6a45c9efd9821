from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from essor.core import jobs
from essor.core.models import Job
from essor.core.permissions import login_required


@never_cache
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database error means "not healthy"
        return JsonResponse({"status": "erreur", "database": "injoignable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def legal_notice(request):
    return render(request, "core/legal_notice.html")


def privacy(request):
    return render(request, "core/privacy.html")


def accessibility(request):
    return render(request, "core/accessibility.html")


@never_cache
@login_required
def job_detail(request, pk: int):
    job = get_object_or_404(Job, pk=pk)
    if not jobs.visible_to(job, request.user):
        raise PermissionDenied("Vous n'avez pas accès à cette tâche.")
    return render(request, "core/job_detail.html", {"job": job})
