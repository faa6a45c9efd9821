"""Pages of the trust work in a real browser, signed in: the journal (French labels, French
values), the notifications and a job's progress page; axe-core finds no serious violation."""

import pytest
from django.urls import reverse

from essor.core import audit
from essor.core.models import Job
from essor.core.notifications import notify
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, email):
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _check(page):
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert violations == [], (page.url, violations)


def test_the_journal_notifications_and_job_pages(live_server, page):
    world = World()
    admin = world.users["agency_admin"]
    audit.record(
        actor=admin,
        action="directory.organisation.update",
        target=world.structure,
        changes={"statut": [None, True], "date": ["2026-12-06", None]},
        message="Correction demandée par la structure.",
    )
    notify(users=[admin], message="Une nouvelle demande de gestion attend.", url="/")
    job = Job.objects.create(kind="test", label="Import des communes", created_by=admin)
    _login(page, live_server, admin.email)

    page.goto(live_server.url + reverse("directory:audit_log"))
    assert "Fiche modifiée" in page.content()
    _check(page)

    page.goto(live_server.url + reverse("core:notifications"))
    assert "Une nouvelle demande de gestion attend." in page.content()
    _check(page)

    page.goto(live_server.url + reverse("core:job_detail", kwargs={"pk": job.pk}))
    _check(page)
