import datetime

import pytest
from django.utils import timezone

from essor.foodlink import selectors
from essor.foodlink.models import months_to_mask
from tests.foodlink.factories import (
    DUNKERQUE,
    CertificationFactory,
    ConsultationFactory,
    ProducerProfileFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

# About 0.009° of latitude per kilometre.
KM = 1 / 111.2


def _producer(km_north: float = 5, radius: int = 50, **kwargs):
    producer = ProducerProfileFactory(
        latitude=DUNKERQUE[0] + km_north * KM,
        longitude=DUNKERQUE[1],
        delivery_radius_km=radius,
        **kwargs,
    )
    ProductFactory(producer=producer)
    return producer


def _matched(consultation) -> list[int]:
    return [row["pk"] for row in selectors.matching_for(consultation)]


def test_producer_near_enough_matches():
    producer = _producer(km_north=10)
    assert _matched(ConsultationFactory(max_distance_km=20)) == [producer.pk]


def test_producer_beyond_the_consultations_distance_is_left_out():
    _producer(km_north=30)
    assert _matched(ConsultationFactory(max_distance_km=20)) == []


def test_producer_whose_radius_does_not_reach_the_place_is_left_out():
    _producer(km_north=15, radius=10)
    assert _matched(ConsultationFactory(max_distance_km=50)) == []


def test_unpublished_producer_is_left_out():
    _producer(is_published=False)
    assert _matched(ConsultationFactory()) == []


def test_producer_of_another_family_is_left_out():
    producer = ProducerProfileFactory()
    ProductFactory(producer=producer, family="PRODUITS_LAITIERS")
    assert _matched(ConsultationFactory(family="FRUITS_ET_LEGUMES")) == []


def test_product_out_of_season_is_left_out():
    start = timezone.localdate() + datetime.timedelta(days=20)
    other_months = [m for m in range(1, 13) if m not in (start.month, (start.month % 12) + 1)]
    producer = ProducerProfileFactory()
    ProductFactory(producer=producer, months_mask=months_to_mask(other_months[:3]))
    consultation = ConsultationFactory(
        delivery_start=start, delivery_end=start + datetime.timedelta(days=2)
    )
    assert _matched(consultation) == []


def test_product_in_season_during_the_delivery_window_matches():
    start = timezone.localdate() + datetime.timedelta(days=20)
    producer = ProducerProfileFactory()
    ProductFactory(producer=producer, months_mask=months_to_mask([start.month]))
    consultation = ConsultationFactory(
        delivery_start=start, delivery_end=start + datetime.timedelta(days=1)
    )
    assert _matched(consultation) == [producer.pk]


def test_required_certification_must_be_held():
    _producer()
    assert _matched(ConsultationFactory(required_characteristics=["BIO"])) == []


def test_certification_expiring_before_delivery_does_not_count():
    producer = _producer()
    consultation = ConsultationFactory(required_characteristics=["BIO"])
    CertificationFactory(
        producer=producer,
        code="BIO",
        expires_on=consultation.delivery_end - datetime.timedelta(days=1),
    )
    assert _matched(consultation) == []


def test_certification_valid_at_delivery_matches():
    producer = _producer()
    consultation = ConsultationFactory(required_characteristics=["BIO"])
    CertificationFactory(producer=producer, code="BIO", expires_on=consultation.delivery_end)
    assert _matched(consultation) == [producer.pk]


def test_nearest_producers_come_first_then_most_certified():
    far = _producer(km_north=20)
    near_plain = _producer(km_north=5)
    near_certified = _producer(km_north=5)
    CertificationFactory(producer=near_certified, code="HVE")
    assert _matched(ConsultationFactory()) == [near_certified.pk, near_plain.pk, far.pk]


def test_matching_takes_one_query(django_assert_num_queries):
    for km in range(5):
        _producer(km_north=km)
    consultation = ConsultationFactory(required_characteristics=["BIO", "HVE"])
    with django_assert_num_queries(1):
        selectors.matching_for(consultation)


def test_producer_just_inside_its_radius_to_the_east_matches():
    # 29.9 km due east of the place, radius 30 km: the preselection boxes must keep it.
    import math

    km_per_degree_lon = 111.195 * math.cos(math.radians(DUNKERQUE[0]))
    producer = ProducerProfileFactory(
        latitude=DUNKERQUE[0],
        longitude=DUNKERQUE[1] + 29.9 / km_per_degree_lon,
        delivery_radius_km=30,
    )
    ProductFactory(producer=producer)
    assert _matched(ConsultationFactory(max_distance_km=100)) == [producer.pk]
