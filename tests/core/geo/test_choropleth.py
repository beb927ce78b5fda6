"""The choropleth shows each area's published figure and hatches what is not published."""

from __future__ import annotations

from rightresponse.core.geo.choropleth import choropleth
from rightresponse.core.geo.svgmap import MapArea

SQUARE = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)]


def _area(name: str, dx: float) -> MapArea:
    return MapArea(name, [[(lat, lon + dx) for lat, lon in SQUARE]], (0.5, 0.5 + dx))


def test_values_shaded_and_hidden_ones_hatched() -> None:
    areas = [_area("North", 0), _area("South", 1), _area("Small", 2)]
    svg = choropleth(
        areas, {"North": 120, "South": 480, "Small": None}, title="Calls", hidden_note="Too few"
    )
    assert "<title>North: 120</title>" in svg and "<title>South: 480</title>" in svg
    assert "<title>Small: Too few</title>" in svg and 'fill="url(#hidden)"' in svg
    assert ">not shown<" in svg
    # A darker fill for the larger figure.
    north = svg[svg.index("<title>North") - 200 : svg.index("<title>North")]
    south = svg[svg.index("<title>South") - 200 : svg.index("<title>South")]
    assert 'fill="#08519c"' in south and 'fill="#08519c"' not in north
