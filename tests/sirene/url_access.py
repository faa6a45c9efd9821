from essor.core.models import Job
from tests.url_access import AGENCY_ONLY, ORGANISATION_ADMIN, UrlCase


def _job_of_organisation_admin(world) -> dict:
    job = Job.objects.create(
        kind="test", label="Tâche de test", created_by=world.users["organisation_admin"]
    )
    return {"pk": job.pk}


URL_ACCESS = [
    UrlCase("directory:sirene_import", AGENCY_ONLY),
    UrlCase(
        "core:job_detail",
        ORGANISATION_ADMIN,
        kwargs=_job_of_organisation_admin,
        note="its creator and the agency",
    ),
]
