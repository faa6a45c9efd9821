import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from django_fsm_log.models import StateLog

from essor.core.models import AuditLogEntry
from essor.foodlink import services
from essor.foodlink.models import Award, Consultation, Offer, Purchase
from tests.factories import MembershipFactory, UserFactory
from tests.foodlink.factories import (
    AlertFactory,
    CertificationFactory,
    ConsultationFactory,
    OfferFactory,
    ProducerProfileFactory,
    ProductFactory,
    make_buyer,
    make_producer,
)

pytestmark = pytest.mark.django_db
S = Consultation.Status


def _past(consultation):
    Consultation.objects.filter(pk=consultation.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    consultation.refresh_from_db()
    return consultation


def test_transition_table_refuses_a_skipped_state(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    with pytest.raises(ValidationError, match="« Émettre les bons de commande » est impossible"):
        services.issue_purchase_orders(
            actor=world.users["organisation_admin"], consultation=consultation
        )
    assert Consultation.objects.get().status == S.DRAFT


def test_a_step_by_someone_who_does_not_manage_the_canteen_is_denied(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    with pytest.raises(PermissionDenied):
        services.cancel_consultation(
            actor=world.users["agency_staff"], consultation=consultation, reason="Doublon"
        )
    assert Consultation.objects.get().status == S.DRAFT


def test_every_transition_is_logged_with_its_reason(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    services.cancel_consultation(
        actor=world.users["organisation_admin"], consultation=consultation, reason="Menu modifié"
    )
    entry = AuditLogEntry.objects.get(action="foodlink.consultation.cancel")
    assert entry.changes == {"état": ["Brouillon", "Annulée"]}
    assert entry.message == "Menu modifié"
    assert entry.actor == world.users["organisation_admin"]
    log = StateLog.objects.for_(consultation).get()
    assert (log.source_state, log.state, log.transition, log.description) == (
        "draft",
        "cancelled",
        "cancel",
        "Menu modifié",
    )
    assert log.by == world.users["organisation_admin"]


def test_cancelling_requires_a_reason(world):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    with pytest.raises(ValidationError) as error:
        services.cancel_consultation(
            actor=world.users["organisation_admin"], consultation=consultation, reason="  "
        )
    assert "Indiquez le motif" in error.value.message_dict["reason"][0]


def test_create_refuses_a_delivery_window_in_the_past(world):
    buyer = make_buyer(world.structure)
    with pytest.raises(services.FoodlinkError) as error:
        services.create_consultation(
            actor=world.users["organisation_admin"],
            buyer=buyer,
            title="Yaourts",
            family="PRODUITS_LAITIERS",
            product="Yaourts nature",
            quantity=Decimal("200"),
            unit="piece",
            delivery_start=timezone.localdate() - datetime.timedelta(days=1),
            delivery_end=timezone.localdate() + datetime.timedelta(days=3),
            max_distance_km=30,
            deadline=timezone.now() + datetime.timedelta(hours=2),
        )
    assert "dans le passé" in error.value.message_dict["delivery_start"][0]


def test_create_refuses_unknown_characteristic_codes(world):
    buyer = make_buyer(world.structure)
    with pytest.raises(services.FoodlinkError) as error:
        services.create_consultation(
            actor=None,
            buyer=buyer,
            title="Yaourts",
            family="PRODUITS_LAITIERS",
            product="Yaourts",
            quantity=Decimal("200"),
            unit="piece",
            delivery_start=timezone.localdate() + datetime.timedelta(days=5),
            delivery_end=timezone.localdate() + datetime.timedelta(days=6),
            max_distance_km=30,
            deadline=timezone.now() + datetime.timedelta(hours=2),
            required_characteristics=["BIOLOGIQUE"],
        )
    assert "BIOLOGIQUE" in error.value.message_dict["required_characteristics"][0]


def test_database_refuses_a_distance_outside_5_to_100_km():
    with pytest.raises(IntegrityError):
        ConsultationFactory(max_distance_km=150)


def test_publishing_alerts_matching_producers_in_essor_and_by_email(
    world, django_capture_on_commit_callbacks
):
    producer = make_producer(world.other_structure)
    ProductFactory(producer=producer)
    member = MembershipFactory(
        organisation=world.other_structure, user=UserFactory(email="fermier@example.org")
    ).user
    consultation = ConsultationFactory(buyer=make_buyer(world.structure))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.publish_consultation(
            actor=world.users["organisation_admin"], consultation=consultation
        )
    assert count == 1
    assert consultation.alerts.get().producer == producer
    assert member.notifications.count() == 1
    assert [message.to for message in mail.outbox] == [["fermier@example.org"]]


def _published_with_producer(world, **consultation_fields):
    producer = make_producer(world.other_structure)
    consultation = ConsultationFactory(
        buyer=make_buyer(world.structure), status=S.PUBLISHED, **consultation_fields
    )
    AlertFactory(consultation=consultation, producer=producer)
    return consultation, producer


def test_offer_before_the_deadline_is_recorded(world):
    consultation, producer = _published_with_producer(world)
    offer = services.submit_offer(
        actor=None,
        consultation=consultation,
        producer=producer,
        unit_price=Decimal("1.10"),
        quantity=Decimal("80"),
    )
    assert offer.status == Offer.Status.SUBMITTED


def test_offer_after_the_deadline_is_refused(world):
    consultation, producer = _published_with_producer(world)
    _past(consultation)
    with pytest.raises(services.FoodlinkError, match="date limite de réponse est passée"):
        services.submit_offer(
            actor=None,
            consultation=consultation,
            producer=producer,
            unit_price=Decimal("1"),
            quantity=Decimal("10"),
        )


def test_offer_above_the_asked_quantity_is_refused(world):
    consultation, producer = _published_with_producer(world)
    with pytest.raises(services.FoodlinkError) as error:
        services.submit_offer(
            actor=None,
            consultation=consultation,
            producer=producer,
            unit_price=Decimal("1"),
            quantity=Decimal("101"),
        )
    assert "dépasse la quantité demandée" in error.value.message_dict["quantity"][0]


def test_offer_with_a_zero_price_is_refused(world):
    consultation, producer = _published_with_producer(world)
    with pytest.raises(services.FoodlinkError) as error:
        services.submit_offer(
            actor=None,
            consultation=consultation,
            producer=producer,
            unit_price=Decimal("0"),
            quantity=Decimal("10"),
        )
    assert "strictement positif" in error.value.message_dict["unit_price"][0]


def test_offer_claiming_an_expired_certification_is_refused(world):
    consultation, producer = _published_with_producer(world)
    CertificationFactory(producer=producer, code="BIO", expires_on=consultation.delivery_start)
    with pytest.raises(services.FoodlinkError) as error:
        services.submit_offer(
            actor=None,
            consultation=consultation,
            producer=producer,
            unit_price=Decimal("1"),
            quantity=Decimal("10"),
            characteristics=["BIO"],
        )
    assert "expirée" in error.value.message_dict["characteristics"][0]


def test_producer_not_alerted_cannot_offer(world):
    consultation, _ = _published_with_producer(world)
    with pytest.raises(services.FoodlinkError, match="pas été sollicité"):
        services.submit_offer(
            actor=None,
            consultation=consultation,
            producer=ProducerProfileFactory(),
            unit_price=Decimal("1"),
            quantity=Decimal("10"),
        )


def _closed_with_offers(world, *prices):
    consultation = ConsultationFactory(buyer=make_buyer(world.structure), status=S.CLOSED)
    offers = []
    for price in prices:
        producer = ProducerProfileFactory()
        AlertFactory(consultation=consultation, producer=producer)
        offers.append(
            OfferFactory(consultation=consultation, producer=producer, unit_price=Decimal(price))
        )
    return consultation, offers


def test_award_of_several_offers_with_partial_quantities(world):
    consultation, (first, second, third) = _closed_with_offers(world, "1.00", "1.10", "1.50")
    outcome = services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("60"), second.pk: Decimal("40")},
    )
    assert outcome.award.total_amount == Decimal("104.00")
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "retained", second.pk: "retained", third.pk: "not_retained"}
    consultation.refresh_from_db()
    assert consultation.status == S.AWARDED


def test_award_refuses_more_than_was_asked(world):
    consultation, (first, second) = _closed_with_offers(world, "1.00", "1.10")
    with pytest.raises(services.FoodlinkError, match="dépassent la quantité demandée"):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={first.pk: Decimal("80"), second.pk: Decimal("80")},
        )
    assert not Award.objects.exists()


