"""Every e-mail goes through `core.mail.send_later`: queued after the commit, sent by the worker,
tried again later when the mail server refuses or cannot be reached, logged as an error after the
last attempt; a page never fails because of the mail server."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult

from essor.accounts.models import Invitation, Role
from essor.core.mail import deliver_email, retry_delay, send_later
from tests.conftest import committed
from tests.core import mail_backends

pytestmark = pytest.mark.django_db
REFUSING = "tests.core.mail_backends.RefusingBackend"
UNREACHABLE = "tests.core.mail_backends.UnreachableBackend"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _no_attempts_yet():
    mail_backends.ATTEMPTS.clear()
    yield
    mail_backends.ATTEMPTS.clear()


def _message(**overrides):
    return {"subject": "Sujet", "body": "Corps", "to": ["claire@example.org"], **overrides}


@pytest.mark.parametrize("backend", [REFUSING, UNREACHABLE])
def test_an_invitation_is_saved_and_the_page_answers_when_the_mail_server_fails(
    client, world, settings, backend
):
    settings.EMAIL_BACKEND = backend
    client.force_login(world.users["organisation_admin"])

    with committed():
        response = client.post(
            reverse("accounts:invite", kwargs={"pk": world.structure.pk}),
            {"email": "nouvelle@example.org", "role": Role.ORGANISATION_MEMBER},
        )

    assert response.status_code == 302
    assert Invitation.objects.get().email == "nouvelle@example.org"
    assert mail_backends.ATTEMPTS  # the worker tried, and will try again later


def test_a_message_is_queued_at_the_commit_not_before():
    with committed():
        send_later(**_message())
        assert mail.outbox == []

    assert [(message.subject, message.to, message.body) for message in mail.outbox] == [
        ("Sujet", ["claire@example.org"], "Corps")
    ]


def test_no_message_is_sent_for_a_rolled_back_transaction():
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        send_later(**_message())
        raise RuntimeError("action refusée")

    assert mail.outbox == []


def test_the_sender_is_the_platforms_unless_another_is_given(settings):
    settings.DEFAULT_FROM_EMAIL = "Essor <ne-pas-repondre@example.org>"

    with committed():
        send_later(**_message())
        send_later(**_message(from_email="agence@example.org"))

    assert [message.from_email for message in mail.outbox] == [
        "Essor <ne-pas-repondre@example.org>",
        "agence@example.org",
    ]


def test_a_refused_message_is_queued_again_after_a_delay(settings, caplog):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = REFUSING
    settings.ESSOR_EMAIL_RETRY_SECONDS = 60
    first = deliver_email.enqueue(message=_message(from_email="a@example.org"), attempt=1)

    before = timezone.now()
    deliver_email.call(TaskContext(task_result=first), message=first.kwargs["message"], attempt=1)

    retry = DBTaskResult.objects.exclude(pk=first.id).get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.args_kwargs["kwargs"]["message"]["body"] == "Corps"
    assert (
        before + timedelta(seconds=60) <= retry.run_after <= timezone.now() + timedelta(seconds=60)
    )
    assert "nouvelle tentative dans 60 s" in caplog.text


def test_the_delay_grows_fourfold_up_to_an_hour(settings):
    settings.ESSOR_EMAIL_RETRY_SECONDS = 60

    assert [retry_delay(attempt).total_seconds() for attempt in range(1, 6)] == [
        60,
        240,
        960,
        3600,
        3600,
    ]


def test_after_the_last_attempt_an_error_is_logged(settings, caplog):
    settings.EMAIL_BACKEND = UNREACHABLE
    settings.ESSOR_EMAIL_MAX_ATTEMPTS = 3

    with caplog.at_level(logging.WARNING, logger="essor.core.mail"), committed():
        send_later(**_message(subject="Invitation"))

    assert mail_backends.ATTEMPTS == ["Invitation"] * 3
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert [record.name for record in errors] == ["essor.core.mail"]
    assert "abandonné après 3 tentatives" in errors[0].getMessage()
    assert "claire@example.org" in errors[0].getMessage()


def test_an_attempt_that_failed_leaves_no_body_in_the_queue(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = REFUSING
    first = deliver_email.enqueue(message=_message(from_email="a@example.org"), attempt=1)

    deliver_email.call(TaskContext(task_result=first), message=first.kwargs["message"], attempt=1)

    kept = DBTaskResult.objects.get(pk=first.id).args_kwargs["kwargs"]["message"]
    assert kept == {"subject": "Sujet", "to": ["claire@example.org"], "from_email": "a@example.org"}


def test_another_error_fails_the_task_without_a_retry_nor_the_body_kept(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "tests.core.mail_backends.BrokenBackend"
    first = deliver_email.enqueue(message=_message(from_email="a@example.org"), attempt=1)

    with pytest.raises(ValueError, match="en-tête invalide"):
        deliver_email.call(
            TaskContext(task_result=first), message=first.kwargs["message"], attempt=1
        )

    assert DBTaskResult.objects.count() == 1
    assert "body" not in DBTaskResult.objects.get().args_kwargs["kwargs"]["message"]
