from essor.core.models import Job
from tests.url_access import AGENCY_ADMIN_ONLY, LOGGED_IN, PUBLIC, UrlCase


def _job_of_organisation_admin(world) -> dict:
    job = Job.objects.create(
        kind="test", label="Tâche de test", created_by=world.users["organisation_admin"]
    )
    return {"pk": job.pk}


# A job of a kind without a registered rule: its creator and the agency admins.
JOB_FOLLOWERS = {**AGENCY_ADMIN_ONLY, "organisation_admin": 200}

URL_ACCESS = [
    UrlCase("home", PUBLIC),
    UrlCase("core:healthz", PUBLIC),
    UrlCase("core:favicon", dict.fromkeys(PUBLIC, 301), note="to the static icon"),
    UrlCase("core:legal_notice", PUBLIC),
    UrlCase("core:privacy", PUBLIC),
    UrlCase("core:accessibility", PUBLIC),
    UrlCase("core:notifications", LOGGED_IN),
    UrlCase("api:api-root", dict.fromkeys(PUBLIC, 404), note="no root endpoint"),
    UrlCase("api:openapi-json", PUBLIC),
    UrlCase("api:openapi-view", PUBLIC, note="the API documentation page (Swagger UI)"),
    UrlCase(
        "core:job_detail",
        JOB_FOLLOWERS,
        kwargs=_job_of_organisation_admin,
        note="its creator, the agency admins and whoever its kind's rule allows (test_jobs)",
    ),
    UrlCase(
        "core:job_progress",
        {**JOB_FOLLOWERS, "anonymous": 403},
        kwargs=_job_of_organisation_admin,
        note="the fragment polled by htmx: no login redirect to swap into the page",
    ),
]
