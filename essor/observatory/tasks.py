"""Background work of the observatory (django_tasks, run by `manage.py essor_worker`): the yearly
report as a job followed on core's job page, and the refresh of the stored tables."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django_tasks import task

from essor.core import jobs
from essor.core.formats import file_size
from essor.core.models import Job
from essor.observatory import selectors, services
from essor.observatory.models import AnnualReport

logger = logging.getLogger(__name__)
JOB_KIND = "observatory.annual_report"


def enqueue_annual_report(*, year: int, user) -> Job:
    report = services.start_report(year=year, actor=user)
    job = jobs.create_job(
        kind=JOB_KIND,
        label=f"Rapport annuel de l'ESS {year}",
        created_by=user,
        parameters={"year": year, "report_id": report.pk},
    )
    AnnualReport.objects.filter(pk=report.pk).update(job=job)
    run_annual_report.enqueue(job.pk)
    return job


@task()
def run_annual_report(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    report = AnnualReport.objects.get(pk=job.parameters["report_id"])
    jobs.start_job(job)

    def progress(done: int, total: int, message: str) -> None:
        jobs.update_progress(job, done=done, total=total, message=message)

    try:
        content = services.build_report_pdf(year=report.year, progress=progress)
        services.store_report(report=report, content=content)
    except Exception:
        logger.exception("Rapport annuel %s : erreur inattendue", job_id)
        jobs.fail_job(
            job,
            error="Le rapport n'a pas pu être produit. L'équipe technique en a été informée "
            "par le journal du serveur ; vous pouvez relancer la production.",
        )
        raise
    jobs.finish_job(
        job,
        result={
            "report_id": report.pk,
            "links": [
                {
                    "label": f"Télécharger le rapport annuel {report.year} (PDF)",
                    "url": reverse("observatory:report_download", kwargs={"pk": report.pk}),
                }
            ],
            "summary": [
                {
                    "title": "Rapport produit",
                    "rows": [
                        ["Année", str(report.year)],
                        ["Taille du fichier", file_size(report.size)],
                    ],
                }
            ],
        },
    )
    return Job.Status.SUCCEEDED


# --- The refresh of the stored tables ---------------------------------------------------------

REFRESH_QUEUED = "observatory:refresh-queued"


def request_refresh() -> bool:
    """Queues one refresh of the stale tables, after the request's commit; a second request
    within the freshness period queues none (a cache key, shared by the processes when
    `REDIS_URL` is set). True when a refresh was queued."""
    if not cache.add(REFRESH_QUEUED, True, timeout=max(60, selectors.cache_seconds())):
        return False
    transaction.on_commit(_enqueue_refresh)
    return True


def _enqueue_refresh() -> None:
    # The page is served from the stored tables anyway: a queue that refuses the task must not
    # break it (the next request, or the timer, tries again).
    try:
        refresh_observatory_tables.enqueue()
    except Exception:
        cache.delete(REFRESH_QUEUED)
        logger.exception("Observatoire : le recalcul n'a pas pu être mis en file")


@task()
def refresh_observatory_tables() -> int:
    """Computes the missing and stale tables (the number computed)."""
    try:
        summary = services.refresh_tables()
    finally:
        cache.delete(REFRESH_QUEUED)
    logger.info(
        "Observatoire : %s tableaux recalculés en %.1f s", summary.computed, summary.seconds
    )
    return summary.computed
