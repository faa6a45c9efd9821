"""Report reminders: before and after the due date, once each, to the structure's members."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from essor.funding.models import FinancialReport
from tests.conftest import committed
from tests.funding import helpers

pytestmark = pytest.mark.django_db


def _run(day: datetime.date) -> str:
    out = io.StringIO()
    with committed():
        call_command("send_funding_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def report(world):
    return helpers.accepted_share(world).agreement.report


def test_no_reminder_long_before_the_due_date(report):
    _run(report.due_on - datetime.timedelta(days=60))
    assert mail.outbox == []


def test_reminder_before_the_due_date_goes_to_the_members(report, world):
    assert "1 relance envoyée" in _run(report.due_on - datetime.timedelta(days=20))
    (message,) = mail.outbox
    assert "organisation_admin@example.org" in message.to
    assert "organisation_member@example.org" in message.to
    assert "est à remettre avant le" in message.body
    assert f"/financements/comptes-rendus/{report.pk}/" in message.body


def test_reminder_is_sent_once(report):
    day = report.due_on - datetime.timedelta(days=20)
    _run(day)
    _run(day + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1


def test_overdue_report_gets_a_reminder_after_the_due_date(report):
    _run(report.due_on + datetime.timedelta(days=2))
    subjects = [message.subject for message in mail.outbox]
    assert subjects == ["Votre compte-rendu financier est en retard"]


def test_submitted_report_gets_no_reminder(report):
    FinancialReport.objects.filter(pk=report.pk).update(status=FinancialReport.Status.SUBMITTED)
    _run(report.due_on + datetime.timedelta(days=2))
    assert mail.outbox == []


def test_a_report_still_missing_long_after_its_due_date_gets_the_last_reminder(report, settings):
    settings.ESSOR_FUNDING_REPORT_REMINDER_DAYS_LATE = 30
    _run(report.due_on + datetime.timedelta(days=2))
    _run(report.due_on + datetime.timedelta(days=31))
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Votre compte-rendu financier est en retard",
        "Relance : compte-rendu financier en retard de 30 jours",
    ]
