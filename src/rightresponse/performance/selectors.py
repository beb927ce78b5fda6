"""Reads of the performance pillar: the catalog, fact rows from the dispatch and
ecosystem pillars (contracts 3 and 4), metric values, breakdowns with disparity ratios,
trends, scorecards, CitiStat and the tables the public may see."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from time import monotonic
from typing import Any

from django.conf import settings
from django.utils import timezone

from rightresponse.core.metrics import Catalog, Evaluator, Frame, Metric, Value, load_catalog
from rightresponse.core.metrics.catalog import fields_used
from rightresponse.core.metrics.equity import Disparity, disparity_ratios
from rightresponse.core.metrics.facts import DIMENSIONS
from rightresponse.core.metrics.scorecard import Assessment, assess, moved
from rightresponse.core.metrics.suppression import (
    MIN_CELL,
    ProtectedTable,
    protect_table,
    safe_share,
)

from . import facts_snapshot
from .models import ActionItem, CitiStatMeeting, EnteredValue, MetricTarget

CATALOG_PATH = Path(__file__).with_name("catalog") / "metrics.yaml"
FACTS_FOR_SOURCE = {"dispatch": "incidents", "referrals": "referrals"}
NEEDED_FACTS = {
    "incidents": "incident records from the dispatch pillar "
    "(rightresponse.dispatch.selectors.incident_facts)",
    "referrals": "referral records from the ecosystem pillar "
    "(rightresponse.ecosystem.selectors.referral_facts)",
    "virtual_reports": "telephone or online reports (none has been made yet)",
    "hotline_contacts": "hotline transfers or hotline calls (none has been made yet)",
}
HEADLINE = {
    "call_volume": "Calls for service",
    "time_to_dispatch": "Time to dispatch",
    "time_to_scene": "Time to arrive on scene",
    "diverted_share": "Answered without a police lead",
    "escalated_share": "Escalated from civilian to police",
}


@cache
def metrics_catalog() -> Catalog:
    return load_catalog(CATALOG_PATH)


# ---- fact rows (adapters to the other pillars' selectors)
def _fact_source(facts: str) -> Callable[..., list[dict[str, Any]]] | None:
    """The other pillar's selector, or None while it is not installed. Imported here, not
    at module level, so this app works (showing "not yet measured") before they land."""
    try:
        if facts == "incidents":
            from rightresponse.dispatch.selectors import incident_facts

            return incident_facts
        from rightresponse.ecosystem.selectors import referral_facts

        return referral_facts
    except ImportError:
        return None


# Converted frames are kept for a few seconds: several panels of one page, and people
# refreshing a dashboard together, then share one conversion. "Near real time" means at
# most this stale. Settings: RIGHTRESPONSE_METRICS_CACHE_SECONDS (0 turns it off).
_FRAMES: dict[tuple[Any, ...], tuple[float, Frame]] = {}
_FRAMES_KEPT = 4


def _cache_seconds() -> float:
    # Off under test by default, so that a test sees the rows it has just written.
    default = 0 if getattr(settings, "TESTING", False) else 30
    return float(getattr(settings, "RIGHTRESPONSE_METRICS_CACHE_SECONDS", default))


def fact_frames(
    start: datetime | None, end: datetime | None, dimensions: Iterable[str] | None = None
) -> dict[str, Frame]:
    """Frames of every kind of facts whose selector exists, for [start, end), with the
    columns the catalog's computations and the given breakdown ``dimensions`` need."""
    frames = {}
    catalog = metrics_catalog()
    ttl = _cache_seconds()
    now = monotonic()
    for facts in ("incidents", "referrals"):
        source = _fact_source(facts)
        if source is None:
            continue
        fields = frozenset(fields_used(catalog, facts, dimensions))
        key = (facts, start, end, source)
        cached = _FRAMES.get(key) if ttl > 0 else None
        if cached is not None and cached[0] > now and fields <= set(cached[1].kinds_loaded()):
            frames[facts] = cached[1]
            continue
        frame = _frame(facts, source, start, end, fields)
        frames[facts] = frame
        if ttl > 0:
            while len(_FRAMES) >= _FRAMES_KEPT:
                del _FRAMES[min(_FRAMES, key=lambda k: _FRAMES[k][0])]
            _FRAMES[key] = (now + ttl, frame)
    frames.update(record_frames(start, end, dimensions))
    return frames


