"""A choropleth drawn as SVG from the city's own boundaries (no tile server): each area
shaded by its figure, with the figure written in the area and a legend. An area whose
figure is not published (combined into "Other" or hidden to protect small counts) is
hatched grey and says so; the map never shows a number the tables do not (issue 18)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

from .svgmap import MapArea

# Sequential blues, light to dark; each text colour keeps 4.5:1 contrast on its fill.
SHADES = (
    ("#deebf7", "#1f2328"),
    ("#9ecae1", "#1f2328"),
    ("#4292c6", "#ffffff"),
    ("#08519c", "#ffffff"),
)
HIDDEN = ("url(#hidden)", "#1f2328")


def _breaks(values: Sequence[int]) -> list[int]:
    """Upper bounds of up to four classes (quartiles of the shown values)."""
    ordered = sorted(values)
    if not ordered:
        return []
    cuts = sorted(
        {
            ordered[min(len(ordered) - 1, math.ceil(len(ordered) * q) - 1)]
            for q in (0.25, 0.5, 0.75, 1.0)
        }
    )
    return cuts


def choropleth(
    areas: Sequence[MapArea],
    values: Mapping[str, int | None],
    *,
    title: str,
    hidden_note: str,
    width: int = 560,
    height: int = 420,
) -> str:
    """``values``: area name -> its published figure, or None (not published: hatched,
    with ``hidden_note`` in its tooltip and the legend)."""
    legend_h = 58
    plot_h = height - legend_h
    pad = 10.0
    lats = [lat for a in areas for ring in a.rings for lat, _ in ring] or [0.0]
    lons = [lon for a in areas for ring in a.rings for _, lon in ring] or [0.0]
    s, n, w, e = min(lats), max(lats), min(lons), max(lons)
    k = math.cos(math.radians((s + n) / 2))
    scale = min((width - 2 * pad) / max((e - w) * k, 1e-6), (plot_h - 2 * pad) / max(n - s, 1e-6))
    ox = (width - (e - w) * k * scale) / 2
    oy = (plot_h - (n - s) * scale) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ox + (lon - w) * k * scale, oy + (n - lat) * scale

    shown = [v for v in values.values() if v is not None]
    cuts = _breaks(shown)

    def shade(value: int | None) -> tuple[str, str]:
        if value is None:
            return HIDDEN
        for i, cut in enumerate(cuts):
            if value <= cut:
                return SHADES[min(i + len(SHADES) - len(cuts), len(SHADES) - 1)]
        return SHADES[-1]

    described = "; ".join(
        f"{a.name}: {values.get(a.name) if values.get(a.name) is not None else hidden_note}"
        for a in areas
    )
    out = [
        f'<svg class="chart map choropleth" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title><desc>{escape(described or 'no boundaries')}</desc>",
        '<defs><pattern id="hidden" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#eef1f4"></rect>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#8c959f" stroke-width="3"></line></pattern></defs>',
    ]
    labels = []
    for area in areas:
        value = values.get(area.name)
        fill, ink = shade(value)
        text = f"{value:,}" if value is not None else "not shown"
        for ring in area.rings:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(lat, lon) for lat, lon in ring))
            out.append(
                f'<polygon points="{path}" fill="{fill}" stroke="#ffffff" stroke-width="2">'
                f"<title>{escape(area.name)}: {escape(text if value is not None else hidden_note)}</title></polygon>"
            )
        if area.label_at is not None:
            x, y = xy(*area.label_at)
            labels.append(
                f'<text x="{x:.1f}" y="{y - 2:.1f}" text-anchor="middle" fill="{ink}">{escape(area.name)}</text>'
                f'<text x="{x:.1f}" y="{y + 13:.1f}" text-anchor="middle" fill="{ink}" '
                f'font-weight="700">{escape(text)}</text>'
            )
    out += labels
    # The legend: each class's range, and the hatch for figures not published.
    y0 = plot_h + 8
    x = 8.0
    low = 0
    for i, cut in enumerate(cuts):
        fill, _ = SHADES[min(i + len(SHADES) - len(cuts), len(SHADES) - 1)]
        text = f"{low:,}-{cut:,}" if low != cut else f"{cut:,}"
        out.append(
            f'<rect x="{x:.0f}" y="{y0}" width="18" height="14" fill="{fill}" stroke="#8c959f"></rect>'
            f'<text x="{x + 22:.0f}" y="{y0 + 12}">{escape(text)}</text>'
        )
        x += 34 + 7.2 * len(text)
        low = cut + 1
    out.append(
        f'<rect x="8" y="{y0 + 24}" width="18" height="14" fill="url(#hidden)" stroke="#8c959f"></rect>'
        f'<text x="30" y="{y0 + 36}">{escape(hidden_note)}</text>'
    )
    out.append("</svg>")
    return "".join(out)
