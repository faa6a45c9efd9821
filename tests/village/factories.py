"""Factories of the village module."""

import datetime
from decimal import Decimal

import factory

from essor.village.models import Edition, ExhibitorApplication, ReviewCriterion, Stand, Zone
from tests.factories import OrganisationFactory


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    name = factory.Sequence(lambda n: f"Village des solidarités {2027 + n}")
    starts_on = datetime.date(2027, 6, 12)
    ends_on = datetime.date(2027, 6, 13)
    place = "Place Jean-Bart, Dunkerque"
    opening_hours = "10 h – 18 h"
    call_closes_on = datetime.date(2027, 4, 30)
    is_published = True


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Zone {n}")
    colour = "#d8e8f8"


class StandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stand

    zone = factory.SubFactory(ZoneFactory)
    edition = factory.SelfAttribute("zone.edition")
    number = factory.Sequence(lambda n: n + 1)
    area = Decimal("9")
    x = factory.Sequence(lambda n: (n * 4) % 56)
    y = factory.Sequence(lambda n: (n // 14) * 4 % 36)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExhibitorApplication

    edition = factory.SubFactory(EditionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    contact_name = "Camille Martin"
    contact_email = "camille@example.org"
    animation_title = "Atelier de réparation de vélos"
    animation = "Les visiteurs réparent une crevaison avec nous."


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewCriterion

    edition = factory.SubFactory(EditionFactory)
    label = factory.Sequence(lambda n: f"Critère {n}")
    weight = 1