def test_award_refuses_more_than_the_offer(world):
    consultation, (first,) = _closed_with_offers(world, "1.00")
    OfferFactory._meta.model.objects.filter(pk=first.pk).update(quantity=Decimal("30"))
    with pytest.raises(services.FoodlinkError, match="dépasse la quantité proposée"):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={first.pk: Decimal("40")},
        )


def test_a_consultation_is_awarded_once(world):
    consultation, (first,) = _closed_with_offers(world, "1.00")
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("10")},
    )
    with pytest.raises(services.FoodlinkError, match="déjà été attribuée"):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={first.pk: Decimal("20")},
        )
    assert Offer.objects.get(pk=first.pk).awarded_quantity == Decimal("10")


def test_database_refuses_a_second_award_row(world):
    consultation, _ = _closed_with_offers(world, "1.00")
    Award.objects.create(consultation=consultation, total_amount=Decimal("1"))
    with pytest.raises(IntegrityError):
        Award.objects.create(consultation=consultation, total_amount=Decimal("2"))


def test_published_consultation_past_its_deadline_closes_when_awarded(world):
    consultation, producer = _published_with_producer(world)
    offer = OfferFactory(consultation=consultation, producer=producer)
    _past(consultation)
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={offer.pk: Decimal("100")},
    )
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="foodlink.consultation.").values_list(
            "action", flat=True
        )
    )
    assert "foodlink.consultation.close" in actions and "foodlink.consultation.award" in actions


