"""Maps drawn as SVG from the city's own boundaries (no tile server is reachable): the
boundaries are the base layer, points carry labels placed so that no two overlap (a label
that cannot be placed is left to the point's tooltip and the map's description)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

CHAR_W, LABEL_H = 6.4, 12.0  # 11 px sans-serif, measured closely enough for collisions


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    label: str
    css: str  # "incident…" draws a square, anything else a circle


@dataclass(frozen=True)
class MapArea:
    name: str
    rings: Sequence[Sequence[tuple[float, float]]]  # [(lat, lon), ...] outer rings
    label_at: tuple[float, float] | None = None


Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _bounds(areas: Sequence[MapArea], points: Sequence[MapPoint]) -> Box:
    lats = [lat for a in areas for ring in a.rings for lat, _ in ring]
    lons = [lon for a in areas for ring in a.rings for _, lon in ring]
    if not lats:
        lats = [p.latitude for p in points] or [0.0]
        lons = [p.longitude for p in points] or [0.0]
    return min(lats), min(lons), max(lats), max(lons)


def city_map(
    areas: Sequence[MapArea],
    points: Sequence[MapPoint],
    *,
    title: str,
    width: int = 560,
    height: int = 420,
    css_class: str = "map",
) -> str:
    """The SVG; ``data-bounds`` (south, west, north, east) and ``data-pad`` let a page turn
    a click into coordinates. Points outside the boundaries' extent are kept in view."""
    pad = 14.0
    s, w, n, e = _bounds(areas, points)
    for p in points:  # keep every point in view
        s, n = min(s, p.latitude), max(n, p.latitude)
        w, e = min(w, p.longitude), max(e, p.longitude)
    if n - s < 1e-6:
        s, n = s - 0.005, n + 0.005
    if e - w < 1e-6:
        w, e = w - 0.005, e + 0.005
    # Equirectangular with the latitude's cosine, scaled to fit, centred.
    k = math.cos(math.radians((s + n) / 2))
    scale = min((width - 2 * pad) / ((e - w) * k), (height - 2 * pad) / (n - s))
    ox = (width - (e - w) * k * scale) / 2
    oy = (height - (n - s) * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - w) * k * scale, oy + (n - lat) * scale

    described = "; ".join(p.label for p in points) or "nothing to show"
    out = [
        f'<svg class="{escape(css_class)}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'data-bounds="{s},{w},{n},{e}" data-scale="{scale:.6f}" data-k="{k:.6f}" '
        f'data-ox="{ox:.3f}" data-oy="{oy:.3f}">',
        f"<title>{escape(title)}</title><desc>{escape(described)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" class="map-bg"></rect>',
    ]
    taken: list[Box] = []
    for area in areas:
        for ring in area.rings:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lat, lon) for lat, lon in ring))
            out.append(
                f'<polygon points="{path}" class="map-area"><title>{escape(area.name)}</title></polygon>'
            )
    marks = [(xy(p.latitude, p.longitude), p) for p in points]
    for (x, y), _point in marks:  # the marks first: no label may cover a mark
        taken.append((x - 7, y - 7, x + 7, y + 7))
    drawn: list[str] = []
    for (x, y), p in marks:  # then the points' labels: they matter more than area names
        name = escape(p.label)
        shape = (
            f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" class="{escape(p.css)}"></rect>'
            if p.css.startswith("incident")
            else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="{escape(p.css)}"></circle>'
        )
        text_w = CHAR_W * len(p.label)
        label = ""
        for dx, dy, anchor in (
            (9, 4, "start"),
            (-9, 4, "end"),
            (0, -10, "middle"),
            (0, 18, "middle"),
        ):
            left = (
                x + dx
                if anchor == "start"
                else x + dx - text_w
                if anchor == "end"
                else x - text_w / 2
            )
            box = (left - 1, y + dy - LABEL_H + 1, left + text_w + 1, y + dy + 3)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                label = (
                    f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">{name}</text>'
                )
                break
        drawn.append(f"<g><title>{name}</title>{shape}{label}</g>")
    for area in areas:  # last, area names where they still fit (the outline says the rest)
        if area.label_at is None:
            continue
        x, y = xy(*area.label_at)
        text_w = CHAR_W * len(area.name)
        for dy in (0, -14, 14, -28, 28):
            box = (x - text_w / 2 - 1, y + dy - LABEL_H + 3, x + text_w / 2 + 1, y + dy + 5)
            if not any(_overlaps(box, t) for t in taken):
                taken.append(box)
                out.append(
                    f'<text x="{x:.1f}" y="{y + dy + 4:.1f}" class="map-area-label" '
                    f'text-anchor="middle">{escape(area.name)}</text>'
                )
                break
    out += drawn
    out.append("</svg>")
    return "".join(out)
