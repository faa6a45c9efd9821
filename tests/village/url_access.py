from essor.village.models import ExhibitorApplication
from tests.url_access import AGENCY_ONLY, LOGGED_IN, ORGANISATION_ADMIN, PUBLIC, UrlCase
from tests.village.factories import ApplicationFactory, EditionFactory

Status = ExhibitorApplication.Status


def _application(world, status=Status.DRAFT):
    return ApplicationFactory(organisation=world.structure, status=status)


URL_ACCESS = [
    UrlCase("village:home", PUBLIC),
    UrlCase("village:edition", PUBLIC, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase(
        "village:edition",
        dict.fromkeys(PUBLIC, 404) | {"agency_admin": 200, "agency_staff": 200},
        kwargs=lambda w: {"pk": EditionFactory(is_published=False).pk},
        note="an edition not yet published: the agency only",
    ),
    UrlCase("village:my_applications", LOGGED_IN),
    UrlCase(
        "village:application_create",
        ORGANISATION_ADMIN,
        kwargs=lambda w: {"edition_pk": EditionFactory().pk, "organisation_pk": w.structure.pk},
        note="the structure's admins (and the agency) make it apply",
    ),
    UrlCase(
        "village:application_detail",
        ORGANISATION_ADMIN,
        kwargs=lambda w: {"pk": _application(w).pk},
    ),
    UrlCase("village:manage", AGENCY_ONLY),
    UrlCase("village:edition_manage", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase(
        "village:review",
        AGENCY_ONLY,
        kwargs=lambda w: {"pk": _application(w, Status.SUBMITTED).pk},
    ),
]

URL_ACCESS += [
    UrlCase("village:programme", PUBLIC),
    UrlCase("village:programme_ics", PUBLIC, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase("village:programme_csv", PUBLIC, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase("village:programme_json", PUBLIC, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase(
        "village:programme_json",
        dict.fromkeys(PUBLIC, 404),
        kwargs=lambda w: {"pk": EditionFactory(is_published=False).pk},
        note="an edition not yet published has no public programme",
    ),
    UrlCase("village:signs_pdf", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase("village:badges_pdf", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
]
