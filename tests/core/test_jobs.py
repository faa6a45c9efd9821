"""The job page (`core:job_detail`), its progress fragment and who may follow a job."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from essor.core import jobs
from essor.core.models import Job
from essor.directory.sirene.tasks import JOB_KIND as SIRENE_IMPORT
from essor.foodlink.tasks import JOB_KIND as BOOKLET
from essor.observatory.selectors import sees_full_observatory
from essor.observatory.tasks import JOB_KIND as ANNUAL_REPORT
from tests.conftest import ROLES


def _running(creator, **fields) -> Job:
    values = {
        "kind": "test",
        "label": "Import des établissements",
        "status": Job.Status.RUNNING,
        "progress_done": 3,
        "progress_total": 10,
        "progress_message": "Lecture du fichier",
        "created_by": creator,
    } | fields
    return Job.objects.create(**values)


def _page(client, job) -> str:
    return client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


def _fragment(client, job) -> str:
    return client.get(reverse("core:job_progress", args=[job.pk])).content.decode()


def _element(html: str, element_id: str) -> str:
    """The opening tag of the element with that id."""
    match = re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    return match.group(0)


@pytest.fixture
def staff(client, world):
    client.force_login(world.users["agency_admin"])
    return client


# --- The page and its fragment -------------------------------------------------------------


def test_a_running_job_page_has_no_meta_refresh(staff, world):
    job = _running(world.users["agency_admin"])

    assert 'http-equiv="refresh"' not in _page(staff, job)


def test_a_running_job_page_polls_its_fragment_with_htmx(staff, world):
    job = _running(world.users["agency_admin"])

    content = _page(staff, job)

    block = _element(content, "job-progress-block")
    assert f'hx-get="{reverse("core:job_progress", args=[job.pk])}?annonce=' in block
    assert 'hx-trigger="every 2s"' in block
    assert 'hx-swap="outerHTML"' in block
    assert "vendor/htmx.org/dist/htmx.min.js" in content


def test_a_running_job_page_announces_the_step_and_percentage_in_a_live_region(staff, world):
    job = _running(world.users["agency_admin"])

    content = _page(staff, job)

    region = _element(content, "job-announcement")
    assert 'role="status"' in region and 'aria-live="polite"' in region
    announcement = content.split(region, 1)[1].split("</", 1)[0]
    assert "Lecture du fichier" in announcement and "30 %" in announcement


def test_a_running_job_page_offers_an_update_link_for_browsers_without_javascript(staff, world):
    job = _running(world.users["agency_admin"])

    content = _page(staff, job)

    assert re.search(
        rf'<a [^>]*href="{reverse("core:job_detail", args=[job.pk])}"[^>]*>Mettre à jour</a>',
        content,
    )


def test_the_fragment_of_a_running_job_keeps_polling_and_updates_the_live_region(staff, world):
    job = _running(world.users["agency_admin"], progress_done=7)

    content = _fragment(staff, job)

    assert 'hx-trigger="every 2s"' in _element(content, "job-progress-block")
    announcement = _element(content, "job-announcement")
    assert 'hx-swap-oob="innerHTML"' in announcement
    assert "70 %" in content
    assert "<html" not in content


def test_the_fragment_leaves_the_live_region_alone_while_its_sentence_is_the_same(staff, world):
    job = _running(world.users["agency_admin"])
    polled = re.search(r'hx-get="([^"]+)"', _page(staff, job)).group(1).replace("&amp;", "&")

    unchanged = staff.get(polled).content.decode()
    jobs.update_progress(job, done=4)
    changed = staff.get(polled).content.decode()

    assert "job-announcement" not in unchanged
    assert 'hx-swap-oob="innerHTML"' in _element(changed, "job-announcement")
    assert "Lecture du fichier : 4 sur 10 (40 %)." in changed


def test_the_fragment_of_a_finished_job_stops_polling_and_announces_the_end(staff, world):
    job = _running(world.users["agency_admin"])
    jobs.finish_job(job, result={"links": [{"label": "Télécharger le fichier", "url": "/x/"}]})

    content = _fragment(staff, job)

    assert "hx-trigger" not in content and "hx-get" not in content
    assert "La tâche est terminée." in content
    assert '<a class="button" href="/x/">Télécharger le fichier</a>' in content
    assert "Mettre à jour" not in content


def test_the_fragment_of_a_failed_job_stops_polling_and_gives_the_reason(staff, world):
    job = _running(world.users["agency_admin"])
    jobs.fail_job(job, error="Le fichier des établissements est illisible.")

    content = _fragment(staff, job)

    assert "hx-trigger" not in content
    assert "La tâche a échoué." in content
    assert "Le fichier des établissements est illisible." in content


def test_the_fragment_is_never_cached(staff, world):
    job = _running(world.users["agency_admin"])

    response = staff.get(reverse("core:job_progress", args=[job.pk]))

    assert "no-cache" in response["Cache-Control"]


def test_the_fragment_is_refused_to_who_may_not_follow_the_job(client, world):
    job = _running(world.users["agency_admin"])
    client.force_login(world.users["organisation_admin"])

    assert client.get(reverse("core:job_progress", args=[job.pk])).status_code == 403


# --- Who may follow a job ------------------------------------------------------------------


def _user(world, role):
    return world.users[role] or AnonymousUser()


@pytest.mark.parametrize("role", ROLES)
def test_by_default_only_the_creator_and_the_agency_admins_follow_a_job(world, role):
    job = _running(world.users["organisation_admin"])

    expected = role in {"organisation_admin", "agency_admin"}
    assert jobs.visible_to(job, _user(world, role)) is expected


@pytest.fixture
def clean_access_rules(monkeypatch):
    monkeypatch.setattr(jobs, "_ACCESS_RULES", {})


def test_a_job_kind_opens_its_jobs_to_whom_its_rule_allows(clean_access_rules, world):
    jobs.register_job_access("test", lambda job, user: user == job.parameters["shared_with"])
    job = _running(world.users["agency_staff"])
    job.parameters = {"shared_with": world.users["funder_instructor"]}

    assert jobs.visible_to(job, world.users["funder_instructor"])
    assert not jobs.visible_to(job, world.users["organisation_admin"])
    assert jobs.visible_to(job, world.users["agency_staff"])  # its creator, still


def test_a_job_kind_cannot_be_registered_twice(clean_access_rules):
    jobs.register_job_access("test", lambda job, user: True)

    with pytest.raises(ValueError, match="déjà enregistré"):
        jobs.register_job_access("test", lambda job, user: False)


@pytest.mark.parametrize("role", ROLES)
def test_whoever_may_download_the_annual_report_may_follow_its_job(world, role):
    job = _running(world.users["agency_staff"], kind=ANNUAL_REPORT)
    user = _user(world, role)

    expected = sees_full_observatory(user) or role == "agency_admin"
    assert jobs.visible_to(job, user) is expected


@pytest.mark.parametrize("role", ROLES)
def test_everyone_may_follow_the_public_booklet_being_built(world, role):
    job = _running(world.users["agency_staff"], kind=BOOKLET)

    assert jobs.visible_to(job, _user(world, role))


def test_an_anonymous_visitor_follows_the_booklet_job_page(client, world):
    job = _running(world.users["agency_staff"], kind=BOOKLET)

    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("core:job_progress", args=[job.pk])).status_code == 200


def test_another_agency_member_follows_the_annual_report_job_page(client, world):
    job = _running(world.users["agency_admin"], kind=ANNUAL_REPORT)
    client.force_login(world.users["agency_staff"])

    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 200


def test_a_sirene_import_keeps_the_default_rule(world):
    job = _running(world.users["agency_admin"], kind=SIRENE_IMPORT)

    assert not jobs.visible_to(job, world.users["agency_staff"])
    assert not jobs.visible_to(job, world.users["funder_instructor"])


def test_anonymous_visitors_of_a_private_job_are_sent_to_the_login_page(client, world):
    job = _running(world.users["agency_admin"])

    response = client.get(reverse("core:job_detail", args=[job.pk]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
