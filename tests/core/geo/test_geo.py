"""Location as geometry, without a database: address normal forms, matching, coordinates
typed as a location, and areas by point-in-polygon on the demo's precinct file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightresponse.core.geo import (
    AddressPoint,
    Boundaries,
    BoundaryError,
    features_from_geojson,
    normalize_address,
    parse_coordinates,
    resolve_location,
)

PRECINCTS = Path(__file__).parents[3] / "src/rightresponse/geo/data/demo_precincts.geojson"
MIDDLES = {  # dispatch/demo.py AREAS
    "Precinct 1": (44.976, -93.272),
    "Precinct 2": (45.005, -93.245),
    "Precinct 3": (44.935, -93.245),
    "Precinct 4": (45.010, -93.300),
    "Precinct 5": (44.935, -93.305),
}


@pytest.fixture(scope="module")
def city() -> Boundaries:
    doc = json.loads(PRECINCTS.read_text())
    return Boundaries(features_from_geojson(doc, "precinct", "PRECINCT"))


def test_each_precinct_middle_is_in_its_own_polygon(city: Boundaries) -> None:
    for name, (lat, lon) in MIDDLES.items():
        assert city.areas_at(lat, lon) == {"precinct": name}


def test_a_point_outside_the_city_has_no_area(city: Boundaries) -> None:
    assert city.areas_at(44.5, -93.0) == {}


def test_typed_forms_of_one_address_share_a_normal_form() -> None:
    forms = ["2700 East Lake Street, Minneapolis MN", "2700 E LAKE ST", "2700 e. lake st apt 3"]
    assert {normalize_address(f) for f in forms} == {"2700 E LAKE ST"}


def test_coordinates_typed_as_the_location() -> None:
    assert parse_coordinates("44.948, -93.232") == (44.948, -93.232)
    assert parse_coordinates("2700 E Lake St") is None
    assert parse_coordinates("144.9, -93.2") is None  # not a latitude


def _resolver(points: list[AddressPoint]):  # type: ignore[no-untyped-def]
    by_key = {normalize_address(p.address): p for p in points}
    return (
        lambda key: by_key.get(key),
        lambda number: [p for k, p in by_key.items() if k.split(" ")[0] == number],
    )


def test_an_address_resolves_to_its_point_and_precinct(city: Boundaries) -> None:
    exact, same = _resolver([AddressPoint("2700 E Lake St", 44.9483, -93.232)])
    where = resolve_location("2700 East Lake Street", None, None, city, exact, same)
    assert (where.latitude, where.longitude, where.area) == (44.9483, -93.232, "Precinct 3")
    assert where.source == "address"
    # A typo in the street name still finds the same building; another number does not.
    assert resolve_location("2700 E Lkae St", None, None, city, exact, same).area == "Precinct 3"
    missing = resolve_location("2702 E Lake St", None, None, city, exact, same)
    assert not missing.resolved and missing.area == ""
    assert "not among the city's address points" in missing.message


def test_a_map_point_wins_over_the_typed_address(city: Boundaries) -> None:
    exact, same = _resolver([AddressPoint("2700 E Lake St", 44.9483, -93.232)])
    where = resolve_location("2700 E Lake St", 45.01, -93.30, city, exact, same)
    assert (where.source, where.area) == ("map", "Precinct 4")


def test_a_broken_boundary_file_names_the_feature() -> None:
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"P": "A"},
         "geometry": {"type": "Point", "coordinates": [0, 0]}}]}  # fmt: skip
    with pytest.raises(BoundaryError, match=r"features\[0\].*not a polygon"):
        features_from_geojson(doc, "precinct", "P")


def test_map_labels_never_overlap(city: Boundaries) -> None:
    import re

    from rightresponse.core.geo import MapArea, MapPoint, city_map

    areas = [MapArea(name, rings, city.label_point("precinct", name))
             for name, rings in city.rings("precinct")]  # fmt: skip
    # Twelve units parked within a block of each other: the unreadable cluster.
    points = [
        MapPoint(44.976 + i * 0.0004, -93.272, f"PD-{i}A", "unit-available") for i in range(12)
    ]
    svg = city_map(areas, points, title="Units")
    boxes = []
    for x, y, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="([\d.]+)"(?: class="[^"]*")? text-anchor="(\w+)">([^<]+)</text>',
        svg,
    ):
        w = 6.4 * len(text)
        left = (
            float(x) if anchor == "start" else float(x) - w if anchor == "end" else float(x) - w / 2
        )
        boxes.append((left, float(y) - 10, left + w, float(y) + 2))
    assert len(boxes) >= 5 + 3  # the precinct names and the unit labels that fit
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    # No label covers a unit's dot either (dots are 12 px across).
    for cx, cy in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg):
        dot = (float(cx) - 6, float(cy) - 6, float(cx) + 6, float(cy) + 6)
        for b in boxes:
            assert not (dot[0] < b[2] and b[0] < dot[2] and dot[1] < b[3] and b[1] < dot[3]), (
                dot,
                b,
            )
    assert svg.count("<polygon") == 5 and svg.count("<circle") == 12
