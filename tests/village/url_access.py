import datetime

from django.utils import timezone

from essor.village import services, stamps
from essor.village.models import ExhibitorApplication
from tests.url_access import AGENCY_ONLY, LOGGED_IN, ORGANISATION_ADMIN, PUBLIC, UrlCase
from tests.village.factories import ApplicationFactory, EditionFactory, StandFactory

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


def _today_edition():
    today = timezone.localdate()
    return EditionFactory(
        starts_on=today, ends_on=today, call_closes_on=today - datetime.timedelta(days=1)
    )


def _stand_with_token(world):
    stand = StandFactory(zone__edition=_today_edition())
    services.key_of(stand)
    return {"stand_pk": stand.pk, "token": stamps.rotating_token(stand)}


def _kiosk(world):
    return {"key": services.key_of(StandFactory()).kiosk_key}


def _stand(world):
    return {"stand_pk": StandFactory().pk}


URL_ACCESS += [
    UrlCase("village:passport", PUBLIC, kwargs=lambda w: (_today_edition(), {})[1]),
    UrlCase("village:stamp", PUBLIC, kwargs=_stand_with_token),
    UrlCase("village:kiosk", PUBLIC, kwargs=_kiosk, note="whoever holds the revocable link"),
    UrlCase("village:draw", PUBLIC, kwargs=lambda w: (_today_edition(), {})[1]),
    UrlCase(
        "village:question_edit",
        AGENCY_ONLY,
        kwargs=_stand,
        note="and the admins of the exhibitor holding the stand (test_passport)",
    ),
    UrlCase("village:draw_manage", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase("village:day_codes_pdf", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase(
        "village:renew_keys",
        dict.fromkeys(AGENCY_ONLY, 405) | {"anonymous": 405},
        kwargs=_stand,
        note="POST only",
    ),
]

URL_ACCESS += [
    UrlCase("village:report", AGENCY_ONLY, kwargs=lambda w: {"pk": EditionFactory().pk}),
    UrlCase(
        "village:exhibitor_report_pdf",
        ORGANISATION_ADMIN,
        kwargs=lambda w: {"pk": _application(w, Status.CONFIRMED).pk},
    ),
]
