"""Great-circle distances between points given in WGS84 degrees (haversine formula)."""

import math

# IUGG mean Earth radius, in kilometres.
EARTH_MEAN_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    delta_phi = math.radians(lat2 - lat1)
    delta_lambda = math.radians(lon2 - lon1)
    a = (
        math.sin(delta_phi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    )
    # min() guards against a rounding error pushing `a` just above 1 for antipodal points.
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def commune_distance_km(first, second) -> float | None:
    """Distance between the centroids of two communes, or None if either has no coordinates."""
    if None in (first.latitude, first.longitude, second.latitude, second.longitude):
        return None
    return distance_km(first.latitude, first.longitude, second.latitude, second.longitude)