def test_retained_and_other_producers_are_told(world, django_capture_on_commit_callbacks):
    consultation, (first, second) = _closed_with_offers(world, "1.00", "2.00")
    winner = MembershipFactory(organisation=first.producer.organisation).user
    loser = MembershipFactory(organisation=second.producer.organisation).user
    with django_capture_on_commit_callbacks(execute=True):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={first.pk: Decimal("100")},
        )
    assert "est retenue" in winner.notifications.get().message
    assert "n'a pas été retenue" in loser.notifications.get().message
    assert len(mail.outbox) == 2


def test_delivery_turns_the_award_into_purchases(world):
    consultation, (first,) = _closed_with_offers(world, "2.50")
    first.characteristics = ["HVE", "FRANCE"]
    first.save()
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("40")},
    )
    services.issue_purchase_orders(
        actor=world.users["organisation_admin"], consultation=consultation
    )
    services.confirm_delivery(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        delivered_on=timezone.localdate(),
    )
    purchase = Purchase.objects.get()
    assert purchase.price_ht == Decimal("100.00")
    assert purchase.egalim_group == "other"
    assert purchase.characteristics == ["HVE"]
    assert purchase.is_short_chain and purchase.offer == first


def test_the_delivered_purchase_rounds_the_distance_half_up(world):
    # 12.5 km: round() would say 12 (half to even).
    consultation, (first,) = _closed_with_offers(world, "2.50")
    consultation.alerts.update(distance_km=12.5)
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("40")},
    )
    services.issue_purchase_orders(
        actor=world.users["organisation_admin"], consultation=consultation
    )
    services.confirm_delivery(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        delivered_on=timezone.localdate(),
    )
    assert Purchase.objects.get().local_definition_km == 13


def test_delivery_cannot_be_confirmed_twice(world):
    consultation, (first,) = _closed_with_offers(world, "2.50")
    services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={first.pk: Decimal("40")},
    )
    services.issue_purchase_orders(
        actor=world.users["organisation_admin"], consultation=consultation
    )
    services.confirm_delivery(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        delivered_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError, match="« Confirmer la livraison » est impossible"):
        services.confirm_delivery(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            delivered_on=timezone.localdate(),
        )
    assert Purchase.objects.count() == 1


def test_award_amounts_round_half_up(world):
    # 0.5 kg at 2.25 € is 1.125 €: half to even would say 1.12 €.
    consultation, (offer,) = _closed_with_offers(world, "2.25")
    outcome = services.award_consultation(
        actor=world.users["organisation_admin"],
        consultation=consultation,
        quantities={offer.pk: Decimal("0.5")},
    )
    offer.refresh_from_db()
    assert outcome.award.total_amount == Decimal("1.13")
    assert offer.awarded_amount == Decimal("1.13")


def test_the_order_number_carries_the_year_of_paris():
    # 23:30 UTC on 31 December 2026 is already 2027 in Paris.
    consultation = ConsultationFactory(
        awarded_at=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    )
    offer = OfferFactory(consultation=consultation)
    assert offer.order_number.startswith("BC-2027-")


def test_the_alert_email_writes_the_deadline_and_quantity_in_french(
    world, django_capture_on_commit_callbacks
):
    producer = make_producer(world.other_structure)
    ProductFactory(producer=producer)
    MembershipFactory(organisation=world.other_structure, user=UserFactory())
    consultation = ConsultationFactory(
        buyer=make_buyer(world.structure),
        quantity=Decimal("1250.5"),
        # 23:30 UTC on 5 December is 00:30 on 6 December in Paris.
        deadline=datetime.datetime(2099, 12, 5, 23, 30, tzinfo=datetime.UTC),
        delivery_start=datetime.date(2099, 12, 10),
        delivery_end=datetime.date(2099, 12, 20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_consultation(
            actor=world.users["organisation_admin"], consultation=consultation
        )
    [message] = mail.outbox
    assert "(1\u202f250,5 kg)" in message.body
    assert "avant le 6 décembre 2099 à 00:30." in message.body


def test_the_retained_producer_reads_quantity_and_price_in_french(
    world, django_capture_on_commit_callbacks
):
    consultation, (offer,) = _closed_with_offers(world, "2.50")
    winner = MembershipFactory(organisation=offer.producer.organisation).user
    with django_capture_on_commit_callbacks(execute=True):
        services.award_consultation(
            actor=world.users["organisation_admin"],
            consultation=consultation,
            quantities={offer.pk: Decimal("12.5")},
        )
    assert "12,5 kg à 2,50\u00a0€ HT l'unité" in winner.notifications.get().message
