"""The demo data read as people read it: a bakery sells bread, milk is counted in litres, a funder
is asked once per application, a deposited application holds its mandatory attachments."""

from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from essor.foodlink.models import Consultation, ProducerProfile, ProducerRevision, Purchase
from essor.funding.models import Application, Share
from essor.funding.services import REQUIRED_ATTACHMENTS

# The families each trade may sell, by the first word of the producer's name (written here, not
# read from the demo, so that the rule is checked rather than copied). Farms sell what a farm
# produces: neither bread, nor fish, nor beer.
TRADE_FAMILIES = {
    "Fournil": {"BOULANGERIE"},
    "Fromagerie": {"PRODUITS_LAITIERS"},
    "Pêcherie": {"PRODUITS_DE_LA_MER"},
    "Brasserie": {"BOISSONS"},
    "Verger": {"FRUITS_ET_LEGUMES", "BOISSONS"},
    "Maraîchers": {"FRUITS_ET_LEGUMES"},
}
FARM_FAMILIES = {
    "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS",
    "VIANDES_VOLAILLES",
    "CHARCUTERIE",
    "AUTRES",
}
LIQUIDS = {"Lait cru", "Jus de pomme", "Bière de garde"}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """The demo data set, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    return demo_output


def _allowed_families(producer_name: str) -> set[str]:
    return TRADE_FAMILIES.get(producer_name.split()[0], FARM_FAMILIES)


def test_each_producer_sells_products_of_its_trade(demo):
    wrong = [
        (producer.organisation.name, product.name)
        for producer in ProducerProfile.objects.select_related("organisation").prefetch_related(
            "products"
        )
        for product in producer.products.all()
        if product.family not in _allowed_families(producer.organisation.name)
    ]
    assert wrong == []


def test_no_bakery_sells_beef(demo):
    bakeries = ProducerProfile.objects.filter(organisation__name__startswith="Fournil")
    assert bakeries.exists()
    assert not bakeries.filter(products__family="VIANDES_VOLAILLES").exists()


def test_a_pending_profile_change_proposes_a_product_of_the_producer_s_trade(demo):
    revisions = ProducerRevision.objects.select_related("producer__organisation")
    assert revisions.exists()
    for revision in revisions:
        allowed = _allowed_families(revision.producer.organisation.name)
        assert {product["family"] for product in revision.data["products"]} <= allowed


def test_a_local_purchase_comes_from_a_producer_who_sells_its_family(demo):
    families_of = defaultdict(set)
    for producer_id, family in ProducerProfile.objects.values_list("pk", "products__family"):
        families_of[producer_id].add(family)
    purchases = Purchase.objects.filter(producer__isnull=False).values_list("producer", "family")
    assert purchases.exists()
    assert [(p, f) for p, f in purchases if f not in families_of[p]] == []


def test_milk_and_drinks_are_consulted_in_litres(demo):
    units = set(
        Consultation.objects.filter(product__in=LIQUIDS).values_list("product", "unit").distinct()
    )
    assert ("Lait cru", Consultation.Unit.L) in units
    assert {unit for _, unit in units} == {Consultation.Unit.L}
    assert (
        not Consultation.objects.exclude(product__in=LIQUIDS)
        .filter(unit=Consultation.Unit.L)
        .exists()
    )


def test_a_funder_appears_once_per_application(demo):
    asked = Counter(
        Share.objects.filter(application__organisation__is_demo=True).values_list(
            "application", "programme__funder"
        )
    )
    assert asked and max(asked.values()) == 1


def test_a_deposited_demo_application_holds_its_mandatory_attachments(demo):
    deposited = Application.objects.filter(organisation__is_demo=True).exclude(
        status=Application.Status.DRAFT
    )
    assert deposited.exists()
    for application in deposited.prefetch_related("attachments"):
        attachments = {a.kind: a for a in application.attachments.all()}
        assert set(REQUIRED_ATTACHMENTS) <= set(attachments), application.reference
        for kind in REQUIRED_ATTACHMENTS:
            stored = attachments[kind].file
            assert stored.storage.exists(stored.name), (application.reference, kind)
