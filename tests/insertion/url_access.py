from essor.insertion.models import Barrier, BarrierType, Participant
from tests.insertion.factories import AnnexFactory, make_siae, pathway
from tests.url_access import ANON_LOGIN, UrlCase

NOBODY = {
    "anonymous": ANON_LOGIN,
    "authenticated": 403,
    "agency_admin": 403,
    "agency_staff": 403,
    "funder_instructor": 403,
    "organisation_admin": 403,
    "organisation_member": 403,
}
# Agency, the instructors of a funder of the SIAE, the SIAE's staff: aggregates.
AGGREGATES = {
    **NOBODY,
    "agency_admin": 200,
    "agency_staff": 200,
    "funder_instructor": 200,
    "organisation_admin": 200,
    "organisation_member": 200,
}
# The SIAE's admins and the agency: the SIAE's profile and annexes.
MANAGE = {**NOBODY, "agency_admin": 200, "agency_staff": 200, "organisation_admin": 200}
# The SIAE's own staff only: participants by name.
STAFF = {**NOBODY, "organisation_admin": 200, "organisation_member": 200}
SIAE_ADMIN = {**NOBODY, "organisation_admin": 200}
AGENCY = {**NOBODY, "agency_admin": 200, "agency_staff": 200}


def _siae(world):
    return {"pk": make_siae(world).pk}


def _annex(world):
    return {"pk": AnnexFactory(siae=make_siae(world)).pk}


def _participant(world):
    siae = make_siae(world)
    AnnexFactory(siae=siae)
    return {"pk": pathway(siae).pk}


def _contract(world):
    participant = Participant.objects.get(pk=_participant(world)["pk"])
    return {"pk": participant.contracts.get().pk}


def _barrier(world):
    participant = Participant.objects.get(pk=_participant(world)["pk"])
    barrier = Barrier.objects.create(
        participant=participant,
        barrier_type=BarrierType.objects.first(),
        identified_on=participant.entry_date,
    )
    return {"pk": barrier.pk}


def _none(world):
    make_siae(world)
    return {}


URL_ACCESS = [
    UrlCase("insertion:home", AGGREGATES, kwargs=_none),
    UrlCase("insertion:indicators", AGGREGATES, kwargs=_none),
    UrlCase("insertion:indicators_xlsx", AGGREGATES, kwargs=_none),
    UrlCase("insertion:siae_create", AGENCY),
    UrlCase("insertion:barrier_types", AGENCY),
    UrlCase("insertion:siae_detail", AGGREGATES, kwargs=_siae),
    UrlCase("insertion:siae_edit", MANAGE, kwargs=_siae),
    UrlCase(
        "insertion:report_pdf", AGGREGATES, kwargs=lambda world: {**_siae(world), "year": 2026}
    ),
    UrlCase("insertion:annex_create", MANAGE, kwargs=_siae),
    UrlCase("insertion:annex_edit", MANAGE, kwargs=_annex),
    UrlCase("insertion:participant_list", STAFF, kwargs=_siae),
    UrlCase("insertion:participant_create", STAFF, kwargs=_siae),
    UrlCase("insertion:hours_month", STAFF, kwargs=_siae),
    UrlCase("insertion:hours_import", STAFF, kwargs=_siae),
    UrlCase("insertion:hours_template", STAFF, kwargs=_siae, query="mois=2026-03"),
    UrlCase("insertion:participant_detail", STAFF, kwargs=_participant),
    UrlCase("insertion:participant_edit", STAFF, kwargs=_participant),
    UrlCase("insertion:contract_create", STAFF, kwargs=_participant),
    UrlCase("insertion:contract_edit", STAFF, kwargs=_contract),
    UrlCase("insertion:exit_record", STAFF, kwargs=_participant),
    UrlCase("insertion:barrier_create", STAFF, kwargs=_participant),
    UrlCase("insertion:barrier_edit", STAFF, kwargs=_barrier),
    UrlCase("insertion:training_create", STAFF, kwargs=_participant),
    UrlCase("insertion:participant_export", STAFF, kwargs=_participant, query="format=json"),
    UrlCase("insertion:participant_erase", SIAE_ADMIN, kwargs=_participant),
]
