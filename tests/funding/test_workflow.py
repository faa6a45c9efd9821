"""The funding machines on the workflow engine: a share, an application (derived from its shares),
a payment, a financial report, a committee session. Each refuses a move outside its table and a
person without the right; the application's state follows its shares; the README shows the
tables."""

import itertools
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from essor.core import workflow
from essor.core.models import AuditLogEntry
from essor.funding import services
from essor.funding.models import (
    Application,
    Attachment,
    CommitteeSession,
    FinancialReport,
    Payment,
    Share,
    ShareStatus,
    derived_application_status,
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
S = ShareStatus
A = Application.Status
README = Path(__file__).resolve().parents[2] / "essor" / "funding" / "README.md"


# --- the application's state, derived from its shares -------------------------------------------


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ((S.DRAFT, S.DRAFT), A.DRAFT),
        ((S.SUBMITTED, S.SUBMITTED), A.SUBMITTED),
        ((S.INSTRUCTION, S.SUBMITTED), A.INSTRUCTION),
        ((S.ACCEPTED, S.SUBMITTED), A.INSTRUCTION),  # one decided, the other not yet
        ((S.ACCEPTED, S.INSTRUCTION), A.INSTRUCTION),
        ((S.ACCEPTED, S.REFUSED), A.DECIDED),  # both decided
        ((S.CLOSED, S.ACCEPTED), A.DECIDED),
        ((S.CORRECTION, S.ACCEPTED), A.CORRECTION),  # one sent back
        ((S.CORRECTION, S.SUBMITTED), A.CORRECTION),
        ((S.INSTRUCTION, S.REFUSED), A.INSTRUCTION),  # a decision reopened
    ],
)
def test_the_state_of_an_application_asking_two_funders(shares, expected):
    assert derived_application_status(shares) == expected


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        ((S.SUBMITTED, S.SUBMITTED, S.SUBMITTED), A.SUBMITTED),
        ((S.ACCEPTED, S.SUBMITTED, S.SUBMITTED), A.INSTRUCTION),  # one decided
        ((S.ACCEPTED, S.REFUSED, S.INSTRUCTION), A.INSTRUCTION),  # two decided
        ((S.ACCEPTED, S.REFUSED, S.CLOSED), A.DECIDED),  # all three decided
        ((S.ACCEPTED, S.CORRECTION, S.INSTRUCTION), A.CORRECTION),  # one sent back
        ((S.ACCEPTED, S.REFUSED, S.CORRECTION), A.CORRECTION),
        ((S.ACCEPTED, S.INSTRUCTION, S.CLOSED), A.INSTRUCTION),  # one decision reopened
    ],
)
def test_the_state_of_an_application_asking_three_funders(shares, expected):
    assert derived_application_status(shares) == expected


def _share_moves():
    """(source, target) of every move of the share machine."""
    machine = next(m for m in workflow.machines() if m.model is Share)
    return [(t.source, t.target) for t in machine.transitions]


@pytest.mark.parametrize("funders", [1, 2, 3])
def test_every_move_of_a_share_has_its_move_of_the_application(funders):
    # Whatever the states of the other shares, a share's move takes the application from the
    # state they derived to a state its machine reaches in one transition.
    moves = _share_moves()
    application = Application(reference="T", title="T", year=2026, organisation_id=1)
    for states in itertools.product(S.values, repeat=funders):
        for index, state in enumerate(states):
            for source, target in moves:
                if source != state:
                    continue
                after = (*states[:index], target, *states[index + 1 :])
                before_state = derived_application_status(states)
                after_state = derived_application_status(after)
                if before_state == after_state:
                    continue
                application.__dict__["status"] = before_state
                move = workflow.transition_to(application, "status", after_state)
                assert move is not None, (states, after, before_state, after_state)


@pytest.fixture
def two_funders():
    """A deposited application asking two funders, each with its instructor."""
    application = ApplicationFactory(year=timezone.localdate().year)
    balanced_budget(application, subsidy=Decimal("40000"))
    for kind in services.REQUIRED_ATTACHMENTS:  # rows only: the deposit checks their kinds
        Attachment.objects.create(
            application=application,
            kind=kind,
            file=f"funding/tests/{kind}.pdf",
            original_name=f"{kind}.pdf",
            size=9,
            content_type="application/pdf",
        )
    shares = []
    for name in ("Communauté urbaine", "Région"):
        programme = ProgrammeFactory(funder__organisation__name=name)
        EnvelopeFactory(programme=programme)
        shares.append(
            ShareFactory(
                application=application,
                programme=programme,
                amount_requested=Decimal("20000"),
                status=S.SUBMITTED,
            )
        )
    instructors = [instructor_of(share.programme.funder) for share in shares]
    application.refresh_from_db()
    return application, shares, instructors


def _status(application):
    return Application.objects.get(pk=application.pk).status


