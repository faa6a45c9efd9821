import datetime

from essor.foodlink.models import ProducerRevision
from tests.foodlink.factories import (
    AlertFactory,
    ConsultationFactory,
    ProducerProfileFactory,
    PurchaseFactory,
    awarded_offer,
    make_buyer,
    make_producer,
)
from tests.url_access import AGENCY_ONLY, ANON_LOGIN, LOGGED_IN, PUBLIC, UrlCase

# world.structure's members (organisation_admin, organisation_member), and the agency.
STRUCTURE_AND_AGENCY = {**AGENCY_ONLY, "organisation_admin": 200, "organisation_member": 200}
# world.structure's members only (canteen managers' own actions).
STRUCTURE_ONLY = {
    **dict.fromkeys(LOGGED_IN, 403),
    "anonymous": ANON_LOGIN,
    "organisation_admin": 200,
    "organisation_member": 200,
}


def _buyer(world):
    make_buyer(world.structure)
    return {}


def _consultation_of_structure(world):
    return {"pk": ConsultationFactory(buyer=make_buyer(world.structure)).pk}


def _closed_consultation_of_structure(world):
    """The award page opens once the responses are closed (a draft's redirects to its page)."""
    return {"pk": ConsultationFactory(buyer=make_buyer(world.structure), status="closed").pk}


def _consultation_alerting_structure(world):
    """A canteen (other_structure) consults; world.structure is an alerted producer."""
    consultation = ConsultationFactory(buyer=make_buyer(world.other_structure), status="published")
    AlertFactory(consultation=consultation, producer=make_producer(world.structure))
    return {"pk": consultation.pk}


def _buyer_with_a_purchase_in_2025(world):
    """The bilan is a file only for a year with purchases (else back to the canteen's page)."""
    buyer = make_buyer(world.structure)
    PurchaseFactory(buyer=buyer, date=datetime.date(2025, 6, 15))
    return {"pk": buyer.pk}


def _revision(world):
    producer = ProducerProfileFactory()
    return {"pk": ProducerRevision.objects.create(producer=producer, data={"profile": {}}).pk}


URL_ACCESS = [
    UrlCase("foodlink:guide", PUBLIC),
    UrlCase("foodlink:guide_map_data", PUBLIC),
    UrlCase("foodlink:producer", PUBLIC, kwargs=lambda world: {"pk": ProducerProfileFactory().pk}),
    UrlCase("foodlink:booklet", PUBLIC),
    UrlCase(
        "foodlink:booklet_download",
        dict.fromkeys(PUBLIC, 404),
        note="404 tant que le livret n'a pas été construit (test_guide couvre le téléchargement).",
    ),
    UrlCase(
        "foodlink:booklet_build",
        {**AGENCY_ONLY, "agency_admin": 405, "agency_staff": 405},
        note="POST only: the agency's right checked first, then 405 for a GET (test_guide posts).",
    ),
    UrlCase("foodlink:home", LOGGED_IN),
    UrlCase(
        "foodlink:producer_edit",
        STRUCTURE_AND_AGENCY,
        kwargs=lambda world: {"pk": make_producer(world.structure).pk},
    ),
    UrlCase("foodlink:consultation_list", LOGGED_IN),
    UrlCase("foodlink:consultation_create", STRUCTURE_ONLY, kwargs=_buyer),
    UrlCase(
        "foodlink:consultation_detail", STRUCTURE_AND_AGENCY, kwargs=_consultation_of_structure
    ),
    UrlCase(
        "foodlink:consultation_detail",
        STRUCTURE_AND_AGENCY,
        kwargs=_consultation_alerting_structure,
        note="Un producteur alerté voit la consultation.",
    ),
    UrlCase(
        "foodlink:consultation_award", STRUCTURE_ONLY, kwargs=_closed_consultation_of_structure
    ),
    UrlCase("foodlink:consultation_edit", STRUCTURE_ONLY, kwargs=_consultation_of_structure),
    UrlCase("foodlink:offer_submit", STRUCTURE_ONLY, kwargs=_consultation_alerting_structure),
    UrlCase(
        "foodlink:consultation_action",
        STRUCTURE_ONLY,
        kwargs=lambda world: {**_consultation_of_structure(world), "action": "annuler"},
    ),
    UrlCase(
        "foodlink:purchase_order",
        STRUCTURE_AND_AGENCY,
        kwargs=lambda world: {"pk": awarded_offer(world).pk},
    ),
    UrlCase("foodlink:purchase_list", STRUCTURE_AND_AGENCY, kwargs=_buyer),
    UrlCase("foodlink:purchase_create", STRUCTURE_ONLY, kwargs=_buyer),
    UrlCase("foodlink:purchase_import", STRUCTURE_ONLY, kwargs=_buyer),
    UrlCase("foodlink:purchase_export", STRUCTURE_AND_AGENCY, kwargs=_buyer, query="annee=2026"),
    UrlCase(
        "foodlink:dashboard",
        STRUCTURE_AND_AGENCY,
        kwargs=lambda world: {"pk": make_buyer(world.structure).pk},
    ),
    UrlCase(
        "foodlink:macantine_bilan",
        STRUCTURE_AND_AGENCY,
        kwargs=_buyer_with_a_purchase_in_2025,
        query="annee=2025",
    ),
    UrlCase("foodlink:staff", AGENCY_ONLY),
    UrlCase("foodlink:producer_create", AGENCY_ONLY),
    UrlCase("foodlink:buyer_create", AGENCY_ONLY),
    UrlCase("foodlink:revision_review", AGENCY_ONLY, kwargs=_revision),
]