def record_frames(
    start: datetime | None, end: datetime | None, dimensions: Iterable[str] | None = None
) -> dict[str, Frame]:
    """Frames of the virtual reports and hotline contacts (issue 13), read from their own
    small tables on every request: no snapshot, stamp or cache (issue 17), so a report or
    transfer is in the next request's figures. A kind never recorded is left out ("not
    yet measured", never zero)."""
    from rightresponse.intake.selectors import RECORD_FACTS, record_facts_exist

    catalog = metrics_catalog()
    frames = {}
    for facts, source in RECORD_FACTS.items():
        if not record_facts_exist(facts):
            continue
        fields = fields_used(catalog, facts, dimensions)
        frames[facts] = Frame.from_rows(facts, source(start, end), fields)
    return frames


def _frame(
    facts: str,
    source: Callable[..., list[dict[str, Any]]],
    start: datetime | None,
    end: datetime | None,
    fields: frozenset[str],
) -> Frame:
    """From the facts snapshot when it is on (performance.facts_snapshot: a year of a
    large city's incidents stays interactive from a fresh process, issue 5); else
    incidents come as columns (no dict per row), other facts as rows."""
    if facts_snapshot.enabled() and facts_snapshot.serves(facts, source):
        return facts_snapshot.fact_frame(facts, start, end, fields)
    if facts == "incidents" and getattr(source, "__name__", "") == "incident_facts":
        from rightresponse.dispatch.selectors import incident_facts_columns

        columns = incident_facts_columns(start, end, fields)
        return Frame.from_columns(facts, columns, len(columns["incident_id"]), fields)
    return Frame.from_rows(facts, source(start, end), fields)


DASHBOARD_DIMENSIONS = ("incident_type", "area", "responder_type", "outcome")


# ---- periods
def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive, as people say it

    @property
    def start_at(self) -> datetime:
        return day_start(self.start)

    @property
    def end_at(self) -> datetime:
        return day_start(self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    def previous(self) -> Period:
        length = self.end - self.start + timedelta(days=1)
        return Period(self.start - length, self.start - timedelta(days=1))


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - timedelta(days=364), today)


def complete_months_back(end: date, count: int) -> list[Period]:
    """The ``count`` whole months up to ``end``. When ``end`` falls inside a month (today,
    say), the trend ends with the month before: the first days of a month read as a fall,
    and would feed the forecast and the on/off-track assessment."""
    if end.day != calendar.monthrange(end.year, end.month)[1]:
        end = end.replace(day=1) - timedelta(days=1)
    return months_back(end, count)


