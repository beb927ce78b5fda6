"""What the public dashboard draws from its published figures (issue 18): the trend over
the published quarters, the precinct map and what changed since the last quarter.

Every figure here is one the public tables of that quarter already publish (the volume
table's totals, the city-wide rates), read from ``selectors.public_dashboard`` after its
small-cell protection: nothing new is computed, so the protection of issue 10 (fixed
calendar quarters, suppression, "Other") holds on the charts and the map as on the tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rightresponse.core import charts
from rightresponse.core.dictionary import duration, meaning
from rightresponse.core.geo.choropleth import choropleth
from rightresponse.core.geo.svgmap import MapArea
from rightresponse.core.metrics import Frame
from rightresponse.core.metrics.catalog import Metric
from rightresponse.core.metrics.publication import Quarter
from rightresponse.core.metrics.scorecard import MOVEMENT_LABELS, movement

from . import selectors as sel

TREND_QUARTERS = 8
ONE_DAY = timedelta(days=1)


def quarter_dashboard(
    quarter: Quarter, frames: dict[str, Frame] | None = None
) -> sel.PublicDashboard:
    return sel.public_dashboard(sel.Period(quarter.start, quarter.end), frames)


def city_figure(dash: sel.PublicDashboard, metric_id: str) -> float | None:
    """The city-wide published value of a rate (None: suppressed or no events)."""
    for figure in dash.figures:
        if figure.metric.id == metric_id and figure.group == "City-wide":
            return figure.value
    return None


def total_calls(dash: sel.PublicDashboard) -> int | None:
    if not dash.measured or dash.volume is None or dash.volume.too_few:
        return None
    return dash.volume.total


def recent_dashboards(
    quarter: Quarter, choices: list[Quarter]
) -> dict[Quarter, sel.PublicDashboard]:
    """The published dashboards of ``quarter`` and the quarters before it that the trend
    draws, from one read of their facts (a read per quarter took seconds)."""
    shown = [q for q in choices if q <= quarter][:TREND_QUARTERS] or [quarter]
    oldest = min(shown)
    frames = sel.fact_frames(sel.day_start(oldest.start), sel.day_start(quarter.end + ONE_DAY))
    return {q: quarter_dashboard(q, frames) for q in shown}


def trend_charts(dashboards: dict[Quarter, sel.PublicDashboard]) -> list[tuple[str, str]]:
    """Calls per quarter and the share answered without a police lead, over the published
    quarters up to the one shown (oldest first)."""
    shown = sorted(dashboards)
    if len(shown) < 2:
        return []
    dashes = [dashboards[q] for q in shown]
    calls = [total_calls(d) for d in dashes]
    diverted = [city_figure(d, "diverted_share") for d in dashes]
    # Quarters before the first published figure are not part of the story: start there.
    first = next((i for i, v in enumerate(calls) if v is not None), len(calls))
    labels = [f"Q{q.number} {q.year}" for q in shown][first:]
    calls, diverted = calls[first:], diverted[first:]
    out = []
    if len(labels) >= 2 and any(v is not None for v in calls):
        title = "Calls for service per quarter"
        numbers = [float(v) if v is not None else None for v in calls]
        out.append((title, charts.turn_the_curve(labels, numbers, title=title)))
    if len(labels) >= 2 and any(v is not None for v in diverted):
        title = "Share of calls answered without a police lead, per quarter"
        out.append((title, charts.turn_the_curve(labels, diverted, title=title, unit="%")))
    return out


def precinct_map(dash: sel.PublicDashboard, areas: list[MapArea]) -> str:
    """Calls per precinct, shaded, from the volume table's published column totals. A
    precinct with too few calls to publish (combined into "Other", or none) is hatched
    and shows no number."""
    if not areas or dash.volume is None or dash.volume.too_few:
        return ""
    totals = dash.volume.col_totals
    values: dict[str, int | None] = {a.name: totals.get(a.name) for a in areas}
    return choropleth(
        areas,
        values,
        title="Calls for service by precinct",
        hidden_note="Too few calls to show",
    )


@dataclass(frozen=True)
class Change:
    name: str
    meaning: str
    before: str
    now: str
    way: str
    way_label: str


def public_value(metric: Metric, value: float | None) -> str:
    """A published figure as a resident reads it: times in minutes and seconds."""
    if value is not None and metric.unit == "minutes":
        return duration(value * 60)
    return sel.format_value(metric, value)


def _shown(metric: Metric | None, value: float | None) -> str:
    if value is None:
        return "not published"
    if metric is None:
        return f"{value:,.0f}"
    return public_value(metric, value)


def changes(
    dash: sel.PublicDashboard,
    before: sel.PublicDashboard,
    metrics: dict[str, Metric],
    names: dict[str, str],
) -> list[Change]:
    """This quarter against the quarter before, figure by figure, better or worse by the
    measure's direction of good (calls for service have none: only "changed")."""
    out = []
    now_calls, before_calls = total_calls(dash), total_calls(before)
    way = movement(now_calls, before_calls, "none")
    out.append(
        Change(
            "Calls for service",
            "All calls received in the quarter.",
            _shown(None, before_calls),
            _shown(None, now_calls),
            way,
            MOVEMENT_LABELS[way],
        )
    )
    for metric_id in sel.PUBLIC_RATES:
        metric = metrics[metric_id]
        a, b = city_figure(dash, metric_id), city_figure(before, metric_id)
        if a is None and b is None:
            continue
        way = movement(a, b, metric.direction)
        out.append(
            Change(
                names.get(metric_id, metric.numerator),
                meaning(metric_id) or metric.plain,
                _shown(metric, b),
                _shown(metric, a),
                way,
                MOVEMENT_LABELS[way],
            )
        )
    return out
