"""Row locks: a locking query with joins names the table it means to lock. On PostgreSQL,
`select_related` + `select_for_update` locks every joined row (the programme, the funder, the
structure…), so that a decision would block unrelated writers; `of=("self",)` locks the row alone.

The check reads the queries the ORM runs (their `Query` objects), so it holds on every database,
SQLite included, where `FOR UPDATE` itself is not written."""

from decimal import Decimal

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from essor.funding import services
from essor.funding.models import Payment, PaymentMode, ShareStatus
from tests.funding.factories import (
    EnvelopeFactory,
    ProgrammeFactory,
    instructor_of,
    member_of,
    share_in_instruction,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def locks(monkeypatch):
    """Every locking query run: (model, whether its SQL joins another table, its `of`)."""
    seen = []
    execute = SQLCompiler.execute_sql

    def spy(self, *args, **kwargs):
        if self.query.select_for_update:
            sql, _ = self.as_sql()
            seen.append(
                (self.query.model.__name__, " JOIN " in sql, self.query.select_for_update_of)
            )
        return execute(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", spy)
    return seen


def test_every_locking_query_with_joins_names_the_table_it_locks(locks):
    programme = ProgrammeFactory(payment_mode=PaymentMode.ADVANCE)
    EnvelopeFactory(programme=programme, amount=Decimal("100000"))
    instructor = instructor_of(programme.funder, programme=programme)
    share = share_in_instruction(programme=programme)
    applicant = member_of(share.application.organisation)
    session = services.create_session(
        funder=programme.funder, actor=instructor, title="Comité", date=timezone.localdate()
    )
    item = services.add_to_agenda(session=session, share=share, actor=instructor)
    services.record_session_decisions(
        session=session, actor=instructor, decisions={item.pk: ("accepted", "8000", "Oui.")}
    )
    services.reopen(share=share, actor=instructor, motivation="Montant à revoir.")
    services.decide(
        share=share,
        actor=instructor,
        outcome=ShareStatus.ACCEPTED,
        amount="8000",
        motivation="Oui.",
    )
    share.refresh_from_db()
    advance = share.agreement.payments.get(kind=Payment.Kind.ADVANCE)
    services.set_payment_status(
        payment=advance, actor=instructor, status="paid", paid_on=timezone.localdate()
    )
    report = share.agreement.report
    services.save_report(
        report=report,
        actor=applicant,
        actuals={"60": "20000", "64": "30000", "70": "20000", "74-epci": "30000"},
        review="Action menée.",
        submit=True,
    )
    services.review_report(report=report, actor=instructor, accept=True, comment="")

    joined = [(model, of) for model, joins, of in locks if joins]
    assert joined, "the scenario runs locking queries with joins"
    assert [(model, of) for model, of in joined if not of] == []


def test_a_share_move_locks_its_application_before_the_share(locks):
    # Two funders moving their shares of one application are then serialised: the second derives
    # the application's state from the first's result (see test_concurrency).
    share = share_in_instruction()
    EnvelopeFactory(programme=share.programme)
    instructor = instructor_of(share.programme.funder)
    moves = [
        lambda: services.request_corrections(share=share, actor=instructor, motivation="RIB."),
        lambda: services.decide(
            share=share, actor=instructor, outcome=ShareStatus.CLOSED, motivation="Retiré."
        ),
        lambda: services.reopen(share=share, actor=instructor, motivation="Repris."),
        lambda: services.decide(
            share=share,
            actor=instructor,
            outcome=ShareStatus.ACCEPTED,
            amount="5000",
            motivation="Oui.",
        ),
    ]
    for move in moves:
        locks.clear()
        move()
        assert [model for model, _, _ in locks][:2] == ["Application", "Share"]
