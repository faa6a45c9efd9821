"""People hear of what concerns them: the structure's members of a funder's decision (with the
amount granted or the reason), of a correction asked (what to correct) and of a payment (amount,
date); the share's instructors of a file deposited again after a correction. One notification in
Essor and one e-mail each, sent after the commit, to nobody without access to the application."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from essor.accounts.models import Membership
from essor.core.formats import long_date
from essor.core.models import EmailOptOut, Notification
from essor.funding import services
from essor.funding.models import Application, Attachment, FunderProfile, ShareStatus
from tests.conftest import committed
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    FunderProfileFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
    instructor_of,
)

pytestmark = pytest.mark.django_db
NARROW = "\u202f"  # thousands separator of French amounts
NBSP = "\u00a0"  # before the euro sign


def _programme(funder_name: str):
    funder = FunderProfileFactory(organisation__name=funder_name)
    programme = ProgrammeFactory(funder=funder, name=f"Dispositif de {funder_name}")
    EnvelopeFactory(programme=programme, amount=Decimal("100000"))
    return programme, instructor_of(funder, programme=programme)


@pytest.fixture
def two_funders(world, settings, tmp_path):
    """An application of world.structure asking 20 000 € of the Région and of the Département,
    with its attachments (added while a draft); both shares are in instruction."""
    settings.MEDIA_ROOT = tmp_path
    region, region_instructor = _programme("Région Hauts-de-France")
    departement, departement_instructor = _programme("Département du Nord")
    application = ApplicationFactory(organisation=world.structure, title="Atelier vélo")
    balanced_budget(application, subsidy=Decimal("40000"))
    for kind in (Attachment.Kind.STATUTES, Attachment.Kind.RIB):
        services.add_attachment(
            application=application,
            actor=None,
            kind=kind,
            uploaded=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4\n", "application/pdf"),
        )
    shares = {
        name: ShareFactory(
            application=application,
            programme=programme,
            amount_requested=Decimal("20000"),
            status=ShareStatus.INSTRUCTION,
        )
        for name, programme in (("region", region), ("departement", departement))
    }
    instructors = {"region": region_instructor, "departement": departement_instructor}
    return application, shares, instructors


def _applicants(world):
    return {world.users["organisation_admin"].email, world.users["organisation_member"].email}


def _accept(share, instructor, amount):
    return services.decide(
        share=share,
        actor=instructor,
        outcome=ShareStatus.ACCEPTED,
        amount=amount,
        motivation="Projet utile au quartier.",
    )


def test_an_acceptance_e_mails_each_member_of_the_structure_once_after_the_commit(
    world, two_funders
):
    _, shares, instructors = two_funders

    with committed():
        _accept(shares["region"], instructors["region"], "15000")
        assert mail.outbox == []

    assert sorted(to for message in mail.outbox for to in message.to) == sorted(_applicants(world))


def test_an_acceptance_says_who_grants_how_much_in_french(two_funders):
    _, shares, instructors = two_funders

    with committed():
        _accept(shares["region"], instructors["region"], "15000")

    message = mail.outbox[0]
    assert f"Région Hauts-de-France vous accorde 15{NARROW}000{NBSP}€" in message.subject
    assert f"Région Hauts-de-France vous accorde 15{NARROW}000{NBSP}€ pour votre dossier" in (
        message.body
    )
    assert f"sur 20{NARROW}000{NBSP}€ demandés" in message.body
    assert "Motivation : Projet utile au quartier." in message.body


def test_an_acceptance_is_also_a_notification_in_essor(world, two_funders):
    application, shares, instructors = two_funders

    _accept(shares["region"], instructors["region"], "15000")

    notices = Notification.objects.filter(message__contains="vous accorde")
    assert {notice.user.email for notice in notices} == _applicants(world)
    assert {notice.url for notice in notices} == {f"/financements/dossiers/{application.pk}/"}


def test_a_refusal_gives_its_reason(two_funders):
    _, shares, instructors = two_funders

    with committed():
        services.decide(
            share=shares["region"],
            actor=instructors["region"],
            outcome=ShareStatus.REFUSED,
            motivation="Le projet ne relève pas du dispositif.",
        )

    assert {message.subject for message in mail.outbox} == {
        f"Essor — Région Hauts-de-France refuse votre demande (dossier "
        f"{shares['region'].application.reference})"
    }
    assert "Motif : Le projet ne relève pas du dispositif." in mail.outbox[0].body


def test_a_correction_request_says_what_to_correct(world, two_funders):
    _, shares, instructors = two_funders

    with committed():
        services.request_corrections(
            share=shares["region"], actor=instructors["region"], motivation="Le RIB est illisible."
        )

    assert {to for message in mail.outbox for to in message.to} == _applicants(world)
    assert "Région Hauts-de-France vous renvoie votre dossier" in mail.outbox[0].body
    assert "À corriger : Le RIB est illisible." in mail.outbox[0].body


def test_a_payment_gives_its_amount_and_date(world, two_funders):
    _, shares, instructors = two_funders
    _accept(shares["region"], instructors["region"], "15000")
    payment = shares["region"].agreement.payments.get()
    paid_on = timezone.localdate()

    with committed():
        services.set_payment_status(
            payment=payment, actor=instructors["region"], status="paid", paid_on=paid_on
        )

    assert {to for message in mail.outbox for to in message.to} == _applicants(world)
    assert (
        f"Région Hauts-de-France a versé 15{NARROW}000{NBSP}€ le {long_date(paid_on)} "
        "(versement unique)" in mail.outbox[0].body
    )


def test_a_cancelled_payment_says_it_will_not_be_made(world, two_funders):
    _, shares, instructors = two_funders
    _accept(shares["region"], instructors["region"], "15000")
    payment = shares["region"].agreement.payments.get()

    with committed():
        services.set_payment_status(
            payment=payment, actor=instructors["region"], status="cancelled"
        )

    assert {to for message in mail.outbox for to in message.to} == _applicants(world)
    assert (
        f"Région Hauts-de-France a annulé le versement prévu de 15{NARROW}000{NBSP}€ "
        "(versement unique)" in mail.outbox[0].body
    )


def test_a_reopened_acceptance_says_the_amount_is_withdrawn_and_why(world, two_funders):
    _, shares, instructors = two_funders
    _accept(shares["region"], instructors["region"], "15000")

    with committed():
        services.reopen(
            share=shares["region"], actor=instructors["region"], motivation="Erreur de montant."
        )

    assert {to for message in mail.outbox for to in message.to} == _applicants(world)
    body = mail.outbox[0].body
    assert "Région Hauts-de-France rouvre sa décision sur votre dossier" in body
    assert f"La somme de 15{NARROW}000{NBSP}€ qui vous était accordée ne l'est plus" in body
    assert "Motif : Erreur de montant." in body


def test_a_reopened_refusal_says_the_request_is_examined_again(two_funders):
    _, shares, instructors = two_funders
    services.decide(
        share=shares["region"],
        actor=instructors["region"],
        outcome=ShareStatus.REFUSED,
        motivation="Hors dispositif.",
    )

    with committed():
        services.reopen(
            share=shares["region"], actor=instructors["region"], motivation="Pièce retrouvée."
        )

    body = mail.outbox[0].body
    assert "votre demande est de nouveau en instruction. Motif : Pièce retrouvée." in body
    assert "accordée" not in body


def test_the_start_of_instruction_is_told_to_the_structure_only(world, two_funders):
    application, _, _ = two_funders
    programme, instructor = _programme("Communauté urbaine de Dunkerque")
    share = ShareFactory(
        application=application,
        programme=programme,
        amount_requested=Decimal("5000"),
        status=ShareStatus.SUBMITTED,
    )

    with committed():
        services.start_instruction(share=share, actor=instructor)

    assert {to for message in mail.outbox for to in message.to} == _applicants(world)
    assert (
        "Communauté urbaine de Dunkerque a commencé l'instruction de votre dossier"
        in mail.outbox[0].body
    )


def test_a_corrected_file_tells_the_instructors_of_the_share_sent_back_only(world, two_funders):
    application, shares, instructors = two_funders
    services.request_corrections(
        share=shares["region"], actor=instructors["region"], motivation="Précisez le public."
    )

    with committed():
        services.submit_application(
            application=application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )

    assert [message.to for message in mail.outbox] == [[instructors["region"].email]]
    assert f"dossier {application.reference} « Atelier vélo »" in mail.outbox[0].body
    assert "renvoyée pour correction, est à examiner" in mail.outbox[0].body


def test_a_first_deposit_tells_no_instructor(world, two_funders):
    application, _, _ = two_funders
    application.shares.update(status=ShareStatus.DRAFT)
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DRAFT)

    with committed():
        services.submit_application(
            application=application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )

    assert mail.outbox == []


def test_two_funders_each_tell_their_own_amount(two_funders):
    _, shares, instructors = two_funders

    with committed():
        _accept(shares["region"], instructors["region"], "15000")
        _accept(shares["departement"], instructors["departement"], "8000")

    by_funder = {
        funder: {message.body for message in mail.outbox if message.body.startswith(funder)}
        for funder in ("Région Hauts-de-France", "Département du Nord")
    }
    assert [len(bodies) for bodies in by_funder.values()] == [1, 1]  # same text to both members
    (region,) = by_funder["Région Hauts-de-France"]
    (departement,) = by_funder["Département du Nord"]
    assert f"15{NARROW}000{NBSP}€" in region and f"8{NARROW}000{NBSP}€" not in region
    assert f"8{NARROW}000{NBSP}€" in departement and f"15{NARROW}000{NBSP}€" not in departement
    assert len(mail.outbox) == 4


def test_nobody_outside_the_structure_hears_of_its_decision(world, two_funders):
    _, shares, instructors = two_funders
    former = MembershipFactory(user=UserFactory(is_active=False), organisation=world.structure)
    stranger = MembershipFactory(organisation=OrganisationFactory(name="Autre structure"))

    with committed():
        _accept(shares["region"], instructors["region"], "15000")

    told = {to for message in mail.outbox for to in message.to}
    told |= set(Notification.objects.values_list("user__email", flat=True))
    assert former.user.email not in told
    assert stranger.user.email not in told
    assert told == _applicants(world)


def test_a_session_whose_decisions_are_refused_tells_nobody(world, two_funders):
    """All or nothing: the first decision of the agenda was notified inside the transaction, the
    second is refused, so neither is written nor sent."""
    _, shares, instructors = two_funders
    region = shares["region"].programme
    other = ShareFactory(
        application=ApplicationFactory(organisation=world.other_structure),
        programme=region,
        amount_requested=Decimal("5000"),
        status=ShareStatus.INSTRUCTION,
    )
    session = services.create_session(
        funder=region.funder, actor=None, title="Comité", date=timezone.localdate()
    )
    items = [
        services.add_to_agenda(session=session, share=share, actor=instructors["region"])
        for share in (shares["region"], other)
    ]

    with committed(), pytest.raises(ValidationError):
        services.record_session_decisions(
            session=session,
            actor=instructors["region"],
            decisions={
                items[0].pk: (ShareStatus.ACCEPTED, "15000", "Oui."),
                items[1].pk: (ShareStatus.ACCEPTED, "9000", "Plus que demandé."),
            },
        )

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_opting_out_stops_the_decision_e_mail_but_not_the_notification(world, two_funders):
    _, shares, instructors = two_funders
    member = world.users["organisation_member"]
    EmailOptOut.objects.create(user=member, category="funding.decision")

    with committed():
        _accept(shares["region"], instructors["region"], "15000")

    assert [message.to for message in mail.outbox] == [[world.users["organisation_admin"].email]]
    assert Notification.objects.filter(user=member, message__contains="vous accorde").exists()


def test_opting_out_of_everything_keeps_the_mandatory_correction_e_mail(world, two_funders):
    _, shares, instructors = two_funders
    member = world.users["organisation_member"]
    for category in ("funding.decision", "funding.payment", "funding.corrected"):
        EmailOptOut.objects.create(user=member, category=category)

    with committed():
        services.request_corrections(
            share=shares["region"], actor=instructors["region"], motivation="Précisez le public."
        )

    assert member.email in {to for message in mail.outbox for to in message.to}


def test_an_optional_e_mail_says_where_to_stop_it(two_funders, settings):
    _, shares, instructors = two_funders

    with committed():
        _accept(shares["region"], instructors["region"], "15000")

    assert f"{settings.SITE_URL.rstrip('/')}/compte/notifications/" in mail.outbox[0].body
    assert "Pour ne plus recevoir ce type de courriel" in mail.outbox[0].body


def test_an_instructor_the_programme_does_not_list_is_not_told_of_the_corrected_file(
    world, two_funders
):
    application, shares, instructors = two_funders
    unlisted = instructor_of(shares["region"].programme.funder)
    services.request_corrections(
        share=shares["region"], actor=instructors["region"], motivation="Précisez le public."
    )

    with committed():
        services.submit_application(
            application=application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )

    assert unlisted.email not in {to for message in mail.outbox for to in message.to}


def test_the_agency_at_a_delegated_front_office_hears_of_the_file_it_sent_back(world, two_funders):
    application, shares, _ = two_funders
    region = shares["region"].programme
    region.instructors.clear()
    FunderProfile.objects.filter(pk=region.funder_id).update(agency_front_office=True)
    Membership.objects.filter(organisation=region.funder.organisation).delete()  # no instructor
    agent = world.users["agency_staff"]
    services.request_corrections(
        share=shares["region"], actor=agent, motivation="Le RIB est illisible."
    )

    with committed():
        services.submit_application(
            application=application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )

    assert [message.to for message in mail.outbox] == [[agent.email]]