def test_the_application_follows_the_moves_of_its_shares(two_funders):
    application, (cud, region), (cud_instructor, region_instructor) = two_funders
    assert _status(application) == A.SUBMITTED

    services.start_instruction(share=cud, actor=cud_instructor)
    assert _status(application) == A.INSTRUCTION

    services.decide(
        share=cud, actor=cud_instructor, outcome=S.ACCEPTED, amount="15000", motivation="Oui."
    )
    assert _status(application) == A.INSTRUCTION  # the Région has not decided

    services.request_corrections(share=region, actor=region_instructor, motivation="Le RIB.")
    assert _status(application) == A.CORRECTION

    region.refresh_from_db()
    services.submit_application(
        application=application,
        actor=member_of(application.organisation),
        declarant_name="Jeanne Martin",
    )
    assert _status(application) == A.INSTRUCTION

    services.start_instruction(share=region, actor=region_instructor)
    services.decide(share=region, actor=region_instructor, outcome=S.REFUSED, motivation="Non.")
    assert _status(application) == A.DECIDED

    services.reopen(share=cud, actor=cud_instructor, motivation="Montant à revoir.")
    assert _status(application) == A.INSTRUCTION


def test_the_application_moves_are_logged_as_essors_with_their_cause(two_funders):
    application, (cud, _), (cud_instructor, _) = two_funders
    services.start_instruction(share=cud, actor=cud_instructor)

    (row,) = workflow.history(application)

    assert (row.label, row.source, row.target, row.by) == (
        "Dossier en instruction",
        "Déposé",
        "En instruction",
        None,
    )
    assert row.reason == "Communauté urbaine : Demande mise en instruction."
    entry = AuditLogEntry.objects.get(action="funding.application.instruct")
    assert entry.actor is None and entry.target_id == str(application.pk)


def test_an_application_is_never_moved_by_a_person(two_funders, world):
    application, _, _ = two_funders
    for user in world.users.values():
        assert workflow.available_actions(application, user) == []
        assert not workflow.may(application.mark_in_instruction, user)


def test_an_application_refuses_a_move_outside_its_table(two_funders):
    application, _, _ = two_funders

    with pytest.raises(ValidationError, match="est impossible"):
        workflow.perform(application.mark_reopened, actor=None)

    assert _status(application) == A.SUBMITTED


# --- a share -------------------------------------------------------------------------------------


def test_a_share_refuses_a_move_outside_its_table():
    share = ShareFactory(status=S.DRAFT)

    with pytest.raises(ValidationError, match="« Commencer l'instruction » est impossible"):
        services.start_instruction(share=share, actor=instructor_of(share.programme.funder))

    share.refresh_from_db()
    assert share.status == S.DRAFT
    assert not StateLog.objects.for_(share).exists()


def test_an_instructor_of_another_funder_cannot_decide_a_share():
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    other = instructor_of(ProgrammeFactory().funder)

    with pytest.raises(PermissionDenied):
        services.decide(share=share, actor=other, outcome=S.REFUSED, motivation="Non.")

    share.refresh_from_db()
    assert share.status == S.INSTRUCTION


def test_an_instructor_not_listed_on_the_programme_cannot_move_its_share():
    share = share_in_instruction()
    instructor_of(share.programme.funder, programme=share.programme)
    unlisted = instructor_of(share.programme.funder)

    with pytest.raises(PermissionDenied):
        services.request_corrections(share=share, actor=unlisted, motivation="Le RIB.")


def test_an_instructor_cannot_deposit_the_structures_request(world):
    share = ShareFactory(status=S.CORRECTION)

    with pytest.raises(PermissionDenied):
        workflow.perform(share.submit, actor=instructor_of(share.programme.funder))


def test_a_share_move_writes_its_log_and_one_audit_entry():
    share = share_in_instruction()
    instructor = instructor_of(share.programme.funder)

    services.request_corrections(share=share, actor=instructor, motivation="Le RIB est illisible.")

    log = StateLog.objects.for_(share).get()
    assert (log.source_state, log.state, log.transition, log.by) == (
        "instruction",
        "correction",
        "request_correction",
        instructor,
    )
    assert log.description == "Le RIB est illisible."
    entries = AuditLogEntry.objects.filter(target_type="funding.share", target_id=str(share.pk))
    assert [entry.action for entry in entries] == ["funding.share.request_correction"]


def test_the_share_page_offers_only_the_allowed_actions_and_shows_the_log(client):
    share = share_in_instruction()
    instructor = instructor_of(share.programme.funder)
    services.request_corrections(share=share, actor=instructor, motivation="Le RIB est illisible.")
    client.force_login(instructor)

    response = client.get(reverse("funding:share_detail", args=[share.pk]))

    offered = dict(response.context["decision_form"].fields["action"].choices)
    assert offered == {"close": "Classer sans suite"}
    page = response.content.decode()
    assert "Demande renvoyée pour correction" in page and "Le RIB est illisible." in page


# --- a payment -----------------------------------------------------------------------------------


@pytest.fixture
def accepted():
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    instructor = instructor_of(share.programme.funder)
    services.decide(
        share=share, actor=instructor, outcome=S.ACCEPTED, amount="8000", motivation="Oui."
    )
    share.refresh_from_db()
    return share, instructor