def months_back(end: date, count: int) -> list[Period]:
    periods = []
    year, month = end.year, end.month
    for _ in range(count):
        last = calendar.monthrange(year, month)[1]
        periods.append(Period(date(year, month, 1), date(year, month, last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


# ---- metric values
@dataclass
class MetricView:
    metric: Metric
    measured: bool
    value: Value | None = None
    needs: str = ""
    entered: EnteredValue | None = None
    groups: dict[str, Value] = field(default_factory=dict)

    @property
    def display(self) -> str:
        if not self.measured:
            return "Not yet measured"
        return format_value(self.metric, self.value.value if self.value else None)

    @property
    def median_display(self) -> str:
        if self.value is None or self.value.median is None:
            return ""
        return format_value(self.metric, self.value.median)


def format_value(metric: Metric, value: float | None) -> str:
    if value is None:
        return "No events"
    if metric.unit == "count":
        return f"{value:,.0f}"
    if metric.unit == "percent":
        return f"{value:.1f}%"
    if metric.unit == "per_incident":
        return f"{value:.2f} per incident"
    return f"{value:,.1f}{metric.unit_suffix}"


def scope_filter(
    area: str = "", category: str = "", programme: str = ""
) -> dict[str, dict[str, Any]]:
    """Filters on the facts for an area, an incident category and a programme (the
    responder programme of the protocol, e.g. community_responder)."""
    incidents: dict[str, Any] = {}
    if area:
        incidents["area"] = area
    if programme:
        incidents["responder_type"] = programme
    if category:
        incidents["category"] = category
    scope: dict[str, dict[str, Any]] = {"incidents": incidents}
    if category:
        scope["referrals"] = {"incident_category": category}
    # Reports and hotline contacts carry the area and category of their call (no programme:
    # such metrics say "not recorded by programme").
    records = {k: v for k, v in incidents.items() if k in ("area", "category")}
    scope["virtual_reports"] = scope["hotline_contacts"] = records
    return scope


def _entered_for(
    metric: Metric, period: Period, area: str = "", programme: str = ""
) -> EnteredValue | None:
    return (
        EnteredValue.objects.filter(
            metric_id=metric.id,
            period_end__gte=period.start,
            period_start__lte=period.end,
            area=area,
            dimension="programme" if programme else "",
            group=programme,
        )
        .select_related("entered_by")
        .order_by("-period_end", "-entered_at")
        .first()
    )


def metric_views(
    period: Period,
    *,
    area: str = "",
    category: str = "",
    programme: str = "",
    frames: dict[str, Frame] | None = None,
    metrics: Iterable[Metric] | None = None,
) -> dict[str, MetricView]:
    """Every metric for the period: computed ones from the fact frames, entered ones from
    the latest value entered for the period; "not yet measured" (never zero) otherwise."""
    catalog = metrics_catalog()
    frames = fact_frames(period.start_at, period.end_at) if frames is None else frames
    evaluator = Evaluator(
        frames, period.start_at, period.end_at, scope_filter(area, category, programme)
    )
    views: dict[str, MetricView] = {}
    for metric in metrics if metrics is not None else catalog:
        if metric.compute is not None:
            facts = {
                metric.compute["facts"],
                metric.compute.get("per_facts", metric.compute["facts"]),
            }
            missing = [NEEDED_FACTS[f] for f in sorted(facts) if f not in frames]
            if missing:
                views[metric.id] = MetricView(
                    metric, False, needs="Needs " + " and ".join(missing) + "."
                )
                continue
            if area and not carries(metric, "area"):
                views[metric.id] = MetricView(
                    metric,
                    False,
                    needs="Not recorded by area (referral records carry no area): clear the area filter.",
                )
                continue
            if programme and not carries(metric, "responder_type"):
                views[metric.id] = MetricView(
                    metric, False, needs="Not recorded by programme: clear the programme filter."
                )
                continue
            result = evaluator.compute(metric.compute, metric.default_breakdown)
            views[metric.id] = MetricView(metric, True, result.total, groups=result.groups)
        else:
            entered = None if category else _entered_for(metric, period, area, programme)
            if entered is None:
                views[metric.id] = MetricView(metric, False, needs=metric.needs)
            else:
                views[metric.id] = MetricView(
                    metric, True, Value(entered.value, events=0), entered=entered
                )
    return views


def carries(metric: Metric, dimension: str) -> bool:
    """Do all the facts a computed metric reads carry ``dimension``?"""
    if metric.compute is None:
        return True
    facts = {metric.compute["facts"], metric.compute.get("per_facts", metric.compute["facts"])}
    return all(f in DIMENSIONS[dimension][1] for f in facts)


def metric_trend(
    metric: Metric,
    periods: list[Period],
    frames: dict[str, Frame] | None = None,
    area: str = "",
    programme: str = "",
) -> list[float | None]:
    """The metric's value in each period (None where there is none)."""
    if metric.compute is not None:
        if frames is None:
            frames = fact_frames(periods[0].start_at, periods[-1].end_at)
        if (
            metric.compute["facts"] not in frames
            or metric.compute.get("per_facts", "incidents") not in frames
        ):
            return [None for _ in periods]
        if (area and not carries(metric, "area")) or (
            programme and not carries(metric, "responder_type")
        ):
            return [None for _ in periods]
        scope = scope_filter(area, programme=programme)
        return [
            Evaluator(frames, p.start_at, p.end_at, scope).compute(metric.compute).total.value
            for p in periods
        ]
    values = {
        (v.period_start, v.period_end): v.value
        for v in EnteredValue.objects.filter(
            metric_id=metric.id,
            area=area,
            dimension="programme" if programme else "",
            group=programme,
        )
    }
    out: list[float | None] = []
    for p in periods:
        inside = [val for (s, e), val in values.items() if p.start <= e <= p.end]
        out.append(inside[-1] if inside else None)
    return out


@dataclass
class Breakdown:
    metric: Metric
    dimension: str
    total: Value | None
    rows: list[tuple[str, Value, Disparity]]
    available: bool = True
    reason: str = ""


def metric_breakdown(metric: Metric, dimension: str, period: Period, area: str = "") -> Breakdown:
    """The metric by one dimension, with each group's disparity ratio against the
    city-wide value (report lines 374-379)."""
    if dimension not in metric.breakdowns:
        return Breakdown(
            metric, dimension, None, [], False, "This breakdown is not defined for this metric."
        )
    if metric.compute is None:
        rows = EnteredValue.objects.filter(
            metric_id=metric.id,
            dimension=dimension,
            period_end__gte=period.start,
            period_start__lte=period.end,
        )
        groups = {v.group: Value(v.value) for v in rows}
        overall = _entered_for(metric, period, area)
        total = Value(overall.value) if overall else None
    else:
        frames = fact_frames(period.start_at, period.end_at, {dimension, "area", "incident_type"})
        if metric.compute["facts"] not in frames:
            return Breakdown(
                metric,
                dimension,
                None,
                [],
                False,
                "Not yet measured: needs " + NEEDED_FACTS[metric.compute["facts"]] + ".",
            )
        result = Evaluator(frames, period.start_at, period.end_at, scope_filter(area)).compute(
            metric.compute, dimension
        )
        groups, total = result.groups, result.total
    reference = total.value if total else None
    ratios = disparity_ratios(
        {g: (v.value, v.events) for g, v in groups.items()}, reference, MIN_CELL
    )
    by_group = {d.group: d for d in ratios}
    rows_out = [(g, groups[g], by_group[g]) for g in sorted(groups)]
    return Breakdown(metric, dimension, total, rows_out)


# ---- scorecards
@dataclass
class ScorecardRow:
    view: MetricView
    target: MetricTarget | None
    trend: list[float | None]
    assessment: Assessment
    sparkline: str = ""  # SVG, drawn by the view


def scorecard(
    metrics: list[Metric],
    period: Period,
    *,
    area: str = "",
    scope: str = "city",
    scope_name: str = "",
    months: int = 12,
) -> list[ScorecardRow]:
    periods = complete_months_back(period.end, months)
    frames = fact_frames(min(periods[0].start_at, period.start_at), period.end_at)
    programme = scope_name if scope == "programme" else ""
    views = metric_views(period, area=area, programme=programme, frames=frames, metrics=metrics)
    targets = {
        t.metric_id: t
        for t in MetricTarget.objects.filter(
            metric_id__in=[m.id for m in metrics], scope=scope, scope_name=scope_name
        )
    }
    rows = []
    for metric in metrics:
        trend = metric_trend(metric, periods, frames, area, programme)
        target = targets.get(metric.id)
        status = assess(
            trend if any(v is not None for v in trend) else [],
            metric.direction,
            baseline=target.baseline if target else None,
            target=target.target if target else None,
        )
        rows.append(ScorecardRow(views[metric.id], target, trend, status))
    return rows


def scorecard_metrics(committee: str = "", with_targets_only: bool = False) -> list[Metric]:
    catalog = metrics_catalog()
    metrics = [m for m in catalog if not committee or m.committee == committee]
    if with_targets_only:
        targeted = set(MetricTarget.objects.values_list("metric_id", flat=True))
        metrics = [m for m in metrics if m.id in targeted or m.computed]
    return metrics


# ---- CitiStat
@dataclass
class Movement:
    metric: Metric
    current: float | None
    previous: float | None
    owner: str


def citistat_movements(meeting: CitiStatMeeting) -> list[Movement]:
    """Metrics of the meeting's committee whose value moved by 10% or more against the
    period before (of the same length)."""
    catalog = metrics_catalog()
    period = Period(meeting.period_start, meeting.period_end)
    previous = period.previous()
    metrics = [m for m in catalog if not meeting.committee or m.committee == meeting.committee]
    frames = fact_frames(previous.start_at, period.end_at)
    now = metric_views(period, frames=frames, metrics=metrics)
    before = metric_views(previous, frames=frames, metrics=metrics)
    out = []
    for metric in metrics:
        a, b = now[metric.id], before[metric.id]
        current = a.value.value if a.measured and a.value else None
        prior = b.value.value if b.measured and b.value else None
        if (a.measured or b.measured) and moved(current, prior):
            out.append(Movement(metric, current, prior, catalog.committees[metric.committee].name))
    return out


def citistat_meetings() -> list[CitiStatMeeting]:
    return list(CitiStatMeeting.objects.prefetch_related("items"))


def action_items_open(meeting: CitiStatMeeting) -> list[ActionItem]:
    return list(meeting.items.filter(status=ActionItem.OPEN))


def previous_meeting(
    committee: str, before: date, exclude_id: int | None = None
) -> CitiStatMeeting | None:
    qs = CitiStatMeeting.objects.filter(committee=committee, held_on__lte=before)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-held_on", "-id").first()


# ---- public tables
@dataclass
class PublicFigure:
    metric: Metric
    group: str
    value: float | None  # None: suppressed or no events
    note: str


@dataclass
class PublicDashboard:
    period: Period
    measured: bool
    needs: str
    volume: ProtectedTable | None = None
    diverted: ProtectedTable | None = None
    figures: list[PublicFigure] = field(default_factory=list)


def _cross_tab(
    evaluator: Evaluator, frame: Frame, spec: dict[str, Any], row_field: str, col_field: str
) -> tuple[dict[tuple[str, str], int], list[str], list[str]]:
    population = evaluator.mask(spec.get("facts", "incidents"), spec.get("where"))
    row_codes, row_labels = frame.group_labels(row_field)
    col_codes, col_labels = frame.group_labels(col_field)
    counts: dict[tuple[str, str], int] = {}
    for r, c in zip(row_codes[population].tolist(), col_codes[population].tolist(), strict=True):
        key = (row_labels[r], col_labels[c])
        counts[key] = counts.get(key, 0) + 1
    rows = sorted({k[0] for k in counts})
    cols = sorted({k[1] for k in counts})
    return counts, rows, cols


PUBLIC_RATES = (
    "time_to_answer",
    "time_to_dispatch",
    "time_to_scene",
    "time_to_closure",
    "diverted_share",
    "civilian_response_share",
    "escalated_share",
    "deescalated_share",
    "co_response_civilian_led_share",
    "hotline_elevated_share",
    "virtual_share_of_volume",
    "location_recurrence_share",
    "use_of_force_share",
    "eligible_not_served_share",
    "referral_connection_rate",
)


def public_dashboard(period: Period, frames: dict[str, Frame] | None = None) -> PublicDashboard:
    """Aggregates only: counts by incident type and by responder type against area with
    small cells protected; rates city-wide and by area only where they rest on enough
    events that no count below 11 can be worked back. ``frames`` may span more than the
    period (the trend reads its quarters' facts once)."""
    catalog = metrics_catalog()
    frames = fact_frames(period.start_at, period.end_at) if frames is None else frames
    if "incidents" not in frames:
        return PublicDashboard(period, False, "Needs " + NEEDED_FACTS["incidents"] + ".")
    evaluator = Evaluator(frames, period.start_at, period.end_at)
    incidents = frames["incidents"]
    volume_spec = dict(catalog.metrics["call_volume"].compute or {})
    diverted_spec = dict(catalog.metrics["diverted_count"].compute or {})
    dash = PublicDashboard(period, True, "")
    dash.volume = protect_table(*_cross_tab(evaluator, incidents, volume_spec, "category", "area"))
    dash.diverted = protect_table(
        *_cross_tab(evaluator, incidents, diverted_spec, "responder_type", "area")
    )
    areas = dash.volume.cols if not dash.volume.too_few else []
    for metric_id in PUBLIC_RATES:
        metric = catalog.metrics[metric_id]
        if metric.compute is None or metric.compute["facts"] not in frames:
            continue
        for area in ["", *[a for a in areas if a != "Other" and carries(metric, "area")]]:
            scoped = (
                evaluator
                if not area
                else Evaluator(frames, period.start_at, period.end_at, scope_filter(area))
            )
            value = scoped.compute(metric.compute).total
            dash.figures.append(_public_figure(metric, area or "City-wide", value))
    return dash


def _public_figure(metric: Metric, group: str, value: Value) -> PublicFigure:
    if value.value is None:
        return PublicFigure(metric, group, None, "no events")
    if metric.unit == "percent":
        if (
            value.numerator is None
            or value.denominator is None
            or not safe_share(int(value.numerator), int(value.denominator))
        ):
            return PublicFigure(
                metric, group, None, f"suppressed: fewer than {MIN_CELL} events on one side"
            )
    elif value.events < MIN_CELL:
        return PublicFigure(metric, group, None, f"suppressed: fewer than {MIN_CELL} events")
    return PublicFigure(metric, group, value.value, "")


def entered_values(metric_id: str | None = None, limit: int = 200) -> list[EnteredValue]:
    qs = EnteredValue.objects.select_related("entered_by")
    if metric_id:
        qs = qs.filter(metric_id=metric_id)
    return list(qs.order_by("-entered_at")[:limit])


def targets_for(metric_id: str) -> list[MetricTarget]:
    return list(MetricTarget.objects.filter(metric_id=metric_id))


def areas_and_categories(frames: dict[str, Frame]) -> tuple[list[str], list[str]]:
    frame = frames.get("incidents")
    if frame is None:
        return [], []
    areas = sorted(x for x in frame.labels.get("area", []) if x)
    categories = sorted(x for x in frame.labels.get("category", []) if x)
    return areas, categories


def dimension_label(dimension: str) -> str:
    return DIMENSIONS[dimension][0]
