"""Every e-mail Essor sends goes through `send_later`: it is queued (django-tasks) once the current
transaction is committed, and a worker sends it. A page therefore never waits for the mail
server, never fails because it refused, and nothing is sent for an action that was rolled back.

    send_later(subject="…", body="…", to=["prenom.nom@example.org"])

When the mail server refuses or cannot be reached (`smtplib.SMTPException`, `OSError`: refused
connection, time-out, name resolution), `deliver_email` queues itself again after a growing
delay (ESSOR_EMAIL_RETRY_SECONDS, then ×4 each time, at most an hour), up to
ESSOR_EMAIL_MAX_ATTEMPTS attempts; after the last one it logs an error (e-mailed to ADMINS when
the mail server is back, and always in the journal). Once the message is sent, or given up, its
body is erased from the queue's table: links with a token (invitations, password resets) are not
kept in the database.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

logger = logging.getLogger(__name__)

# Errors of the mail server or of the network: worth another attempt later.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
MAX_RETRY_DELAY_SECONDS = 3600


def send_later(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    html: str | None = None,
) -> None:
    """Queue one message (plain text, optionally an HTML alternative) to be sent after the
    commit of the current transaction (at once outside a transaction)."""
    recipients = [address for address in to if address]
    if not recipients:
        return
    message = {
        "subject": subject,
        "body": body,
        "to": recipients,
        "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
    }
    if html:
        message["html"] = html
    transaction.on_commit(partial(deliver_email.enqueue, message=message, attempt=1), robust=True)


def retry_delay(attempt: int) -> timedelta:
    """The wait before attempt `attempt + 1`: ESSOR_EMAIL_RETRY_SECONDS, ×4 each time, ≤ 1 h."""
    seconds = settings.ESSOR_EMAIL_RETRY_SECONDS * 4 ** (attempt - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_DELAY_SECONDS))


def _build(message: dict) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message["subject"],
        body=message["body"],
        from_email=message["from_email"],
        to=message["to"],
    )
    if message.get("html"):
        email.attach_alternative(message["html"], "text/html")
    return email


@task(takes_context=True)
def deliver_email(context: TaskContext, *, message: dict, attempt: int) -> str:
    """Send one queued message; on a mail-server or network error, queue it again (later).
    Whatever happens, the body then leaves this task's row (a retry carries its own copy)."""
    try:
        return _attempt(message, attempt)
    finally:
        _forget_body(context, message)


def _attempt(message: dict, attempt: int) -> str:
    try:
        _build(message).send(fail_silently=False)
    except TRANSIENT_ERRORS as error:
        if attempt < settings.ESSOR_EMAIL_MAX_ATTEMPTS:
            delay = retry_delay(attempt)
            logger.warning(
                "Courriel « %s » à %s non envoyé (tentative %s sur %s : %s) ; "
                "nouvelle tentative dans %s s.",
                message["subject"],
                ", ".join(message["to"]),
                attempt,
                settings.ESSOR_EMAIL_MAX_ATTEMPTS,
                _describe(error),
                int(delay.total_seconds()),
            )
            retry = deliver_email
            if retry.get_backend().supports_defer:
                retry = retry.using(run_after=timezone.now() + delay)
            retry.enqueue(message=message, attempt=attempt + 1)
            return "nouvelle tentative"
        logger.error(
            "Courriel « %s » à %s abandonné après %s tentatives : %s. Il n'a pas été envoyé.",
            message["subject"],
            ", ".join(message["to"]),
            attempt,
            _describe(error),
        )
        return "abandonné"
    return "envoyé"


def _describe(error: Exception) -> str:
    return f"{type(error).__name__} {error}".strip()


def _forget_body(context: TaskContext, message: dict) -> None:
    """Keep the subject and recipients of a finished attempt in the queue's table, not the body
    (a link with a token may be in it); nothing to do with a backend that stores no row."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(context.task_result.task.get_backend(), DatabaseBackend):
        return
    kept = {key: message[key] for key in ("subject", "to", "from_email")}
    DBTaskResult.objects.filter(pk=context.task_result.id).update(
        args_kwargs={"args": [], "kwargs": {"message": kept, "attempt": None}}
    )
