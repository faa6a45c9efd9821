"""Background jobs' progress (`core.Job`): create one in the request, update it from the task.

Progress updates go through `QuerySet.update` (cheap, one query); the status moves through the
workflow engine (`Job`'s machine: started, succeeded, failed, each logged). Call them outside the
task's own `transaction.atomic` block when the progress page must see them while the work runs.
"""

from django.utils import timezone

from essor.core import workflow
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
    job.started_at = timezone.now()
    workflow.perform(job.start, actor=None, save_fields=("started_at",))


def update_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    total = total if total is not None else job.progress_total
    done = min(done, total) if total is not None else done
    job.progress_done, job.progress_total = done, total
    job.progress_message = message[:255] or job.progress_message
    Job.objects.filter(pk=job.pk).update(
        progress_done=done, progress_total=total, progress_message=job.progress_message
    )


def finish_job(job: Job, *, result: dict) -> None:
    job.finished_at = timezone.now()
    job.result = result
    if job.progress_total is not None:
        job.progress_done = job.progress_total
    workflow.perform(
        job.succeed, actor=None, save_fields=("finished_at", "result", "progress_done")
    )


def fail_job(job: Job, *, error: str) -> None:
    job.finished_at = timezone.now()
    job.error = error
    workflow.perform(job.fail, actor=None, save_fields=("finished_at", "error"))


def visible_to(job: Job, user) -> bool:
    """The job's creator and the agency may follow it."""
    return bool(user.is_authenticated and (job.created_by_id == user.pk or is_agency_member(user)))