def test_a_payment_refuses_a_move_outside_its_table(accepted):
    share, instructor = accepted
    payment = share.agreement.payments.get()
    services.set_payment_status(payment=payment, actor=instructor, status=Payment.Status.CANCELLED)

    with pytest.raises(ValidationError, match="il ne peut plus changer"):
        services.set_payment_status(
            payment=payment,
            actor=instructor,
            status=Payment.Status.PAID,
            paid_on=timezone.localdate(),
        )

    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.CANCELLED


def test_another_funders_instructor_cannot_record_a_payment(accepted):
    share, _ = accepted
    payment = share.agreement.payments.get()

    with pytest.raises(PermissionDenied):
        services.set_payment_status(
            payment=payment,
            actor=instructor_of(ProgrammeFactory().funder),
            status=Payment.Status.PAID,
            paid_on=timezone.localdate(),
        )

    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SCHEDULED


# --- a financial report --------------------------------------------------------------------------

ACTUALS = {"60": "20000", "64": "30000", "70": "20000", "74-epci": "30000"}


def test_a_report_refuses_a_move_outside_its_table(accepted):
    share, instructor = accepted

    with pytest.raises(ValidationError, match="Seul un compte-rendu remis"):
        services.review_report(
            report=share.agreement.report, actor=instructor, accept=True, comment=""
        )

    assert FinancialReport.objects.get(agreement__share=share).status == "pending"


def test_only_the_structure_hands_its_report_in(accepted):
    share, instructor = accepted

    with pytest.raises(PermissionDenied):
        services.save_report(
            report=share.agreement.report,
            actor=instructor,
            actuals=ACTUALS,
            review="Bilan.",
            submit=True,
        )


def test_only_the_funder_reviews_the_report(accepted):
    share, _ = accepted
    applicant = member_of(share.application.organisation)
    report = share.agreement.report
    services.save_report(
        report=report, actor=applicant, actuals=ACTUALS, review="Bilan.", submit=True
    )

    with pytest.raises(PermissionDenied):
        services.review_report(report=report, actor=applicant, accept=True, comment="")

    assert FinancialReport.objects.get(pk=report.pk).status == "submitted"


def test_a_report_sent_back_says_what_to_complete_in_its_log(accepted):
    share, instructor = accepted
    report = share.agreement.report
    services.save_report(
        report=report,
        actor=member_of(share.application.organisation),
        actuals=ACTUALS,
        review="Bilan.",
        submit=True,
    )
    services.review_report(
        report=report, actor=instructor, accept=False, comment="Joignez les factures."
    )

    assert [(row.label, row.reason) for row in workflow.history(report)] == [
        ("Compte-rendu financier remis", ""),
        ("Compte-rendu financier renvoyé pour complément", "Joignez les factures."),
    ]


# --- a committee session -------------------------------------------------------------------------


@pytest.fixture
def session_with_agenda():
    share = share_in_instruction(amount=Decimal("5000"))
    EnvelopeFactory(programme=share.programme)
    instructor = instructor_of(share.programme.funder)
    session = services.create_session(
        funder=share.programme.funder, actor=instructor, title="Comité", date=timezone.localdate()
    )
    item = services.add_to_agenda(session=session, share=share, actor=instructor)
    return session, item, instructor


def test_a_session_refuses_a_move_outside_its_table(session_with_agenda):
    session, item, instructor = session_with_agenda
    decisions = {item.pk: ("refused", "", "Non.")}
    services.record_session_decisions(session=session, actor=instructor, decisions=decisions)

    with pytest.raises(ValidationError, match="déjà enregistrées"):
        services.record_session_decisions(session=session, actor=instructor, decisions=decisions)

    assert StateLog.objects.for_(session).count() == 1


def test_another_funders_instructor_cannot_hold_a_session(session_with_agenda):
    session, item, _ = session_with_agenda

    with pytest.raises(PermissionDenied):
        services.record_session_decisions(
            session=session,
            actor=instructor_of(ProgrammeFactory().funder),
            decisions={item.pk: ("refused", "", "Non.")},
        )

    assert CommitteeSession.objects.get(pk=session.pk).status == "planned"


# --- the tables ------------------------------------------------------------------------------------


def test_every_funding_machine_covers_all_its_states():
    machines = [m for m in workflow.machines() if m.model._meta.app_label == "funding"]
    assert {m.label for m in machines} == {
        "funding.Application.status",
        "funding.Share.status",
        "funding.Payment.status",
        "funding.FinancialReport.status",
        "funding.CommitteeSession.status",
    }
    for machine in machines:
        reached = {t.source for t in machine.transitions} | {t.target for t in machine.transitions}
        assert reached == {value for value, _ in machine.field.flatchoices}, machine.label


def test_the_readme_shows_the_tables_of_the_machines():
    out = StringIO()
    call_command("workflow_tables", "--module", "funding", stdout=out)
    assert out.getvalue().strip() in README.read_text(encoding="utf-8")
