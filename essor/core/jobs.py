"""Background jobs' progress (`core.Job`): create one in the request, update it from the task.

Progress updates go through `QuerySet.update` (cheap, one query); the status moves through the
workflow engine (`Job`'s machine: started, succeeded, failed, each logged). Call them outside the
task's own `transaction.atomic` block when the progress page must see them while the work runs.

Who may follow a job (its page `core:job_detail`): its creator and the agency admins, and whoever
the rule registered for its kind allows. A module registers, from its `AppConfig.ready()`, the
same predicate its download view checks, so that whoever may download a job's result may follow
the job that builds it:

    register_job_access(JOB_KIND, lambda job, user: sees_full_observatory(user))
"""

import hashlib
from collections.abc import Callable

from django.utils import timezone

from essor.core import formats, workflow
from essor.core.models import Job
from essor.core.permissions import is_agency_admin

JobAccessRule = Callable[[Job, object], bool]  # (job, user, possibly anonymous) -> may follow it
_ACCESS_RULES: dict[str, JobAccessRule] = {}


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


def register_job_access(kind: str, rule: JobAccessRule) -> JobAccessRule:
    """Who else may follow the jobs of `kind` (`Job.kind`), besides their creator and the agency
    admins. `rule(job, user)` also receives anonymous visitors."""
    if kind in _ACCESS_RULES:
        raise ValueError(f"Une règle d'accès aux tâches « {kind} » est déjà enregistrée.")
    _ACCESS_RULES[kind] = rule
    return rule


def visible_to(job: Job, user) -> bool:
    """The job's creator, the agency admins, and whoever its kind's registered rule allows."""
    if user.is_authenticated and (job.created_by_id == user.pk or is_agency_admin(user)):
        return True
    rule = _ACCESS_RULES.get(job.kind)
    return bool(rule and rule(job, user))


def announcement(job: Job) -> str:
    """The sentence that the job page's live region reads out: the step and the percentage, then
    the end of the job."""
    if job.status == Job.Status.SUCCEEDED:
        return "La tâche est terminée."
    if job.status == Job.Status.FAILED:
        return "La tâche a échoué."
    if job.status == Job.Status.PENDING:
        return "La tâche attend son tour : elle démarrera dans un instant."
    step = (job.progress_message or "En cours").rstrip(" .…")
    if job.progress_total:
        done, total = formats.number(job.progress_done), formats.number(job.progress_total)
        return f"{step} : {done} sur {total} ({job.percent} %)."
    return f"{step}…"


def announcement_digest(text: str) -> str:
    """A short fingerprint of an announcement: the page sends back the one it shows, so that the
    polled fragment updates the live region only when the sentence changes (a screen reader may
    read a rewritten region again even when its words are the same)."""
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()
