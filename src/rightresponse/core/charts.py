"""Charts as self-contained SVG strings: no JavaScript, no CDN, readable offline.

Every chart carries a <title> and <desc> (text alternatives, WCAG 2.1 1.1.1); pages should
also offer the numbers as a table. Pure functions: data in, markup out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#0b5cad", "#b42318", "#1a7f37", "#9a6700", "#6639ba", "#2f7d6d", "#5b6b7b")


def _fmt(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if value == int(value):
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: max(1, length - 1)].rstrip() + "…"


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    width: int = 640,
    bar_height: int = 22,
    color: str = PALETTE[0],
) -> str:
    """Horizontal bars, one per label, with the value printed at the end of each bar."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    label_width = min(360, 8 + 7 * max((len(str(label)) for label in labels), default=4))
    fits = (label_width - 8) // 7  # longer labels are cut with an ellipsis, whole in <title>
    value_width = 90
    plot = max(40, width - label_width - value_width)
    top = 8
    height = top + bar_height * len(labels) + 8
    peak = max((v for v in values if v is not None), default=0) or 1
    desc = "; ".join(f"{label}: {_fmt(v)}{unit}" for label, v in zip(labels, values, strict=True))
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * bar_height
        length = max(0.0, plot * (value / peak)) if value else 0.0
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.68:.1f}" '
            f'text-anchor="end"><title>{escape(str(label))}</title>{escape(_cut(str(label), fits))}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" '
            f'height="{bar_height - 6}" fill="{color}"></rect>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.68:.1f}">'
            f"{escape(_fmt(value))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    width: int = 640,
    height: int = 240,
    target: float | None = None,
) -> str:
    """One line per series over shared x labels; gaps (None) break the line. An optional
    dashed target line supports RBA 'turn the curve' views."""
    left, right, top, bottom = 48, 12, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    points = [v for values in series.values() for v in values if v is not None]
    if target is not None:
        points.append(target)
    low, high = (min(points), max(points)) if points else (0.0, 1.0)
    low = min(low, 0.0)
    span = (high - low) or 1.0
    n = max(1, len(x_labels) - 1)

    def x_at(i: int) -> float:
        return left + plot_w * i / n

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - low) / span)

    desc = "; ".join(
        f"{name}: "
        + ", ".join(f"{x} {_fmt(v)}" for x, v in zip(x_labels, vals, strict=False) if v is not None)
        for name, vals in series.items()
    )
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#8c959f"/>',
        f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{escape(_fmt(high))}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{escape(_fmt(low))}</text>',
    ]
    step = max(1, len(x_labels) // 8)
    for i, label in enumerate(x_labels):
        if i % step == 0 or i == len(x_labels) - 1:
            parts.append(
                f'<text x="{x_at(i):.1f}" y="{height - 12}" text-anchor="middle">{escape(str(label))}</text>'
            )
    if target is not None:
        parts.append(
            f'<line x1="{left}" y1="{y_at(target):.1f}" x2="{left + plot_w}" y2="{y_at(target):.1f}" '
            f'stroke="#1a7f37" stroke-dasharray="6 4"><title>target {escape(_fmt(target))}</title></line>'
        )
    for k, (name, values) in enumerate(series.items()):
        color = PALETTE[k % len(PALETTE)]
        segments: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{x_at(i):.1f},{y_at(v):.1f}")
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(seg)}"/>'
                )
            elif seg:
                x, y = seg[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>')
        parts.append(
            f'<text x="{left + 6 + 110 * k}" y="{top + 12}" fill="{color}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _projector(
    points: Sequence[tuple[float, float]], width: int, height: int, pad: int
) -> Callable[[float, float], tuple[float, float]]:
    """Equirectangular projection fitted to the points' extent, longitude scaled by
    cos(latitude) so distances look right at city scale. No tiles, no network."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max((lon1 - lon0) * k, 0.005)
    span_y = max(lat1 - lat0, 0.005)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    mid_lat, mid_lon = (lat0 + lat1) / 2, (lon0 + lon1) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return width / 2 + (lon - mid_lon) * k * scale, height / 2 - (lat - mid_lat) * scale

    return project


def point_map(
    points: Sequence[tuple[float, float, str, str]],
    *,
    title: str,
    width: int = 560,
    height: int = 380,
    legend: dict[str, str] | None = None,
) -> str:
    """Labelled points (latitude, longitude, label, css_class) on an offline map.
    Squares are incidents (class starting with "incident"), circles are units."""
    pad = 22
    plot_h = height - (22 if legend else 0)  # the legend has its own strip under the plot
    described = "; ".join(f"{label} at {lat:.4f}, {lon:.4f}" for lat, lon, label, _ in points)
    parts = [
        f'<svg class="chart map" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape(described or 'nothing to show')}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef3f7" stroke="#d0d7de"></rect>',
    ]
    if points:
        project = _projector([(p[0], p[1]) for p in points], width, plot_h, pad)
        for lat, lon, label, css in points:
            x, y = project(lat, lon)
            name = escape(label)
            if css.startswith("incident"):
                shape = f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" class="{escape(css)}"></rect>'
            else:
                shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" class="{escape(css)}"></circle>'
            parts.append(
                f"<g><title>{name}</title>{shape}"
                f'<text x="{x + 8:.1f}" y="{y + 4:.1f}">{name}</text></g>'
            )
    x_at = 10.0
    for css, text in (legend or {}).items():
        y = height - 8
        parts.append(
            f'<circle cx="{x_at + 5:.0f}" cy="{y - 4}" r="5" class="{escape(css)}"></circle>'
            f'<text x="{x_at + 14:.0f}" y="{y}">{escape(text)}</text>'
        )
        x_at += 24 + 7 * len(text)
    parts.append("</svg>")
    return "".join(parts)


def dot_map(
    points: Sequence[tuple[float, float]],
    *,
    title: str,
    width: int = 640,
    height: int = 420,
    color: str = PALETTE[0],
) -> str:
    """Many unlabelled (latitude, longitude) points as translucent dots: call density."""
    pad = 16
    if not points:
        return (
            f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
            f'height="40" viewBox="0 0 {width} 40"><title>{escape(title)}</title>'
            "<desc>No coordinates in this dataset.</desc>"
            '<text x="8" y="24">No coordinates in this dataset.</text></svg>'
        )
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    desc = (
        f"{len(points)} call locations between latitude {min(lats):.3f} and {max(lats):.3f}, "
        f"longitude {min(lons):.3f} and {max(lons):.3f}."
    )
    project = _projector(points, width, height, pad)
    parts = [
        f'<svg class="chart map" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f6f8fa" stroke="#d0d7de"/>',
    ]
    for lat, lon in points:
        x, y = project(lat, lon)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{color}" fill-opacity="0.5"/>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(raw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least ``raw``: gridlines at round values."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(float(m * power) for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def turn_the_curve(
    x_labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    baseline: float | None = None,
    target: float | None = None,
    forecast: Sequence[float] = (),
    forecast_labels: Sequence[str] = (),
    unit: str = "",
    width: int = 560,
    height: int = 260,
) -> str:
    """A Results-Based Accountability turn-the-curve chart (Clear Impact's habit): the
    history as a solid line with its points, the forecast (where the curve heads if
    nothing changes) dashed, and the baseline and target as labelled horizontal lines.
    Sized to be read, not glanced at; the viewBox lets it shrink on a phone."""
    labels = [*x_labels, *forecast_labels[: len(forecast)]]
    left, right, top, bottom = 56, 96, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for v in values if v is not None]
    points = [*known, *forecast]
    points += [v for v in (baseline, target) if v is not None]
    low, high = (min(points), max(points)) if points else (0.0, 1.0)
    low = min(low, 0.0)
    step = _nice_step((high - low) / 4 or 1.0)
    low = math.floor(low / step) * step
    high = max(math.ceil(high / step) * step, low + step)
    ticks = max(1, round((high - low) / step))
    span = high - low
    n = max(1, len(labels) - 1)

    def x_at(i: int) -> float:
        return left + plot_w * i / n

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - low) / span)

    described = [
        "history: "
        + (
            ", ".join(
                f"{x} {_fmt(v)}{unit}"
                for x, v in zip(x_labels, values, strict=False)
                if v is not None
            )
            or "no values yet"
        )
    ]
    if forecast:
        described.append(
            "forecast: "
            + ", ".join(
                f"{x} {_fmt(v)}{unit}" for x, v in zip(forecast_labels, forecast, strict=False)
            )
        )
    for name, line in (("baseline", baseline), ("target", target)):
        described.append(f"{name}: " + (f"{_fmt(line)}{unit}" if line is not None else "not set"))
    parts = [
        f'<svg class="chart curve" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title><desc>{escape('; '.join(described))}</desc>",
    ]
    for k in range(ticks + 1):  # light gridlines at round values
        v = low + step * k
        y = y_at(v)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d0d7de"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_fmt(v))}</text>'
        )
    step = max(1, len(labels) // 6)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{x_at(i):.1f}" y="{height - 14}" text-anchor="middle">{escape(str(label))}</text>'
            )
    for name, line, color, dash in (
        ("Baseline", baseline, "#5b6b7b", "2 3"),
        ("Target", target, "#1a7f37", "8 4"),
    ):
        if line is None:
            continue
        y = y_at(line)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{color}" '
            f'stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{left + plot_w + 6}" y="{y + 4:.1f}" fill="{color}">'
            f"{name} {escape(_fmt(line))}{escape(unit)}</text>"
        )
    history = [(x_at(i), y_at(v)) for i, v in enumerate(values) if v is not None]
    if len(history) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in history)
        parts.append(
            f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="3" points="{path}"/>'
        )
    for x, y in history:
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[0]}"/>')
    if forecast and history:
        start = len(values) - 1
        last = next(v for v in reversed(values) if v is not None)
        path = " ".join(
            f"{x_at(i):.1f},{y_at(v):.1f}"
            for i, v in [(start, last), *((start + 1 + k, f) for k, f in enumerate(forecast))]
        )
        parts.append(
            f'<polyline fill="none" stroke="{PALETTE[3]}" stroke-width="3" stroke-dasharray="6 4" '
            f'points="{path}"/>'
            f'<text x="{x_at(len(labels) - 1):.1f}" y="{top + 12}" text-anchor="end" '
            f'fill="{PALETTE[3]}">Forecast</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
