"""Factories of the insertion module."""

import datetime
from decimal import Decimal

import factory

from essor.insertion.models import (
    Contract,
    Exit,
    ExitCategory,
    FinancialAnnex,
    MonthlyHours,
    Participant,
    Siae,
)
from essor.insertion.services import refresh_pathway_dates
from tests.factories import OrganisationFactory


class SiaeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Siae
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "ACI"
    convention_reference = "CONV-2026-01"


class AnnexFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialAnnex

    siae = factory.SubFactory(SiaeFactory)
    number = factory.Sequence(lambda n: f"ACI05926{n:04d}A0M0")
    start = datetime.date(2026, 1, 1)
    end = datetime.date(2026, 12, 31)
    conventioned_fte = Decimal("10")
    amount_state = Decimal("210000")
    amount_departement = Decimal("25000")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    siae = factory.SubFactory(SiaeFactory)
    code = factory.Sequence(lambda n: f"SAL-{n + 1:04d}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Fictive{n}")
    sex = "F"
    birth_year = 1990
    education_level = "3"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    annex = factory.LazyAttribute(
        lambda o: (
            FinancialAnnex.objects.filter(siae=o.participant.siae).first()
            or AnnexFactory(siae=o.participant.siae)
        )
    )
    start = datetime.date(2026, 2, 1)
    end = None
    weekly_hours = Decimal("26")

    @factory.post_generation
    def pathway_dates(obj, create, extracted, **kwargs):
        if create:
            refresh_pathway_dates(obj.participant)


class ExitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exit

    participant = factory.SubFactory(ParticipantFactory)
    date = datetime.date(2026, 9, 30)
    category = ExitCategory.DURABLE


class MonthlyHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyHours

    participant = factory.SubFactory(ParticipantFactory)
    siae = factory.LazyAttribute(lambda o: o.participant.siae)
    month = datetime.date(2026, 3, 1)
    hours = Decimal("110")


def make_siae(world, organisation=None, kind="ACI", funded=True) -> Siae:
    """`world.structure` (or `organisation`) as an SIAE funded by `world.funder`."""
    siae = SiaeFactory(organisation=organisation or world.structure, kind=kind)
    if funded:
        siae.funders.add(world.funder)
    return siae


def pathway(siae, *, start=datetime.date(2026, 2, 1), **participant) -> Participant:
    """A participant of `siae` with one ongoing contract under the SIAE's first annex."""
    person = ParticipantFactory(siae=siae, **participant)
    ContractFactory(participant=person, start=start)
    return person
