"""Background jobs' progress (`core.Job`): create one in the request, update it from the task.

Updates go through `QuerySet.update` (cheap, one query). Call them outside the task's own
`transaction.atomic` block when the progress page must see them while the work runs.
"""

from django.db.models import F
from django.utils import timezone

from essor.core.models import Job
from essor.core.permissions import is_agency_member


def create_job(*, kind: str, label: str, created_by=None, parameters: dict | None = None) -> Job:
    return Job.objects.create(
        kind=kind,
        label=label[:255],
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        parameters=parameters or {},
    )


def start_job(job: Job) -> None:
    job.status = Job.Status.RUNNING
    job.started_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at)


def update_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    total = total if total is not None else job.progress_total
    done = min(done, total) if total is not None else done
    job.progress_done, job.progress_total = done, total
    job.progress_message = message[:255] or job.progress_message
    Job.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, progress_message=job.progress_message
    )


def finish_job(job: Job, *, result: dict) -> None:
    job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.result = result
    Job.objects.filter(pk=job.pk).update(
        status=job.status,
        finished_at=job.finished_at,
        result=result,
        progress_done=F("progress_total") if job.progress_total is not None else F("progress_done"),
    )


def fail_job(job: Job, *, error: str) -> None:
    job.status = Job.Status.FAILED
    job.finished_at = timezone.now()
    job.error = error
    Job.objects.filter(pk=job.pk).update(
        status=job.status, finished_at=job.finished_at, error=error
    )


def visible_to(job: Job, user) -> bool:
    """The job's creator and the agency may follow it."""
    return bool(user.is_authenticated and (job.created_by_id == user.pk or is_agency_member(user)))
