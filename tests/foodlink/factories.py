"""Factories of the foodlink module."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from essor.foodlink.models import (
    ALL_MONTHS_MASK,
    BuyerProfile,
    Consultation,
    ConsultationAlert,
    Offer,
    ProducerCertification,
    ProducerProduct,
    ProducerProfile,
    Purchase,
)
from essor.territory.models import Commune
from tests.factories import OrganisationFactory, siret_for

DUNKERQUE = (51.0343, 2.3768)


def commune(insee_code: str = "59183") -> Commune:
    return Commune.objects.get(insee_code=insee_code)


class ProducerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProducerProfile

    organisation = factory.SubFactory(
        OrganisationFactory, name=factory.Sequence(lambda n: f"Ferme {n}")
    )
    commune = factory.LazyFunction(commune)
    latitude = DUNKERQUE[0]
    longitude = DUNKERQUE[1]
    delivery_radius_km = 50
    delivery_days = [1, 3]
    minimum_order = Decimal("50.00")
    contact_email = "ferme@example.org"
    is_published = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProducerProduct

    producer = factory.SubFactory(ProducerProfileFactory)
    family = "FRUITS_ET_LEGUMES"
    name = "Pommes de terre"
    months_mask = ALL_MONTHS_MASK


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProducerCertification

    producer = factory.SubFactory(ProducerProfileFactory)
    code = "BIO"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    certifier = "Ecocert"


class BuyerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BuyerProfile

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Cantine scolaire {n}")
    siret = factory.LazyAttribute(lambda o: siret_for(o.organisation.siren, 1))
    sector = BuyerProfile.Sector.SCHOOL
    meals_per_day = 300
    management_mode = BuyerProfile.ManagementMode.DIRECT
    delivery_address = "1 place de la République, Dunkerque"
    commune = factory.LazyFunction(commune)
    latitude = DUNKERQUE[0]
    longitude = DUNKERQUE[1]


def _in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    buyer = factory.SubFactory(BuyerProfileFactory)
    title = factory.Sequence(lambda n: f"Pommes de terre pour la rentrée {n}")
    family = "FRUITS_ET_LEGUMES"
    product = "Pommes de terre"
    quantity = Decimal("100")
    unit = Consultation.Unit.KG
    delivery_start = factory.LazyFunction(lambda: _in_days(20))
    delivery_end = factory.LazyFunction(lambda: _in_days(30))
    delivery_address = "1 place de la République, Dunkerque"
    delivery_latitude = DUNKERQUE[0]
    delivery_longitude = DUNKERQUE[1]
    max_distance_km = 50
    deadline = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultationAlert

    consultation = factory.SubFactory(ConsultationFactory)
    producer = factory.SubFactory(ProducerProfileFactory)
    distance_km = 10.0
    rank = 1


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    consultation = factory.SubFactory(ConsultationFactory)
    producer = factory.SubFactory(ProducerProfileFactory)
    unit_price = Decimal("1.20")
    quantity = Decimal("100")


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase

    buyer = factory.SubFactory(BuyerProfileFactory)
    description = "Carottes"
    supplier = "Ferme du Houtland"
    date = factory.LazyFunction(timezone.localdate)
    price_ht = Decimal("100.00")
    family = "FRUITS_ET_LEGUMES"
    characteristics = factory.LazyFunction(list)
    egalim_group = "none"
    source = Purchase.Source.MANUAL


def make_buyer(organisation, **kwargs) -> BuyerProfile:
    existing = BuyerProfile.objects.filter(organisation=organisation).first()
    return existing or BuyerProfileFactory(organisation=organisation, **kwargs)


def make_producer(organisation, **kwargs) -> ProducerProfile:
    existing = ProducerProfile.objects.filter(organisation=organisation).first()
    return existing or ProducerProfileFactory(organisation=organisation, **kwargs)


def awarded_offer(world) -> Offer:
    """A consultation of world.structure (a canteen), ordered, with a retained offer."""
    buyer = make_buyer(world.structure)
    consultation = ConsultationFactory(
        buyer=buyer,
        status=Consultation.Status.ORDERED,
        awarded_at=timezone.now(),
        deadline=timezone.now() - datetime.timedelta(days=1),
    )
    return OfferFactory(
        consultation=consultation,
        status=Offer.Status.RETAINED,
        awarded_quantity=Decimal("50"),
    )
