"""The demo city's places: precinct boundaries (data/demo_precincts.geojson, imported like a
city's own file) and address points for the streets and places the demo's calls use.

Both are approximations drawn for the demo (five polygons tiling Minneapolis around the
demo's precinct middles; house numbers placed along real street lines by the city's
block numbering), not the city's official files: a city imports its own with
``rightresponse import-boundaries`` and ``rightresponse import-addresses``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import AddressPoint, Boundary
from .services import address_points_import, boundaries_import

DATA = Path(__file__).parent / "data"
BLOCK_LAT = 0.00098  # one hundred-block north-south, degrees of latitude
BLOCK_LON = 0.0017  # one hundred-block east-west, degrees of longitude
NICOLLET_LON, DOWNTOWN_LAT = -93.278, 44.9775  # where south and east/west numbering start

# Avenues running north-south in south Minneapolis: (name, longitude).
SOUTH_AVENUES = [("Nicollet Ave", -93.2778), ("Lyndale Ave S", -93.2882), ("Hennepin Ave", -93.2983),
                 ("Chicago Ave", -93.2623), ("Portland Ave", -93.2676), ("Cedar Ave", -93.2473),
                 ("Bloomington Ave", -93.2523), ("Harriet Ave", -93.2858)]  # fmt: skip
# Streets running east-west: (name, latitude); numbers grow both ways from Nicollet.
EAST_WEST = [("Lake St", 44.9483), ("Franklin Ave", 44.9626)]
# North Minneapolis and northeast: (name, longitude, latitude of the 0 block).
NORTH = [("Penn Ave N", -93.3087, 44.978), ("Emerson Ave N", -93.2940, 44.978),
         ("Central Ave NE", -93.2473, 44.985)]  # fmt: skip
PLACES = [
    ("Loring Park, north entrance", 44.9697, -93.2838),
    ("Lake St & 27th Ave", 44.9483, -93.2335),
    ("Nicollet Mall & 8th St", 44.9755, -93.2735),
    ("Broadway & Emerson", 44.9990, -93.2940),
    ("Linden Hills Park", 44.9245, -93.3155),
    ("900 Hennepin Ave", 44.9763, -93.2763),
    ("800 Hennepin Ave", 44.9770, -93.2750),
]


def demo_address_points() -> list[tuple[str, float, float]]:
    rows: list[tuple[str, float, float]] = []
    for name, lon in SOUTH_AVENUES:
        rows += [(f"{n} {name}", round(DOWNTOWN_LAT - n / 100 * BLOCK_LAT, 6), lon)
                 for n in range(1500, 5500, 100)]  # fmt: skip
    for name, lat in EAST_WEST:
        for side, sign in (("E", 1), ("W", -1)):
            rows += [(f"{n} {side} {name}", lat, round(NICOLLET_LON + sign * n / 100 * BLOCK_LON, 6))
                     for n in range(100, 4000, 100)]  # fmt: skip
    for name, lon, lat0 in NORTH:
        rows += [(f"{n} {name}", round(lat0 + n / 100 * BLOCK_LAT, 6), lon)
                 for n in range(100, 4500, 100)]  # fmt: skip
    for n in range(100, 2700, 100):
        rows.append((f"{n} W Broadway Ave", 44.9990, round(-93.270 - n / 100 * 0.0009, 6)))
    return rows + PLACES


def seed(stdout: Any) -> None:
    if not Boundary.objects.filter(layer="precinct").exists():
        doc = json.loads((DATA / "demo_precincts.geojson").read_text())
        count = boundaries_import(doc, "precinct", "PRECINCT", "demo_precincts.geojson")
        stdout.write(f"  {count} precinct boundaries")
    if not AddressPoint.objects.exists():
        count = address_points_import(demo_address_points(), "demo address points")
        stdout.write(f"  {count} address points")
