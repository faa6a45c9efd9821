import pytest

from essor.territory.geo import distance_km
from essor.territory.models import Commune

PARIS = (48.8566, 2.3522)
LILLE = (50.6292, 3.0573)


def test_paris_lille_is_about_204_km():
    assert distance_km(*PARIS, *LILLE) == pytest.approx(204, abs=2)


def test_distance_is_symmetric_and_zero_on_the_same_point():
    assert distance_km(*PARIS, *LILLE) == pytest.approx(distance_km(*LILLE, *PARIS))
    assert distance_km(*PARIS, *PARIS) == 0


def test_antipodal_points_are_half_the_circumference_apart():
    assert distance_km(0, 0, 0, 180) == pytest.approx(3.141592653589793 * 6371.0088)


@pytest.mark.django_db
def test_dunkerque_gravelines_centroids_are_about_17_km_apart():
    dunkerque = Commune.objects.get(insee_code="59183")
    gravelines = Commune.objects.get(insee_code="59273")
    assert 16 < dunkerque.distance_to(gravelines) < 19.5


@pytest.mark.django_db
def test_distance_to_a_commune_without_coordinates_is_none():
    dunkerque = Commune.objects.get(insee_code="59183")
    unknown = Commune(insee_code="59999", name="Sans coordonnées")
    assert dunkerque.distance_to(unknown) is None
