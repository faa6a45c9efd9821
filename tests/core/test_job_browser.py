"""The job page in a real browser: it follows the job to its end without reloading (htmx), and
axe-core finds no serious violation while it runs nor once it is finished."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from essor.core import jobs
from essor.core.models import Job
from tests.browser_support import axe_violations
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, email):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_the_job_page_follows_the_job_to_its_end_without_reloading(live_server, page):
    world = World()
    job = Job.objects.create(
        kind="test",
        label="Import des établissements",
        status=Job.Status.RUNNING,
        progress_done=3,
        progress_total=10,
        progress_message="Lecture du fichier",
        created_by=world.users["agency_admin"],
    )
    _login(page, live_server, "agency_admin@example.org")
    page.goto(live_server.url + reverse("core:job_detail", args=[job.pk]))
    announcement = page.get_by_role("status").filter(has_text="Lecture du fichier")
    expect(announcement).to_contain_text("30 %")
    assert axe_violations(page) == []
    # A reload would forget this mark.
    page.evaluate("window.sameDocument = true")

    jobs.update_progress(job, done=7, message="Écriture des établissements")
    expect(page.locator("#job-announcement")).to_contain_text("Écriture des établissements")
    expect(page.locator("#job-announcement")).to_contain_text("70 %")
    expect(page.locator("#job-progress")).to_have_attribute("value", "7")

    jobs.finish_job(job, result={"links": [{"label": "Voir l'annuaire", "url": "/annuaire/"}]})
    expect(page.locator("#job-announcement")).to_have_text("La tâche est terminée.")
    expect(page.get_by_role("link", name="Voir l'annuaire")).to_be_visible()
    expect(page.locator("[hx-trigger]")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    assert axe_violations(page) == []
