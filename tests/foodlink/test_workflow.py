"""The machines of foodlink on the workflow engine: for each, a transition outside its table is
refused and a person without the right is denied; the README shows their tables."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from essor.core import workflow
from essor.foodlink import services
from essor.foodlink.models import Consultation, Offer, ProducerRevision
from tests.foodlink.factories import (
    AlertFactory,
    ConsultationFactory,
    OfferFactory,
    ProducerProfileFactory,
    make_buyer,
)

pytestmark = pytest.mark.django_db
S = Consultation.Status
README = Path(services.__file__).resolve().parent / "README.md"


def test_the_readme_shows_the_table_of_every_foodlink_machine():
    readme = README.read_text(encoding="utf-8")
    machines = [m for m in workflow.machines() if m.model._meta.app_label == "foodlink"]

    assert {m.label for m in machines} == {
        "foodlink.Consultation.status",
        "foodlink.Offer.status",
        "foodlink.ProducerRevision.status",
    }
    for machine in machines:
        assert workflow.markdown_table(machine) in readme, machine.label


def test_every_state_of_a_foodlink_machine_is_one_of_its_choices():
    for machine in workflow.machines():
        if machine.model._meta.app_label != "foodlink":
            continue
        states = {value for value, _ in machine.field.flatchoices}
        for transition in machine.transitions:
            assert {transition.source, transition.target} <= states, transition.name


# --- Consultation ------------------------------------------------------------------------------


def test_a_consultation_step_outside_the_table_is_refused(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))

    with pytest.raises(ValidationError, match="« Confirmer la livraison » est impossible"):
        workflow.perform(consultation.deliver, actor=world.users["organisation_admin"])

    assert Consultation.objects.get().status == S.DRAFT


def test_a_consultation_step_by_someone_who_does_not_manage_the_canteen_is_denied(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))

    with pytest.raises(PermissionDenied):
        workflow.perform(consultation.publish, actor=world.users["agency_admin"])

    assert Consultation.objects.get().status == S.DRAFT


def test_the_canteen_managers_are_offered_the_steps_of_the_current_state(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))

    offered = workflow.available_actions(consultation, world.users["organisation_member"])

    assert {action.name for action in offered} == {"publish", "cancel"}
    assert workflow.available_actions(consultation, world.users["agency_staff"]) == []


def test_closing_is_not_allowed_before_the_deadline_and_allowed_after(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.PUBLISHED)
    manager = world.users["organisation_admin"]
    assert not workflow.may(consultation.close, manager)
    with pytest.raises(services.FoodlinkError, match="peuvent encore répondre"):
        services.close_consultation(actor=manager, consultation=consultation)

    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    consultation.refresh_from_db()

    assert workflow.may(consultation.close, manager)
    services.close_consultation(actor=manager, consultation=consultation)
    assert Consultation.objects.get().status == S.CLOSED


# --- Offer --------------------------------------------------------------------------------------


def _closed_with_two_offers(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.CLOSED)
    offers = []
    for price in ("1.00", "1.50"):
        offer = OfferFactory(consultation=consultation, unit_price=Decimal(price))
        AlertFactory(consultation=consultation, producer=offer.producer)
        offers.append(offer)
    return consultation, offers


def test_the_award_moves_each_offer_and_logs_it(world):
    consultation, (first, second) = _closed_with_two_offers(world)
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("60")},
    )

    assert [row.label for row in workflow.history(Offer.objects.get(pk=first.pk))] == [
        "Offre retenue"
    ]
    assert [row.label for row in workflow.history(Offer.objects.get(pk=second.pk))] == [
        "Offre non retenue"
    ]


def test_an_offer_move_outside_the_table_is_refused(world):
    consultation, (first, _) = _closed_with_two_offers(world)
    services.declare_unsuccessful(
        actor=world.users["organisation_admin"], consultation=consultation, reason="Trop cher."
    )
    offer = Offer.objects.get(pk=first.pk)
    offer.awarded_quantity = Decimal("10")

    with pytest.raises(ValidationError, match="« Retenir » est impossible"):
        workflow.perform(offer.retain, actor=world.users["organisation_admin"])

    assert Offer.objects.get(pk=first.pk).status == Offer.Status.NOT_RETAINED


def test_offers_are_never_moved_by_someone_who_may_not_award(world):
    consultation, (first, _) = _closed_with_two_offers(world)

    with pytest.raises(PermissionDenied):
        services.award_consultation(
            actor=world.users["agency_admin"],
            consultation=consultation,
            quantities={first.pk: Decimal("60")},
        )

    assert set(Offer.objects.values_list("status", flat=True)) == {Offer.Status.SUBMITTED}
    # Essor moves offers: nobody is ever offered to, even the canteen's managers.
    assert workflow.available_actions(first, world.users["organisation_admin"]) == []


# --- ProducerRevision -------------------------------------------------------------------------


def _pending_revision():
    return ProducerRevision.objects.create(producer=ProducerProfileFactory(), data={"profile": {}})


def test_a_revision_decision_outside_the_table_is_refused(world):
    revision = _pending_revision()
    workflow.perform(revision.reject, actor=world.users["agency_staff"])

    with pytest.raises(ValidationError, match="« Valider » est impossible"):
        workflow.perform(revision.approve, actor=world.users["agency_staff"])

    assert ProducerRevision.objects.get().status == ProducerRevision.Status.REJECTED


def test_a_revision_decision_by_someone_outside_the_agency_is_denied(world):
    revision = _pending_revision()

    with pytest.raises(PermissionDenied):
        services.review_producer_revision(
            actor=world.users["organisation_admin"], revision=revision, approve=True
        )

    assert ProducerRevision.objects.get().status == ProducerRevision.Status.PENDING
