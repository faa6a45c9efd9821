"""The PDF booklet of the producers' guide, rebuilt in the background (core.Job + django_tasks)
and stored under MEDIA_ROOT/foodlink/guide/ (a random name; served by `booklet_download`)."""

import logging
import secrets
import time
from pathlib import Path

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from essor.core import jobs
from essor.core.exports import render_pdf
from essor.core.models import Job
from essor.foodlink import selectors

logger = logging.getLogger(__name__)
JOB_KIND = "foodlink.booklet"
BOOKLET_DIRECTORY = Path("foodlink") / "guide"


def enqueue_booklet(*, user) -> Job:
    job = jobs.create_job(
        kind=JOB_KIND, label="Livret PDF du guide des producteurs locaux", created_by=user
    )
    build_booklet_task.enqueue(job.pk)
    return job


def may_follow_booklet_job(job: Job, user) -> bool:
    """The booklet is public (`booklet_download` checks nobody): anyone may follow its build."""
    return True


def latest_booklet() -> Job | None:
    return (
        Job.objects.filter(kind=JOB_KIND, status=Job.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def running_booklet() -> Job | None:
    return (
        Job.objects.filter(kind=JOB_KIND, status__in=[Job.Status.PENDING, Job.Status.RUNNING])
        .order_by("-pk")
        .first()
    )


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=3, border=1)


def build_booklet(*, progress=None) -> dict:
    """Renders the booklet (cover, introduction, producers by commune and family with a QR code
    to each producer's page, index); returns {"path": relative to MEDIA_ROOT, "producers": n}."""
    started = time.monotonic()
    today = timezone.localdate()
    sections, producers = selectors.booklet_sections(today=today)
    total = len(producers) + 1
    base = settings.SITE_URL.rstrip("/")
    for done, producer in enumerate(producers, start=1):
        producer.page_url = base + reverse("foodlink:producer", kwargs={"pk": producer.pk})
        producer.qr = qr_data_uri(producer.page_url)
        producer.anchor = f"producteur-{producer.pk}"
        if progress and (done % 25 == 0 or done == len(producers)):
            progress(done, total, f"QR codes : {done} sur {len(producers)}")
    index = sorted(producers, key=lambda producer: producer.organisation.name.lower())
    if progress:
        progress(len(producers), total, "Mise en page du PDF…")
    content = render_pdf(
        "foodlink/pdf/booklet.html",
        {
            "sections": sections,
            "index": index,
            "count": len(producers),
            "today": today,
            "platform_name": settings.ESSOR_PLATFORM_NAME,
            "agency_name": settings.ESSOR_AGENCY_NAME,
            "guide_url": base + reverse("foodlink:guide"),
        },
    )
    # A random part in the name: no stored file's name can be guessed (see core/files.py).
    relative = (
        BOOKLET_DIRECTORY
        / f"guide-producteurs-{timezone.localdate():%Y%m%d}-{secrets.token_urlsafe(16)}.pdf"
    )
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return {
        "path": str(relative),
        "producers": len(producers),
        "size": len(content),
        "seconds": round(time.monotonic() - started, 1),
    }


@task()
def build_booklet_task(job_id: int) -> str:
    job = Job.objects.get(pk=job_id)
    jobs.start_job(job)

    def progress(done, total, message):
        jobs.update_progress(job, done=done, total=total, message=message)

    try:
        result = build_booklet(progress=progress)
    except Exception as error:  # the job page tells the agency; the log keeps the details
        logger.exception("Livret du guide des producteurs : échec")
        jobs.fail_job(job, error=f"Le livret n'a pas pu être construit : {error}")
        return Job.Status.FAILED
    result["links"] = [
        {"label": "Télécharger le livret (PDF)", "url": reverse("foodlink:booklet_download")}
    ]
    jobs.finish_job(job, result=result)
    remove_older_booklets(keep=result["path"])
    return Job.Status.SUCCEEDED


def remove_older_booklets(*, keep: str) -> int:
    """Deletes the booklets built before `keep` (relative to MEDIA_ROOT): only the latest is
    served, and each weighs megabytes. Returns the number deleted."""
    directory = Path(settings.MEDIA_ROOT) / BOOKLET_DIRECTORY
    removed = 0
    for path in directory.glob("guide-producteurs-*.pdf"):
        if path.name != Path(keep).name:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
