"""Factories of the funding module."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from essor.accounts.models import Role
from essor.funding.models import (
    Application,
    BudgetLine,
    Envelope,
    FunderProfile,
    Programme,
    Share,
    ShareStatus,
    derived_application_status,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, siret_for


class FunderProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FunderProfile
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(
        OrganisationFactory, legal_category="7343", is_ess=False, ess_family=""
    )
    siret = factory.LazyAttribute(lambda o: siret_for(o.organisation.siren, 1))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    funder = factory.SubFactory(FunderProfileFactory)
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    summary = "Soutien aux projets de l'ESS."
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    ceiling = Decimal("50000")


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope

    programme = factory.SubFactory(ProgrammeFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("100000")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"T-{n:06d}")
    title = factory.Sequence(lambda n: f"Projet {n}")
    summary = "Un projet du territoire."
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    siret = factory.LazyAttribute(lambda o: siret_for(o.organisation.siren, 1))


class ShareFactory(factory.django.DjangoModelFactory):
    """A share set in any state directly (no workflow); its application is given the state its
    shares derive, as the services would (and a deposit date when deposited)."""

    class Meta:
        model = Share
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    amount_requested = Decimal("10000")
    status = ShareStatus.DRAFT

    @factory.post_generation
    def derive_application_status(share, create, extracted, **kwargs):
        if not create:
            return
        application = share.application
        status = derived_application_status(application.shares.values_list("status", flat=True))
        submitted_at = application.submitted_at or (
            None if status == Application.Status.DRAFT else timezone.now()
        )
        Application.objects.filter(pk=application.pk).update(
            status=status, submitted_at=submitted_at
        )
        application.refresh_from_db(fields=["status", "submitted_at"])


def balanced_budget(application, *, subsidy=Decimal("30000"), line="74-epci"):
    """A balanced budget: charges 60 + 64 = produits 70 + subsidy."""
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(application=application, code="60", amount=Decimal("20000")),
            BudgetLine(application=application, code="64", amount=subsidy),
            BudgetLine(application=application, code="70", amount=Decimal("20000")),
            BudgetLine(application=application, code=line, amount=subsidy),
        ]
    )


def share_in_instruction(*, programme=None, amount=Decimal("10000"), organisation=None, **kwargs):
    """A deposited application with one share in instruction (no workflow: set directly)."""
    application = ApplicationFactory(
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        **({"organisation": organisation} if organisation else {}),
    )
    balanced_budget(application)
    return ShareFactory(
        application=application,
        programme=programme or ProgrammeFactory(),
        amount_requested=amount,
        status=ShareStatus.INSTRUCTION,
        **kwargs,
    )


def instructor_of(funder, *, programme=None):
    """A new person instructing for `funder` (listed on `programme` when given)."""
    user = MembershipFactory(
        user=UserFactory(), organisation=funder.organisation, role=Role.FUNDER_INSTRUCTOR
    ).user
    if programme is not None:
        programme.instructors.add(user)
    return user


def member_of(organisation, role=Role.ORGANISATION_ADMIN):
    """A new person working for the applicant structure."""
    return MembershipFactory(user=UserFactory(), organisation=organisation, role=role).user
