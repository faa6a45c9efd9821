"""Funding objects around the `world` fixture: the CUD (world.funder) as a funder whose programme
lists the world's instructor, and applications of world.structure in several states."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from essor.funding import services
from essor.funding.models import Application, Attachment, ShareStatus
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
)


def funder_profile(world, **kwargs):
    if not hasattr(world, "_funder_profile"):
        world._funder_profile = FunderProfileFactory(organisation=world.funder, **kwargs)
    return world._funder_profile


def programme(world):
    if not hasattr(world, "_programme"):
        world._programme = ProgrammeFactory(
            funder=funder_profile(world), name="Fonds ESS de la CUD"
        )
        world._programme.instructors.add(world.users["funder_instructor"])
        EnvelopeFactory(programme=world._programme, amount=Decimal("100000"))
    return world._programme


def draft_application(world):
    application = ApplicationFactory(organisation=world.structure, title="Épicerie solidaire")
    balanced_budget(application)
    ShareFactory(
        application=application, programme=programme(world), amount_requested=Decimal("20000")
    )
    return application


def share_in_instruction(world):
    application = ApplicationFactory(
        organisation=world.structure,
        title="Atelier vélo",
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    balanced_budget(application)
    return ShareFactory(
        application=application,
        programme=programme(world),
        amount_requested=Decimal("20000"),
        status=ShareStatus.INSTRUCTION,
    )


def accepted_share(world, amount="15000"):
    share = share_in_instruction(world)
    services.decide(
        share=share,
        actor=world.users["funder_instructor"],
        outcome=ShareStatus.ACCEPTED,
        amount=amount,
        motivation="Oui.",
    )
    share.refresh_from_db()
    return share


def attachment(world):
    application = draft_application(world)
    item = Attachment(
        application=application,
        kind=Attachment.Kind.STATUTES,
        original_name="statuts.pdf",
        size=9,
        content_type="application/pdf",
    )
    storage = Attachment._meta.get_field("file").storage
    name = "funding/tests/url-access-statuts.pdf"
    if storage.exists(name):
        storage.delete(name)
    item.file.name = storage.save(name, ContentFile(b"%PDF-1.4\n"))
    item.save()
    return item


def session(world):
    item = services.create_session(
        funder=funder_profile(world), actor=None, title="Comité ESS", date=timezone.localdate()
    )
    services.add_to_agenda(
        session=item, share=share_in_instruction(world), actor=world.users["funder_instructor"]
    )
    return item
