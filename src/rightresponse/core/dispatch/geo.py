"""Distances and a simple travel-time estimate; no map tiles, no routing service."""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_KM = 6371.0088
# Streets are not straight lines: a detour factor over the great-circle distance and an
# urban average speed give a travel-time estimate that orders units like a router would.
DETOUR_FACTOR = 1.3
URBAN_SPEED_KMH = 35.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def travel_minutes(km: float, speed_kmh: float = URBAN_SPEED_KMH) -> float:
    """Estimated driving minutes for a straight-line distance."""
    return km * DETOUR_FACTOR / speed_kmh * 60.0


def point_in_polygon(lat: float, lon: float, polygon: Sequence[Sequence[float]]) -> bool:
    """Ray casting over [[lat, lon], ...] (closed or open ring). Fine at city scale."""
    inside = False
    n = len(polygon)
    if n < 3:
        return False
    j = n - 1
    for i in range(n):
        yi, xi = polygon[i][0], polygon[i][1]
        yj, xj = polygon[j][0], polygon[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside
