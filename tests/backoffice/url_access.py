from tests.url_access import AGENCY_ONLY, LOGGED_IN, ORGANISATION_ADMIN, UrlCase


def _structure(world):
    return {"pk": world.structure.pk}


def _revision(world):
    from essor.directory.models import ProfileRevision

    revision = ProfileRevision.objects.create(
        organisation=world.structure, data={"acronym": "JDL", "_base": {"acronym": ""}}
    )
    return {"pk": revision.pk}


URL_ACCESS = [
    UrlCase("directory:claim", LOGGED_IN, kwargs=_structure),
    UrlCase("directory:profile_edit", ORGANISATION_ADMIN, kwargs=_structure),
    UrlCase("directory:staff_organisation_list", AGENCY_ONLY),
    UrlCase("directory:staff_organisation_create", AGENCY_ONLY),
    UrlCase("directory:staff_organisation_edit", AGENCY_ONLY, kwargs=_structure),
    UrlCase("directory:staff_organisation_merge", AGENCY_ONLY, kwargs=_structure),
    UrlCase("directory:revision_list", AGENCY_ONLY),
    UrlCase("directory:revision_detail", AGENCY_ONLY, kwargs=_revision),
    UrlCase("directory:claim_list", AGENCY_ONLY),
    UrlCase("directory:audit_log", AGENCY_ONLY),
]
