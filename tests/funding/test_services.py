"""The funding services: the application, its budget and its submission; the instruction state
machine; decisions under the envelope; agreements, payments and reports."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.funding import services
from essor.funding.models import (
    Application,
    Attachment,
    Envelope,
    FinancialReport,
    Payment,
    PaymentMode,
    ShareStatus,
)
from tests.funding.factories import (
    ApplicationFactory,
    EnvelopeFactory,
    ProgrammeFactory,
    ShareFactory,
    balanced_budget,
    instructor_of,
    member_of,
    share_in_instruction,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%test\n"


def _pdf(name="statuts.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _instructor(share):
    """An instructor of the share's funder (its programme lists nobody: all of them)."""
    return instructor_of(share.programme.funder)


def _accept(share, amount, *, actor=None):
    return services.decide(
        share=share,
        actor=actor or _instructor(share),
        outcome=ShareStatus.ACCEPTED,
        amount=amount,
        motivation="Oui",
    )


@pytest.fixture
def ready_application(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = ApplicationFactory(organisation=world.structure)
    balanced_budget(application)
    programme = ProgrammeFactory()
    ShareFactory(application=application, programme=programme, amount_requested=Decimal("20000"))
    for kind in (Attachment.Kind.STATUTES, Attachment.Kind.RIB):
        services.add_attachment(
            application=application, actor=None, kind=kind, uploaded=_pdf(f"{kind}.pdf")
        )
    return application


def test_budget_refuses_negative_amount_and_saves_nothing(world):
    application = ApplicationFactory(organisation=world.structure)
    with pytest.raises(ValidationError) as error:
        services.set_budget(application=application, actor=None, amounts={"60": "100", "61": "-5"})
    assert "61 — Services extérieurs : le montant ne peut pas être négatif." in str(error.value)
    assert not application.budget_lines.exists()


def test_budget_refuses_cents():
    application = ApplicationFactory()
    with pytest.raises(ValidationError, match="euros entiers"):
        services.set_budget(application=application, actor=None, amounts={"60": "100,50"})


def test_budget_saves_whole_euros_and_returns_totals():
    application = ApplicationFactory()
    totals = services.set_budget(
        application=application,
        actor=None,
        amounts={"60": "1 000", "70": "400", "74-region": "600"},
    )
    assert totals.balanced and totals.charges == Decimal("1000")
    assert application.budget_lines.count() == 3


def test_request_above_ceiling_is_refused():
    application = ApplicationFactory()
    programme = ProgrammeFactory(ceiling=Decimal("5000"))
    with pytest.raises(ValidationError, match="dépasse le plafond du dispositif"):
        services.set_share(application=application, programme=programme, actor=None, amount="6000")


def test_request_to_a_closed_programme_is_refused():
    application = ApplicationFactory()
    past = timezone.localdate() - datetime.timedelta(days=10)
    programme = ProgrammeFactory(opens_on=past - datetime.timedelta(days=30), closes_on=past)
    with pytest.raises(ValidationError, match="n'accepte pas de demande aujourd'hui"):
        services.set_share(application=application, programme=programme, actor=None, amount="100")


def test_the_closed_programme_message_writes_its_dates_in_full():
    programme = ProgrammeFactory(
        opens_on=datetime.date(2020, 1, 1), closes_on=datetime.date(2020, 3, 31)
    )
    with pytest.raises(ValidationError) as error:
        services.set_share(
            application=ApplicationFactory(), programme=programme, actor=None, amount="100"
        )
    assert "ouvertes du 1er janvier 2020 au 31 mars 2020." in error.value.messages[0]


def test_the_gap_of_a_report_line_rounds_half_up():
    from essor.funding.budget import gap_percent

    # 449 for 400 planned is +12.25 %: half to even would say 12.2.
    assert gap_percent(Decimal("400"), Decimal("449")) == Decimal("12.3")


def test_wrong_type_attachment_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = ApplicationFactory()
    with pytest.raises(ValidationError, match="type de fichier refusé"):
        services.add_attachment(
            application=application,
            actor=None,
            kind="statuts",
            uploaded=SimpleUploadedFile("virus.exe", b"MZ", content_type="application/x-msdos"),
        )


def test_oversize_attachment_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ESSOR_FUNDING_ATTACHMENT_MAX_MB = 1
    application = ApplicationFactory()
    big = _pdf(content=PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="la taille maximale est de 1,0"):
        services.add_attachment(application=application, actor=None, kind="rib", uploaded=big)
    assert not application.attachments.exists()


def test_submission_moves_every_share_to_deposited(ready_application, world):
    actor = world.users["organisation_admin"]
    services.submit_application(
        application=ready_application, actor=actor, declarant_name="Jeanne Martin"
    )
    ready_application.refresh_from_db()
    assert ready_application.status == Application.Status.SUBMITTED
    share = ready_application.shares.get()
    assert share.status == ShareStatus.SUBMITTED
    assert [(row.by, row.label) for row in workflow.history(share)] == [(actor, "Demande déposée")]


def test_unbalanced_budget_blocks_submission(ready_application, world):
    ready_application.budget_lines.filter(code="70").update(amount=Decimal("1"))
    with pytest.raises(ValidationError, match="Le budget n'est pas équilibré"):
        services.submit_application(
            application=ready_application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )
    assert Application.objects.get(pk=ready_application.pk).status == Application.Status.DRAFT


def test_missing_attachment_blocks_submission(ready_application, world):
    ready_application.attachments.filter(kind="rib").delete()
    with pytest.raises(ValidationError, match="Pièce manquante : Relevé d'identité bancaire"):
        services.submit_application(
            application=ready_application,
            actor=world.users["organisation_admin"],
            declarant_name="Jeanne Martin",
        )


def test_only_the_structures_members_deposit_its_application(ready_application, world):
    with pytest.raises(PermissionDenied):
        services.submit_application(
            application=ready_application,
            actor=world.users["agency_admin"],
            declarant_name="Jeanne Martin",
        )
    assert Application.objects.get(pk=ready_application.pk).status == Application.Status.DRAFT


def test_sending_back_needs_a_motivation():
    share = share_in_instruction()
    with pytest.raises(ValidationError, match="motivation"):
        services.request_corrections(share=share, actor=_instructor(share), motivation=" ")


def test_corrected_application_is_deposited_again(ready_application, world):
    applicant = world.users["organisation_admin"]
    services.submit_application(
        application=ready_application, actor=applicant, declarant_name="J. M."
    )
    share = ready_application.shares.get()
    instructor = _instructor(share)
    services.start_instruction(share=share, actor=instructor)
    services.request_corrections(share=share, actor=instructor, motivation="RIB illisible.")
    ready_application.refresh_from_db()
    assert services.is_editable(ready_application)
    services.submit_application(
        application=ready_application, actor=applicant, declarant_name="J. M."
    )
    share.refresh_from_db()
    ready_application.refresh_from_db()
    assert share.status == ShareStatus.SUBMITTED
    assert ready_application.status == Application.Status.SUBMITTED


def test_acceptance_charges_the_envelope_and_creates_agreement(world):
    share = share_in_instruction(amount=Decimal("15000"))
    envelope = EnvelopeFactory(programme=share.programme, amount=Decimal("40000"))
    services.decide(
        share=share,
        actor=_instructor(share),
        outcome=ShareStatus.ACCEPTED,
        amount="12000",
        motivation="Projet conforme.",
    )
    envelope.refresh_from_db()
    assert envelope.granted == Decimal("12000")
    payment = share.agreement.payments.get()
    assert (payment.kind, payment.amount) == (Payment.Kind.SINGLE, Decimal("12000"))
    assert AuditLogEntry.objects.filter(action="funding.share.accept", message="Projet conforme.")


def test_decision_above_the_remaining_envelope_is_refused():
    share = share_in_instruction(amount=Decimal("15000"))
    EnvelopeFactory(programme=share.programme, amount=Decimal("20000"), granted=Decimal("10000"))
    with pytest.raises(ValidationError, match="dépasse le solde de l'enveloppe"):
        _accept(share, "15000")
    share.refresh_from_db()
    assert share.status == ShareStatus.INSTRUCTION


def test_decision_above_the_request_is_refused():
    share = share_in_instruction(amount=Decimal("5000"))
    EnvelopeFactory(programme=share.programme)
    with pytest.raises(ValidationError, match="dépasse le montant demandé"):
        _accept(share, "6000")


def test_database_refuses_an_exceeded_envelope():
    envelope = EnvelopeFactory(amount=Decimal("100"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Envelope.objects.filter(pk=envelope.pk).update(granted=Decimal("101"))


def test_the_advance_rounds_half_up_to_the_euro(world):
    # 70 % of 12,335 € is 8,634.50 €: half to even would pay 8,634 €.
    programme = ProgrammeFactory(payment_mode=PaymentMode.ADVANCE, advance_percent=70)
    share = share_in_instruction(programme=programme, amount=Decimal("12335"))
    EnvelopeFactory(programme=programme)
    _accept(share, "12335", actor=_instructor(share))
    advance = share.agreement.payments.get(kind=Payment.Kind.ADVANCE)
    balance = share.agreement.payments.get(kind=Payment.Kind.BALANCE)
    assert (advance.amount, balance.amount) == (Decimal("8635"), Decimal("3700"))


def test_advance_schedule_and_balance_waits_for_the_report(world):
    programme = ProgrammeFactory(payment_mode=PaymentMode.ADVANCE, advance_percent=70)
    share = share_in_instruction(programme=programme, amount=Decimal("10000"))
    EnvelopeFactory(programme=programme)
    instructor = _instructor(share)
    applicant = member_of(share.application.organisation)
    _accept(share, "10000", actor=instructor)
    advance = share.agreement.payments.get(kind=Payment.Kind.ADVANCE)
    balance = share.agreement.payments.get(kind=Payment.Kind.BALANCE)
    assert (advance.amount, balance.amount) == (Decimal("7000"), Decimal("3000"))
    with pytest.raises(ValidationError, match="Le solde attend le compte-rendu financier"):
        services.set_payment_status(
            payment=balance, actor=instructor, status="paid", paid_on=timezone.localdate()
        )
    report = share.agreement.report
    assert report.due_on == datetime.date(share.application.year + 1, 6, 30)
    services.save_report(
        report=report,
        actor=applicant,
        actuals={"60": "21000", "64": "29000", "70": "20000", "74-epci": "30000"},
        review="Action réalisée.",
        submit=True,
    )
    services.review_report(report=report, actor=instructor, accept=True, comment="")
    services.set_payment_status(
        payment=balance, actor=instructor, status="paid", paid_on=timezone.localdate()
    )
    balance.refresh_from_db()
    assert balance.status == Payment.Status.PAID


def test_paid_payment_cannot_be_cancelled():
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    instructor = _instructor(share)
    _accept(share, "1000", actor=instructor)
    payment = share.agreement.payments.get()
    services.set_payment_status(
        payment=payment, actor=instructor, status="paid", paid_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="ne peut plus changer"):
        services.set_payment_status(payment=payment, actor=instructor, status="cancelled")


def test_reopening_an_acceptance_gives_the_amount_back():
    share = share_in_instruction()
    envelope = EnvelopeFactory(programme=share.programme)
    instructor = _instructor(share)
    _accept(share, "8000", actor=instructor)
    services.reopen(share=share, actor=instructor, motivation="Erreur de montant.")
    envelope.refresh_from_db()
    share.refresh_from_db()
    assert envelope.granted == 0
    assert share.status == ShareStatus.INSTRUCTION
    assert not hasattr(share, "agreement") or not FinancialReport.objects.exists()


def test_reopening_after_a_payment_is_refused():
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    instructor = _instructor(share)
    _accept(share, "8000", actor=instructor)
    services.set_payment_status(
        payment=share.agreement.payments.get(),
        actor=instructor,
        status="paid",
        paid_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="Un versement a déjà été effectué"):
        services.reopen(share=share, actor=instructor, motivation="Erreur.")


def test_unbalanced_report_is_not_submitted():
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    _accept(share, "8000")
    with pytest.raises(ValidationError, match="n'est pas équilibré"):
        services.save_report(
            report=share.agreement.report,
            actor=member_of(share.application.organisation),
            actuals={"60": "100"},
            review="Bilan.",
            submit=True,
        )


def test_envelope_cannot_drop_below_what_was_granted():
    envelope = EnvelopeFactory(amount=Decimal("1000"), granted=Decimal("800"))
    with pytest.raises(ValidationError, match="ne peut descendre sous le montant déjà accordé"):
        services.set_envelope(
            programme=envelope.programme, year=envelope.year, amount="500", actor=None
        )


def test_session_decisions_are_all_or_nothing():
    programme = ProgrammeFactory()
    EnvelopeFactory(programme=programme, amount=Decimal("10000"))
    first = share_in_instruction(programme=programme, amount=Decimal("8000"))
    second = share_in_instruction(programme=programme, amount=Decimal("8000"))
    instructor = _instructor(first)
    session = services.create_session(
        funder=programme.funder, actor=instructor, title="Comité", date=timezone.localdate()
    )
    items = [
        services.add_to_agenda(session=session, share=share, actor=instructor)
        for share in (first, second)
    ]
    with pytest.raises(ValidationError, match=second.application.reference):
        services.record_session_decisions(
            session=session,
            actor=instructor,
            decisions={
                items[0].pk: ("accepted", "8000", "Oui"),
                items[1].pk: ("accepted", "8000", "Oui"),
            },
        )
    first.refresh_from_db()
    assert first.status == ShareStatus.INSTRUCTION
    assert Envelope.objects.get(programme=programme).granted == 0


def test_request_from_an_ineligible_sector_is_refused():
    from tests.factories import sector

    application = ApplicationFactory(sector=sector("culture"))
    programme = ProgrammeFactory()
    programme.sectors.add(sector("environnement"))
    with pytest.raises(ValidationError, match="ne finance que certains secteurs"):
        services.set_share(application=application, programme=programme, actor=None, amount="100")
