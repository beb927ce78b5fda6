"""The landscape of need: Ibis expressions over imported calls (any Ibis backend).

Every function takes an Ibis table with the canonical columns (ingest.CANONICAL_SCHEMA)
and returns plain rows; nothing here knows which engine runs it, so the same code runs
on DuckDB (the default), Polars (tested) or Apache Spark (tested:
tests/analytics/test_analytics_spark.py; analytics/engines.py).

Report requirements: analyse what drives calls, response times and outcomes (~1111);
how often calls resolve differently than first classified and the risk matrix (~1125-1137);
police workload and full-time-officer equivalents by shift and precinct (~1346).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from rightresponse.core.dictionary import YARDSTICKS
from rightresponse.core.intervals import wilson
from rightresponse.core.status_times import ANALYSED, Interval
from rightresponse.core.status_times import INTERVALS as ALL_INTERVALS

from .mapping import MappingRow, draft_rows, mapping_table

# The response intervals the report gives: the live metrics' and incidents' own
# definitions (core/status_times.py, one definition; missing queue or en-route times fall
# back to the previous step there, so exports with fewer times still give dispatch and
# travel times).
INTERVALS: dict[str, Interval] = {key: ALL_INTERVALS[key] for key in ANALYSED}
# The report's risk matrix (Figure 3, Seattle Risk Managed Demand, lines 1127-1133):
# band of likelihood (row, 1..5) x consequence (column, 1..5).
RISK_BANDS: dict[int, tuple[str, str, str, str, str]] = {
    5: ("moderate", "high", "extreme", "extreme", "extreme"),
    4: ("moderate", "high", "high", "extreme", "extreme"),
    3: ("low", "moderate", "high", "high", "extreme"),
    2: ("low", "moderate", "moderate", "high", "high"),
    1: ("low", "low", "low", "moderate", "moderate"),
}
# Observed share of calls with a severe outcome -> likelihood level (rare .. almost certain).
LIKELIHOOD_CUTS: tuple[float, ...] = (0.01, 0.05, 0.15, 0.35)

Decider = Callable[[str, Mapping[str, str]], Mapping[str, Any]]


def risk_band(likelihood: int, consequence: int) -> str:
    return RISK_BANDS[likelihood][consequence - 1]


def likelihood_level(share: float) -> int:
    return 1 + sum(share >= cut for cut in LIKELIHOOD_CUTS)


DATE_ONLY_SHIFT = "(no time)"


@dataclass(frozen=True)
class AnalysisConfig:
    # Shift starts (local hour) and names, in the order of the day.
    shifts: tuple[tuple[int, str], ...] = ((7, "day"), (15, "evening"), (23, "night"))
    # Hours one officer is actually available for calls in a year: 2,080 paid hours less
    # leave, training and court (the "staffing relief" the report asks to factor in, ~1346).
    officer_hours_per_year: float = 1600.0
    top: int = 25
    repeat_location_min: int = 3
    severe_dispositions: str | None = None  # regex on disposition text (e.g. arrest)
    # Agencies whose calls are police workload (replay, diverted hours, FTE, exposure);
    # empty: every call (exports of police departments).
    police_agencies: tuple[str, ...] = ()
    # Source priorities meaning an emergency (regex on the intake priority: the initial
    # priority where the export has one): the replay raises such a call to tier 2 at
    # least, so a priority-1 call is never civilian-only (docs/analytics.md, "Priority").
    emergency_priority: str | None = r"^[PE]?1[A-Z]?$"
    # Dispositions meaning there was no call to answer (cancelled, duplicate, test):
    # reported apart with officer-initiated, abandoned and administrative activity.
    excluded_dispositions: str | None = None
    # The lowest tier of an emergency (source priority or a mapping row's "emergency").
    emergency_min_tier: int = 2
    # Received times are dates only (a study extract): no hour, so no shift or hour of
    # the week is invented (midnight would put every call on the night shift).
    date_only: bool = False
    # Published methods (presets.py): the Vera taxonomy (code -> category) and which
    # intake priorities are non-emergent (CAP's measure).
    vera_taxonomy: Mapping[str, str] = field(default_factory=dict)
    non_emergent_priority: str = r"^[PE]?[3-9]"


@dataclass
class AnalysisResult:
    summary: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# The backend the current analysis runs on: in-memory tables made by materialise() are
# executed there too (so an analysis on Polars stays on Polars).
_BACKEND: ContextVar[Any] = ContextVar("analytics_backend", default=None)


def materialise(expr: ir.Table) -> ir.Table:
    """Compute ``expr`` once into Arrow, so that the many aggregates that follow scan it
    (zero-copy) instead of re-running the joins and the parsing of times."""
    backend = _BACKEND.get()
    if backend is not None and backend.name == "pyspark":
        # On Spark the data stays on the cluster (a cached view): an in-memory table would
        # collect it to the driver, and Ibis's PySpark memtables lose nulls through pandas.
        # (Ibis 12's cache() on PySpark does not register the in-memory tables the
        # expression joins, its execution paths do: the same hook first.)
        backend._run_pre_execute_hooks(expr)
        return expr.cache()
    table = backend.to_pyarrow(expr) if backend is not None else expr.to_pyarrow()
    return ibis.memtable(table)


def _rows(expr: ir.Table) -> list[dict[str, Any]]:
    backend = _BACKEND.get()
    table = backend.to_pyarrow(expr) if backend is not None else expr.to_pyarrow()
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def _seconds(
    end: ir.TimestampValue, start: ir.TimestampValue, backend: ibis.BaseBackend
) -> ir.IntegerValue:
    """Whole seconds between two times, as CAD systems count them (SQL Server DATEDIFF:
    both truncated to the second), so published tables are reproduced to the second."""
    if backend.name == "duckdb":
        # DuckDB's own second-boundary count (date_diff), in integers. (Spark's
        # timestampdiff counts elapsed seconds instead: 0.9 s across a boundary gives 0.)
        delta: ir.IntegerValue = end.delta(start, unit="second").cast("int64")
        return delta

    # Elsewhere: floor(seconds since the epoch) is the time truncated to the second
    # (times are after 1970); integers straight from the engine.
    def whole(ts: ir.TimestampValue) -> ir.IntegerValue:
        out: ir.IntegerValue = ts.epoch_seconds().floor().cast("int64")
        return out

    return whole(end) - whole(start)


def _first(t: ir.Table, names: Sequence[str]) -> ir.TimestampValue:
    values = [t[n] for n in names]
    out: ir.TimestampValue = values[0] if len(values) == 1 else ibis.coalesce(*values)
    return out


def enrich(
    calls: ir.Table,
    mapping: Mapping[str, MappingRow],
    config: AnalysisConfig,
    decisions: pa.Table | None = None,
    dispositions: Sequence[str] | None = None,
    priorities: Sequence[str] | None = None,
) -> ir.Table:
    """Calls joined with the mapping (initial and final codes), local-time parts, shift,
    unit-seconds, response intervals and, when given, the replayed tier per initial code.
    ``dispositions``, ``priorities``: their distinct values (the intake priority), when the
    caller already knows them."""
    table = mapping_table(dict(mapping))
    m = ibis.memtable(table)
    by_initial = table.select(["code", "call_type", "category", "consequence"]).rename_columns(
        ["i_code", "call_type", "initial_category", "consequence"]
    )
    if decisions is not None:
        # The replayed decision is per initial code too: one join gives both.
        by_initial = by_initial.join(
            decisions, keys="i_code", right_keys="d_code", join_type="full outer"
        )
    init = ibis.memtable(by_initial)
    fin = m.select(f_code=m.code, final_category=m.category, final_severe=m.severe)
    t = calls.mutate(final_code=ibis.coalesce(calls.final_type, calls.initial_type))
    t = t.left_join(init, t.initial_type == init.i_code).drop("i_code")
    t = t.left_join(fin, t.final_code == fin.f_code).drop("f_code")
    # A final type (what responders found) says whether police were needed; without one
    # only the disposition can (the initial type alone would make the measure circular).
    severe = (t.final_type.notnull() & t.final_severe.fill_null(False)).fill_null(False)
    # Whether anything is known of how the call ended: a final type, or a disposition
    # when the profile says which dispositions mean police were needed. A call without
    # either is an unknown outcome, never a safe one.
    outcome_known = t.final_type.notnull()
    if (config.severe_dispositions or config.excluded_dispositions) and dispositions is None:
        dispositions = [r["disposition"] for r in _rows(calls.select("disposition").distinct())]
    values = [v for v in dispositions or () if v is not None]
    if config.severe_dispositions:
        # The regex runs in Python once per distinct disposition, then joins back.
        pattern = re.compile(config.severe_dispositions, re.IGNORECASE)
        severe_values = [v for v in values if pattern.search(v)]
        if severe_values:
            severe = severe | t.disposition.isin(severe_values).fill_null(False)
            # A disposition tells the outcome only where some disposition of the data can
            # say "police were needed" (DECC's never says arrest: outcomes stay unknown).
            outcome_known = outcome_known | t.disposition.notnull()
    no_call = ibis.literal(False)
    if config.excluded_dispositions:
        pattern = re.compile(config.excluded_dispositions, re.IGNORECASE)
        excluded_values = [v for v in values if pattern.search(v)]
        if excluded_values:
            no_call = t.disposition.isin(excluded_values).fill_null(False)
    intake_priority = _intake_priority(t)
    emergency = ibis.literal(False)
    if config.emergency_priority:
        if priorities is None:
            priorities = [
                r["p"] for r in _rows(calls.select(p=_intake_priority(calls)).distinct()) if r["p"]
            ]
        pattern = re.compile(config.emergency_priority, re.IGNORECASE)
        urgent = [v for v in priorities if v is not None and pattern.search(v.strip())]
        if urgent:
            emergency = intake_priority.isin(urgent).fill_null(False)
    hour = t.received_local.hour()
    starts = sorted(config.shifts)
    shift_of_hour: dict[str, list[int]] = {}
    for h in range(24):
        # The shift that started last at or before hour h (the last one runs past midnight).
        name = next((n for start, n in reversed(starts) if start <= h), starts[-1][1])
        shift_of_hour.setdefault(name, []).append(h)
    # As ranges of hours, not IN lists (which DuckDB runs as joins).
    shift_cases = []
    for name, hours in shift_of_hour.items():
        runs: list[list[int]] = []
        for h in hours:
            if runs and runs[-1][1] == h - 1:
                runs[-1][1] = h
            else:
                runs.append([h, h])
        in_shift = [(hour >= lo) & (hour <= hi) for lo, hi in runs]
        shift_cases.append((functools.reduce(operator.or_, in_shift), name))
    backend = _BACKEND.get() or ibis.get_backend(calls)
    work_end = ibis.coalesce(t.cleared_at, t.closed_at)
    busy = _seconds(work_end, t.dispatched_at, backend)
    mutations: dict[str, Any] = {
        "initial_category": t.initial_category.fill_null("unmapped"),
        "outcome_known": outcome_known,
        "emergency": emergency,
        "no_call": no_call,
        "final_category": ibis.coalesce(t.final_category, t.initial_category).fill_null("unmapped"),
        "severe": severe,
        "hour_of_week": (
            ibis.null("int64")
            if config.date_only
            else t.received_local.day_of_week.index() * 24 + hour
        ),
        "month": t.received_local.truncate("M").date(),
        "day": t.received_local.date(),
        "shift": (
            ibis.literal(DATE_ONLY_SHIFT)
            if config.date_only
            else ibis.cases(*shift_cases, else_=starts[-1][1])
        ),
        "area": t.area.fill_null("(none)"),
        "unit_seconds": ibis.ifelse(
            (busy >= 0) & (busy < 86400), busy * t.units, ibis.null("int64")
        ),
    }
    for name, interval in INTERVALS.items():
        mutations[f"s_{name}"] = _seconds(
            _first(t, interval.ends), _first(t, interval.starts), backend
        )
    t = t.mutate(**mutations)
    if decisions is not None:
        # What is not a call to triage is reported apart, with its reason: officer-initiated
        # activity (traffic stops, on-view), calls that were no call (cancelled, duplicate,
        # test), 911 hang-ups and open lines, administrative and proactive codes, codes the
        # mapping lacks (blank ones too), and mapped codes the protocol does not know.
        category = t.initial_category
        excluded = ibis.cases(
            (t.officer_initiated.fill_null(False), "officer_initiated"),
            (t.no_call, "cancelled_duplicate_or_test"),
            (category == "abandoned", "abandoned"),
            (category == "administrative", "administrative"),
            (category == "proactive", "proactive"),
            (category == "unmapped", "unmapped"),
            (t.tier.isnull(), "not_triaged"),
            else_=ibis.null("string"),
        )
        # An emergency (source priority, or the code itself) is never civilian-only.
        urgent = (t.emergency | t.d_emergency.fill_null(False)) & excluded.isnull()
        floor = config.emergency_min_tier
        raised = urgent & (t.tier < floor).fill_null(False)
        t = t.mutate(
            excluded=excluded,
            raised_by_priority=raised,
            tier=ibis.ifelse(
                excluded.notnull(),
                ibis.null("int64"),
                ibis.ifelse(raised, ibis.literal(floor, "int64"), t.tier),
            ),
        )
    return t


def _intake_priority(t: ir.Table) -> ir.StringValue:
    """The priority intake gave the call: the initial priority where the export has one."""
    if "initial_priority" in t.columns:
        out: ir.StringValue = ibis.coalesce(t.initial_priority, t.priority)
        return out
    only: ir.StringValue = t.priority
    return only


def _with_share(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    for r in rows:
        r["share"] = r["calls"] / total if total else None
        r["share_ci"] = wilson(r["calls"], total)
    return rows


# The columns the analyses read after enrich(): only these are materialised.
_USED = (
    "initial_type", "final_type", "initial_category", "final_category", "agency", "priority",
    "area", "location", "latitude", "longitude", "month", "day", "hour_of_week", "shift", "severe",
    "consequence", "unit_seconds", "tier", "excluded", "raised_by_priority", "outcome_known",
    *(f"s_{name}" for name in INTERVALS),
)  # fmt: skip


# The keys of the call counts most analyses are cut from (see counts()).
_COUNT_KEYS = ("initial_type", "final_type", "agency", "area", "shift", "tier", "excluded")
# Carried along, not grouped on: the mapping makes them functions of the two types.
_COUNT_ALONG = ("initial_category", "final_category")


def counts(t: ir.Table) -> ir.Table:
    """Calls, severe outcomes and unit-seconds per combination of _COUNT_KEYS, computed
    once: a few thousand rows from which volumes, unit-hours, reclassification, risk and
    the replay are summed, instead of a dozen scans of every call."""
    keys = [k for k in _COUNT_KEYS if k in t.columns]
    aggs: dict[str, Any] = {
        "calls": t.count(),
        "severe": t.severe.cast("int64").sum(),
        "unit_seconds": t.unit_seconds.sum(),
        "calls_with_times": t.unit_seconds.notnull().cast("int64").sum(),
        "known": t.outcome_known.cast("int64").sum(),
        **(
            {"raised": t.raised_by_priority.cast("int64").sum()}
            if "raised_by_priority" in t.columns
            else {}
        ),
        "consequence": t.consequence.max(),
        **{c: t[c].arbitrary() for c in _COUNT_ALONG if c in t.columns},
        # Valid values per interval: the percentiles skip intervals that have none.
        **{
            f"n_{name}": (t[f"s_{name}"] >= 0).cast("int64").sum()
            for name in INTERVALS
            if f"s_{name}" in t.columns
        },
    }
    return materialise(t.group_by(keys).agg(**aggs))


def volume(
    t: ir.Table, c: ir.Table, config: AnalysisConfig, total: int
) -> dict[str, list[dict[str, Any]]]:
    """Calls by category, type, area, agency (from the counts ``c``), month, hour of the
    week and repeat location (from the calls ``t``)."""
    by = {}
    for name, column in (
        ("by_category", "final_category"),
        ("by_initial_category", "initial_category"),
        ("by_call_type", "initial_type"),
        ("by_area", "area"),
        ("by_agency", "agency"),
    ):
        expr = (
            c.group_by(c[column].name("key"))
            .agg(calls=c.calls.sum())
            .order_by([ibis.desc("calls"), "key"])
        )
        by[name] = _with_share(_rows(expr), total)
    month = (
        t.group_by(t.month.name("key")).agg(calls=t.count()).order_by([ibis.desc("calls"), "key"])
    )
    by["by_month"] = _with_share(_rows(month), total)
    timed = t.filter(t.hour_of_week.notnull())
    how = timed.group_by("hour_of_week").agg(calls=timed.count()).order_by("hour_of_week")
    by["by_hour_of_week"] = _rows(how)
    by["repeat_locations"] = repeat_locations(t, config)
    return by


def repeat_locations(t: ir.Table, config: AnalysisConfig) -> list[dict[str, Any]]:
    """The places with the most calls (at least ``repeat_location_min``) and how many
    call types they had. A place is the location text, else the coordinates rounded to
    ~100 m, written "lat,lon"."""
    # Calls are counted per place on the rounded numbers, and the text key is formatted
    # only for the places counted (formatting a million coordinates took most of the
    # time); the distinct call types are then counted for the kept places only (a distinct
    # count over every place was as slow again). Join keys are never null (Polars joins
    # only on equality): text or "" with a flag, coordinates or 0.
    has_text = t.location.notnull()
    located = t.filter(has_text | (t.latitude.notnull() & t.longitude.notnull())).mutate(
        has_text=has_text,
        text=t.location.fill_null(""),
        lat3=ibis.ifelse(has_text, 0.0, t.latitude.round(3)),
        lon3=ibis.ifelse(has_text, 0.0, t.longitude.round(3)),
    )
    place = ["has_text", "text", "lat3", "lon3"]
    top = (
        located.group_by(place)
        .agg(calls=located.count())
        .filter(lambda s: s.calls >= config.repeat_location_min)
        .mutate(
            location=lambda s: ibis.ifelse(
                s.has_text, s.text, s.lat3.cast("string") + "," + s.lon3.cast("string")
            )
        )
        .order_by([ibis.desc("calls"), "location"])
        .limit(config.top)
    )
    kept = _rows(top)
    if not kept:
        return []
    # A second query rather than one expression: DuckDB would materialise the calls the
    # two parts share.
    places = ibis.memtable(
        pa.table(
            {c: [r[c] for r in kept] for c in place},
            schema=pa.schema(
                [
                    ("has_text", pa.bool_()),
                    ("text", pa.string()),
                    ("lat3", pa.float64()),
                    ("lon3", pa.float64()),
                ]
            ),
        )
    )
    at_top = located.semi_join(places, place)
    types = {
        tuple(r[c] for c in place): r["call_types"]
        for r in _rows(at_top.group_by(place).agg(call_types=at_top.initial_type.nunique()))
    }
    return [
        {
            "location": r["location"],
            "calls": r["calls"],
            "call_types": types[tuple(r[c] for c in place)],
        }
        for r in kept
    ]


def _hours(c: ir.Table) -> ir.FloatingScalar:
    out: ir.FloatingScalar = (c.unit_seconds.sum().cast("float64") / 3600.0).fill_null(0)
    return out


def unit_hours(c: ir.Table) -> dict[str, Any]:
    """Unit-hours by category and area, from the counts ``c``."""
    covered = c.calls_with_times.sum()
    out: dict[str, Any] = {}
    for name, column in (("by_category", "final_category"), ("by_area", "area")):
        out[name] = _rows(
            c.group_by(c[column].name("key"))
            .agg(unit_hours=_hours(c), calls_with_times=covered)
            .order_by([ibis.desc("unit_hours"), "key"])
        )
    # (Sums over no rows are null; a count of none is 0.)
    totals = c.aggregate(
        unit_hours=_hours(c), calls_with_times=covered, calls=c.calls.sum().fill_null(0)
    )
    out["total"] = _rows(totals)[0]
    # A group with no dispatch and clear times has no measured time: None ("not
    # measurable"), never 0 h (San Luis Obispo's log has no clear times; issue 18).
    for row in [*out["by_category"], *out["by_area"], out["total"]]:
        if not row["calls_with_times"]:
            row["unit_hours"] = None
    out["total"]["measurable"] = bool(out["total"]["calls_with_times"])
    if not out["total"]["measurable"]:
        out["total"]["not_measurable"] = "the data has no dispatch-to-clear times"
    out["valid_values"] = _rows(
        c.aggregate(
            **{name: c[f"n_{name}"].sum() for name in INTERVALS if f"n_{name}" in c.columns}
        )
    )[0]
    return out


def response_intervals(
    t: ir.Table,
    only_value: Mapping[str, Any] | None = None,
    measured: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Median, 90th, 99th percentile and share within 15 and 20 s (NENA's call-answering
    yardstick) of each interval, overall and by agency, priority and category.
    ``only_value``: groupings known to have a single value (often the agency), with it:
    their one group is every call, so the overall figures are theirs too. ``measured``:
    the intervals that have valid values, when known (the others give no rows anyway)."""

    # One query per grouping computes every interval: invalid values (missing or
    # negative) become null, which count, quantile and mean all skip, so each interval
    # is measured on its valid values only, in one scan instead of one per interval.
    multi = (_BACKEND.get() or ibis.get_backend(t)).has_operation(ops.MultiQuantile)
    valid_of = {
        name: ibis.ifelse(t[f"s_{name}"] >= 0, t[f"s_{name}"], ibis.null("int64"))
        for name in INTERVALS
        if measured is None or name in measured
    }
    if not valid_of:
        return {"overall": [], "by_agency": [], "by_priority": [], "by_category": []}
    metrics: dict[str, Any] = {}
    for name, v in valid_of.items():
        metrics[f"{name}__n"] = v.count()
        if multi:
            metrics[f"{name}__q"] = v.quantile([0.5, 0.9, 0.99])
        else:
            for q in (50, 90, 99):
                metrics[f"{name}__q{q}"] = v.quantile(q / 100)
        # Each yardstick only on the interval it was written for (core/dictionary.py).
        for seconds, _key in YARDSTICKS.get(name, ()):
            metrics[f"{name}__w{seconds}"] = (v <= seconds).cast("float64").mean()

    # The four groupings go to the engine as one query (a union), so it can work on them
    # in parallel: the percentiles' final step runs one group at a time.
    groupings = ["agency", "priority", "final_category"]
    single = dict(only_value or {})
    parts = [t.aggregate(**metrics).mutate(grouping=ibis.literal(""), key=ibis.null("string"))]
    for g in groupings:
        if g in single:
            continue
        part = t.group_by(t[g].cast("string").name("key")).agg(**metrics)
        parts.append(part.mutate(grouping=ibis.literal(g)))
    union = ibis.union(*[p.select("grouping", "key", *metrics) for p in parts], distinct=False)
    tables: dict[str, list[dict[str, Any]]] = {g: [] for g in ["", *groupings]}
    for r in _rows(union):
        for name in valid_of:
            if not r[f"{name}__n"]:
                continue
            median, p90, p99 = (
                r[f"{name}__q"]
                if multi
                else (r[f"{name}__q50"], r[f"{name}__q90"], r[f"{name}__q99"])
            )
            tables[r["grouping"]].append(
                {
                    **({r["grouping"]: r["key"]} if r["grouping"] else {}),
                    "interval": name,
                    "n": r[f"{name}__n"],
                    "median": median,
                    "p90": p90,
                    "p99": p99,
                    **{
                        k: value
                        for seconds, key in YARDSTICKS.get(name, ())
                        for k, value in (
                            (key, r[f"{name}__w{seconds}"]),
                            (
                                f"{key}_ci",
                                wilson(r[f"{name}__w{seconds}"] * r[f"{name}__n"], r[f"{name}__n"]),
                            ),
                        )
                    },
                }
            )
    for g, value in single.items():
        tables[g] = [{g: value, **r} for r in tables[""]]
    order = list(INTERVALS)

    def ordered(g: str) -> list[dict[str, Any]]:
        return sorted(
            tables[g], key=lambda r: (*([str(r[g])] if g else []), order.index(r["interval"]))
        )

    return {
        "overall": ordered(""),
        "by_agency": ordered("agency"),
        "by_priority": ordered("priority"),
        "by_category": ordered("final_category"),
    }


def reclassification(c: ir.Table, config: AnalysisConfig) -> dict[str, Any]:
    """How often the final type and category differ from the initial ones (counts ``c``)."""
    both = c.filter(c.final_type.notnull() & c.initial_type.notnull())
    calls = both.calls.sum()
    # Shares as sums of 0/1 weighted by calls over calls: the mean over every call.
    changed_type = (both.final_type != both.initial_type).cast("float64") * both.calls
    changed_cat = (both.final_category != both.initial_category).cast("float64") * both.calls
    totals = _rows(
        both.aggregate(
            calls=calls.fill_null(0),
            changed_type_share=changed_type.sum() / calls,
            changed_category_share=changed_cat.sum() / calls,
        )
    )[0]
    matrix = _rows(
        both.group_by(["initial_category", "final_category"])
        .agg(calls=calls)
        .order_by(["initial_category", ibis.desc("calls"), "final_category"])
    )
    by_type = _rows(
        both.group_by("initial_type")
        .agg(
            calls=calls,
            changed_type_share=changed_type.sum() / calls,
            changed_category_share=changed_cat.sum() / calls,
        )
        .order_by([ibis.desc("calls"), "initial_type"])
        .limit(config.top)
    )
    type_matrix = _rows(
        both.group_by(["initial_type", "final_type"])
        .agg(calls=calls)
        .order_by([ibis.desc("calls"), "initial_type", "final_type"])
        .limit(config.top * 4)
    )
    for r in (totals, *by_type):
        for k in ("changed_type_share", "changed_category_share"):
            share = r.get(k)
            r[f"{k}_ci"] = wilson(share * r["calls"], r["calls"]) if share is not None else None
    return {**totals, "matrix": matrix, "by_initial_type": by_type, "type_matrix": type_matrix}


def empirical_risk(c: ir.Table, min_calls: int = 20) -> list[dict[str, Any]]:
    """For each initial call type: the observed share with a severe final outcome, as a
    likelihood level on the report's 5x5 matrix (~1125-1137), with its consequence
    (from the counts ``c``)."""
    typed = c.filter(c.initial_type.notnull())
    rows = _rows(
        typed.group_by("initial_type")
        .agg(
            calls=typed.calls.sum(),
            severe=typed.severe.sum(),
            consequence=typed.consequence.max(),
        )
        .filter(lambda s: s.calls >= min_calls)
        .order_by([ibis.desc("calls"), "initial_type"])
    )
    out = []
    for row in rows:
        share = row["severe"] / row["calls"]
        likelihood = likelihood_level(share)
        consequence = int(row["consequence"] or 3)
        out.append(
            {
                **row,
                "consequence": consequence,
                "severe_share": share,
                "severe_share_ci": wilson(row["severe"], row["calls"]),
                "likelihood": likelihood,
                "score": likelihood * consequence,
                "band": risk_band(likelihood, consequence),
            }
        )
    return out


def _daily(t: ir.Table, config: AnalysisConfig) -> list[dict[str, Any]]:
    """Calls and civilian-only unit-hours (tiers 0-1) per local day with calls: the days
    the data covers, its weeks (scope breaks) and the bootstrap of the FTE."""
    civilian = (t.tier <= 1).fill_null(False) if "tier" in t.columns else ibis.literal(False)
    if config.police_agencies and "tier" in t.columns:
        civilian = civilian & t.agency.isin(list(config.police_agencies)).fill_null(False)
    dated = t.filter(t.day.notnull()).mutate(
        civilian_seconds=ibis.ifelse(civilian, t.unit_seconds, ibis.null("int64"))
    )
    rows = _rows(
        dated.group_by("day")
        .agg(calls=dated.count(), civilian_seconds=dated.civilian_seconds.sum())
        .order_by("day")
    )
    return [
        {
            "day": r["day"],
            "calls": r["calls"],
            "civilian_hours": (r["civilian_seconds"] or 0) / 3600.0,
        }
        for r in rows
    ]


def covered_days(daily: Sequence[Mapping[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Days the data covers: its span less the gaps no call in a row is too long for its
    own rate (a chance below 1 in 1,000; at least 7 days: a missing weekly file), e.g. the
    weeks an export lacks. Annualising over the span would dilute officer time; over the
    days with a call, a sparse extract would inflate it."""
    if not daily:
        return 0, []
    first, last = daily[0]["day"], daily[-1]["day"]
    span = (last - first).days + 1
    rate = sum(r["calls"] for r in daily) / span
    longest = max(7, math.ceil(math.log(1000) / rate)) if rate > 0 else span + 1
    gaps = []
    for before, after in zip(daily, daily[1:], strict=False):
        missing = (after["day"] - before["day"]).days - 1
        if missing >= longest:
            gaps.append({"after": before["day"].isoformat(), "days": missing})
    return span - sum(g["days"] for g in gaps), gaps


# A week whose volume is this far from the median week is a scope break (an export that
# changed what it covers: an agency added, a filter changed), not a trend.
SCOPE_BREAK_RATIO = 1.5


def scope_breaks(daily: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Complete weeks (Monday to Sunday, all seven days in the data's span) whose calls
    are more than 1.5x, or less than 1/1.5 of, the median complete week (and more than 3
    Poisson standard deviations from it)."""
    import datetime as dt
    import statistics

    if not daily:
        return []
    first, last = daily[0]["day"], daily[-1]["day"]
    weeks: dict[dt.date, int] = {}
    for r in daily:
        monday = r["day"] - dt.timedelta(days=r["day"].weekday())
        weeks[monday] = weeks.get(monday, 0) + r["calls"]
    full = {w: n for w, n in weeks.items() if w >= first and w + dt.timedelta(days=6) <= last}
    if len(full) < 3:
        return []
    median = statistics.median(full.values())
    # A jump must also be far beyond chance (3 Poisson standard deviations): in a sparse
    # extract (a few calls a week) a week of twice the median is noise, not a break.
    return [
        {"week": w.isoformat(), "calls": n, "median_week": median, "ratio": n / median}
        for w, n in sorted(full.items())
        if median
        and (n > SCOPE_BREAK_RATIO * median or n < median / SCOPE_BREAK_RATIO)
        and abs(n - median) > 3 * math.sqrt(median)
    ]


def replay_decisions(
    mapping: Mapping[str, MappingRow], codes: Sequence[str], decide: Decider
) -> tuple[pa.Table, int]:
    """The protocol's decision for each local initial code, from what intake knew (the
    mapped call type and the answers the code implies). ``decide`` is called once per
    distinct (call type, answers), not per call; returns the table and that count."""
    cache: dict[tuple[str, tuple[tuple[str, str], ...]], Mapping[str, Any]] = {}
    rows: dict[str, list[Any]] = {
        k: []
        for k in ("d_code", "tier", "lead", "protocol_category", "replay_call_type", "d_emergency")
    }
    for code in codes:
        row = mapping.get(code)
        if row is None or not row.call_type:
            continue
        key = (row.call_type, tuple(sorted(row.answers.items())))
        if key not in cache:
            cache[key] = decide(row.call_type, dict(row.answers))
        decision = cache[key]
        if decision.get("tier") is None:
            continue  # the protocol does not know this call type: reported as unmapped
        rows["d_code"].append(code)
        rows["tier"].append(int(decision["tier"]))
        rows["lead"].append(decision.get("lead"))
        rows["protocol_category"].append(decision.get("category"))
        rows["replay_call_type"].append(row.call_type)
        rows["d_emergency"].append(row.priority == "emergency")
    table = pa.table(
        {
            "d_code": pa.array(rows["d_code"], pa.string()),
            "tier": pa.array(rows["tier"], pa.int64()),
            "lead": pa.array(rows["lead"], pa.string()),
            "protocol_category": pa.array(rows["protocol_category"], pa.string()),
            "replay_call_type": pa.array(rows["replay_call_type"], pa.string()),
            "d_emergency": pa.array(rows["d_emergency"], pa.bool_()),
        }
    )
    return table, len(cache)


def replay(
    c: ir.Table,
    config: AnalysisConfig,
    days: float,
    measurable: bool = True,
    daily_civilian_hours: Sequence[float] | None = None,
) -> dict[str, Any]:
    """Shares of calls and unit-hours per tier (overall, by shift, by precinct) among the
    calls a protocol triages, what is excluded and why, the officer time diverted, its FTE
    per shift and precinct (~1346), and the risk exposure, from the counts ``c``.
    ``days``: the days the data actually covers (annualisation)."""
    if config.police_agencies:
        c = c.filter(c.agency.isin(list(config.police_agencies)))
    apart = c.filter(c.excluded.notnull())
    excluded_rows = _rows(
        apart.group_by("excluded")
        .agg(calls=apart.calls.sum(), unit_hours=_hours(apart))
        .order_by([ibis.desc("calls"), "excluded"])
    )
    c = c.filter(c.excluded.isnull())
    tier = c.tier.cast("string")
    calls = c.calls.sum()
    timed = c.calls_with_times.sum()
    overall = _rows(
        c.group_by(tier.name("tier"))
        .agg(
            calls=calls,
            unit_hours=_hours(c),
            calls_with_times=timed,
            raised_by_priority=c.raised.sum(),
        )
        .order_by("tier")
    )
    total_calls = sum(r["calls"] for r in overall)
    all_calls = total_calls + sum(r["calls"] for r in excluded_rows)
    for r in excluded_rows:
        r["reason"] = r.pop("excluded")
        r["share_of_all"] = r["calls"] / all_calls if all_calls else None
        r["share_ci"] = wilson(r["calls"], all_calls)
    with_times = sum(r["calls_with_times"] for r in overall)
    if not with_times:
        for r in excluded_rows:
            r["unit_hours"] = None  # no times anywhere: not measurable, never 0
    grand_hours = sum(r["unit_hours"] for r in overall) or 0.0
    for r in overall:
        r["call_share"] = r["calls"] / total_calls if total_calls else None
        r["call_share_ci"] = wilson(r["calls"], total_calls)
        r["unit_hour_share"] = r["unit_hours"] / grand_hours if grand_hours else None
        if not r["calls_with_times"]:
            r["unit_hours"] = None  # no times: not measurable, never 0
    by_shift = _rows(
        c.group_by(["shift", tier.name("tier")])
        .agg(calls=calls, unit_hours=_hours(c))
        .order_by(["shift", "tier"])
    )
    by_area = _rows(
        c.group_by(["area", tier.name("tier")])
        .agg(calls=calls, unit_hours=_hours(c))
        .order_by(["area", "tier"])
    )
    civilian = c.filter((c.tier <= 1).fill_null(False))
    civilian_calls = civilian.calls.sum()
    diverted = _rows(
        civilian.aggregate(
            calls=civilian_calls.fill_null(0),
            unit_hours=_hours(civilian),
            calls_with_times=civilian.calls_with_times.sum().fill_null(0),
            known=civilian.known.sum().fill_null(0),
            severe=civilian.severe.sum().fill_null(0),
        )
    )[0]
    annual = 365.25 / days if days > 0 else 0.0
    # Officer time is measurable only where calls have dispatch and clear times (San Luis
    # Obispo's log has no clear times): there it is "not measurable", never 0 FTE.
    time_measurable = bool(with_times)
    fte_rows = _rows(
        civilian.group_by(["shift", "area"])
        .agg(
            calls=civilian_calls,
            unit_hours=_hours(civilian),
            calls_with_times=civilian.calls_with_times.sum(),
        )
        .order_by(["shift", "area"])
    )
    for r in fte_rows:
        if time_measurable:
            r["annual_unit_hours"] = r["unit_hours"] * annual
            r["fte"] = r["annual_unit_hours"] / config.officer_hours_per_year
            r["meets_one_officer_rule"] = r["fte"] >= 1.0
        else:
            r["unit_hours"] = r["annual_unit_hours"] = r["fte"] = None
            r["meets_one_officer_rule"] = None
    severe_rows = _rows(
        civilian.group_by("initial_type")
        .agg(calls=civilian_calls, severe=civilian.severe.sum(), known=civilian.known.sum())
        .order_by([ibis.desc("severe"), ibis.desc("calls"), "initial_type"])
    )
    for r in severe_rows:
        r["unknown"] = r["calls"] - r["known"]
        r["severe_share"] = r["severe"] / r["known"] if r["known"] else None
        r["severe_share_ci"] = wilson(r["severe"], r["known"])
    n_civ, known, severe_total = diverted["calls"], diverted["known"], diverted["severe"]
    fte = (
        diverted["unit_hours"] * annual / config.officer_hours_per_year if time_measurable else None
    )
    fte_ci = None
    if time_measurable and daily_civilian_hours:
        fte_ci = _bootstrap_fte(daily_civilian_hours, days, config.officer_hours_per_year)
    exposure_measurable = measurable and bool(known)
    return {
        "tier_shares": overall,
        "excluded": excluded_rows,
        "triaged_calls": total_calls,
        "raised_by_priority": sum(r["raised_by_priority"] for r in overall),
        "by_shift": by_shift,
        "by_area": by_area,
        "diverted_unit_hours": {
            "calls": n_civ,
            "call_share": n_civ / total_calls if total_calls else None,
            "call_share_ci": wilson(n_civ, total_calls),
            "measurable": time_measurable,
            "calls_with_times": diverted["calls_with_times"],
            "unit_hours": diverted["unit_hours"] if time_measurable else None,
            "total_unit_hours": grand_hours if time_measurable else None,
            "days_covered": round(days, 2),
            "annual_unit_hours": diverted["unit_hours"] * annual if time_measurable else None,
            "fte": fte,
            "fte_ci": fte_ci,
        },
        "fte_by_shift_precinct": fte_rows,
        "risk_exposure": {
            # Outcomes are known only from a final type or a disposition; calls with
            # neither are counted as unknown, not as safe. Without any, "not measurable".
            "measurable": exposure_measurable,
            "civilian_only_calls": n_civ,
            "calls_with_outcome": known,
            "unknown_outcome": n_civ - known,
            "severe_outcomes": severe_total,
            "severe_share": severe_total / known if exposure_measurable else None,
            "severe_share_ci": wilson(severe_total, known) if exposure_measurable else None,
            # If every unknown outcome had been severe: the share cannot be above this.
            "severe_share_if_unknown_severe": (
                (severe_total + n_civ - known) / n_civ if exposure_measurable and n_civ else None
            ),
            "by_call_type": [r for r in severe_rows if r["severe"]][: config.top],
        },
    }


def _bootstrap_fte(
    daily_hours: Sequence[float], days: float, officer_hours: float, draws: int = 2000
) -> list[float]:
    """95 % bootstrap interval of the civilian-only FTE: the covered days resampled with
    replacement (day-to-day variation of workload; seed fixed, so reports repeat)."""
    import numpy as np

    values = np.asarray(daily_hours, dtype=float)
    if len(values) < int(round(days)):  # days without civilian-only work count as 0 hours
        values = np.concatenate([values, np.zeros(int(round(days)) - len(values))])
    rng = np.random.default_rng(2025)
    sums = values[rng.integers(0, len(values), size=(draws, len(values)))].sum(axis=1)
    fte = sums * (365.25 / len(values)) / officer_hours
    low, high = np.percentile(fte, [2.5, 97.5])
    return [float(low), float(high)]


BLANK = "(blank)"


def unmapped_codes(
    t: ir.Table,
    mapping: Mapping[str, MappingRow],
    calls_by_code: Mapping[str, int] | None = None,
    blank_calls: int | None = None,
) -> dict[str, Any]:
    """Codes not in the mapping (calls without a call type as "(blank)"), and mapped codes
    the protocol does not triage, with their calls. ``calls_by_code``, ``blank_calls``:
    those counts, when the caller already has them."""
    if calls_by_code is None:
        typed = t.filter(t.initial_type.notnull())
        counts = _rows(
            typed.group_by("initial_type")
            .agg(calls=typed.count())
            .order_by([ibis.desc("calls"), "initial_type"])
        )
    else:
        counts = [
            {"initial_type": code, "calls": n}
            for code, n in sorted(calls_by_code.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    unmapped = [r for r in counts if r["initial_type"] not in mapping]
    if blank_calls is None:
        blank = t.filter(t.initial_type.isnull())
        blank_calls = int(_rows(blank.aggregate(n=blank.count()))[0]["n"])
    if blank_calls:
        unmapped.append({"initial_type": BLANK, "calls": blank_calls})
        unmapped.sort(key=lambda r: (-r["calls"], r["initial_type"]))
    not_triaged = [
        {**r, "category": mapping[r["initial_type"]].category}
        for r in counts
        if r["initial_type"] in mapping and not mapping[r["initial_type"]].call_type
    ]
    return {"unmapped": unmapped, "not_triaged": not_triaged}


def analyze(
    calls: ir.Table,
    mapping: Mapping[str, MappingRow],
    *,
    config: AnalysisConfig | None = None,
    decide: Decider | None = None,
    protocol_version: str | None = None,
) -> AnalysisResult:
    """Run every analysis; ``decide`` (the triage core's decision function) enables the replay."""
    token = _BACKEND.set(ibis.get_backend(calls))
    try:
        return _analyze(calls, mapping, config or AnalysisConfig(), decide, protocol_version)
    finally:
        _BACKEND.reset(token)


def _analyze(
    calls: ir.Table,
    mapping: Mapping[str, MappingRow],
    config: AnalysisConfig,
    decide: Decider | None,
    protocol_version: str | None,
) -> AnalysisResult:
    # One scan of the stored calls gives the period, the distinct initial codes (for the
    # replay), the distinct dispositions (severe and excluded patterns) and the distinct
    # intake priorities (emergencies).
    with_disposition = bool(config.severe_dispositions or config.excluded_dispositions)
    scan = calls.mutate(intake_priority=_intake_priority(calls))
    scan = scan.mutate(onview=scan.officer_initiated.fill_null(False))
    keys = [
        "initial_type",
        *(["disposition"] if with_disposition else []),
        "intake_priority",
        "onview",
    ]
    parts = _rows(
        scan.group_by(keys).agg(
            calls=scan.count(),
            first=scan.received_local.min(),
            last=scan.received_local.max(),
        )
    )
    firsts = [r["first"] for r in parts if r["first"] is not None]
    lasts = [r["last"] for r in parts if r["last"] is not None]
    span = {
        "calls": sum(r["calls"] for r in parts),
        "first": min(firsts) if firsts else None,
        "last": max(lasts) if lasts else None,
    }
    calls_by_code: dict[str, int] = {}
    blank_calls = 0
    for r in parts:
        if r["initial_type"] is not None:
            calls_by_code[r["initial_type"]] = calls_by_code.get(r["initial_type"], 0) + r["calls"]
        else:
            blank_calls += r["calls"]
    dispositions = sorted({r["disposition"] for r in parts if r.get("disposition") is not None})
    priorities = sorted(
        {r["intake_priority"] for r in parts if r.get("intake_priority") is not None}
    )
    days = (
        max((span["last"] - span["first"]).total_seconds() / 86400.0, 1.0) if span["first"] else 0.0
    )
    decisions = None
    decide_calls = 0
    if decide is not None:
        codes = list(calls_by_code)
        decisions, decide_calls = replay_decisions(mapping, codes, decide)
    enriched = enrich(calls, mapping, config, decisions, dispositions, priorities)
    t = materialise(enriched.select(*[c for c in _USED if c in enriched.columns]))
    c = counts(t)
    daily = _daily(t, config)
    covered, gaps = covered_days(daily)
    vol = volume(t, c, config, int(span["calls"]))
    work = unit_hours(c)
    drafted = draft_rows(mapping)
    summary: dict[str, Any] = {
        "total_calls": span["calls"],
        # A mapping nobody reviewed (draft-mapping output) moves shares by points: say so.
        "mapping": {
            "codes": len(mapping),
            "draft_codes": len(drafted),
            "draft": bool(drafted),
            "draft_examples": drafted[:10],
        },
        "period": {
            "first": span["first"].isoformat() if span["first"] else None,
            "last": span["last"].isoformat() if span["last"] else None,
            "days": round(days, 2),
            # What officer time is annualised over: the span less the gaps in the data.
            "days_covered": covered,
            "gaps": gaps,
        },
        "scope_breaks": scope_breaks(daily),
        "by_category": vol["by_category"],
        "by_initial_category": vol["by_initial_category"],
        "by_call_type": vol["by_call_type"][: config.top],
        "by_area": vol["by_area"],
        "by_agency": vol["by_agency"],
        "by_month": [
            {**r, "key": r["key"].isoformat() if r["key"] else None} for r in vol["by_month"]
        ],
        "by_hour_of_week": vol["by_hour_of_week"],
        "repeat_locations": vol["repeat_locations"],
        "unit_hours_by_category": work["by_category"],
        "unit_hours_by_area": work["by_area"],
        "unit_hours_total": work["total"],
        "response_intervals": response_intervals(
            t,
            {"agency": vol["by_agency"][0]["key"]} if len(vol["by_agency"]) == 1 else None,
            [name for name in INTERVALS if work["valid_values"].get(name)],
        ),
        "reclassification": reclassification(c, config),
        "empirical_risk": empirical_risk(c),
        "presets": _presets(parts, mapping, config),
        **unmapped_codes(t, mapping, calls_by_code, blank_calls),
    }
    if decisions is not None:
        outcomes = _rows(
            c.aggregate(
                finals=c.calls.sum(where=c.final_type.notnull()),
                severe=c.severe.sum(),
            )
        )[0]
        measurable = bool(outcomes["finals"]) or bool(outcomes["severe"])
        rep = replay(
            c,
            config,
            float(covered or days),
            measurable,
            [r["civilian_hours"] for r in daily],
        )
        summary.update(
            {
                "protocol_version": protocol_version,
                "decide_calls": decide_calls,
                "tier_shares": rep["tier_shares"],
                # Each code's tier from the protocol alone (before the emergency floor):
                # what a protocol change moves.
                "replay_by_code": sorted(
                    (
                        {
                            "initial_type": code,
                            "call_type": call_type,
                            "tier": tier,
                            "calls": calls_by_code.get(code, 0),
                        }
                        for code, call_type, tier in zip(
                            decisions["d_code"].to_pylist(),
                            decisions["replay_call_type"].to_pylist(),
                            decisions["tier"].to_pylist(),
                            strict=True,
                        )
                    ),
                    key=lambda r: (-r["calls"], r["initial_type"]),
                ),
                "triaged_calls": rep["triaged_calls"],
                "excluded": rep["excluded"],
                "raised_by_priority": rep["raised_by_priority"],
                "tier_by_shift": rep["by_shift"],
                "tier_by_area": rep["by_area"],
                "diverted_unit_hours": rep["diverted_unit_hours"],
                "fte_by_shift_precinct": rep["fte_by_shift_precinct"],
                "risk_exposure": rep["risk_exposure"],
            }
        )
    else:
        summary.update(
            {
                "tier_shares": None,
                "excluded": None,
                "diverted_unit_hours": None,
                "fte_by_shift_precinct": None,
                "risk_exposure": None,
            }
        )
    tables = {
        "by_category": vol["by_category"],
        "by_call_type": vol["by_call_type"],
        "by_hour_of_week": vol["by_hour_of_week"],
        "by_area": vol["by_area"],
        "repeat_locations": vol["repeat_locations"],
        "unit_hours_by_category": work["by_category"],
        "response_intervals": summary["response_intervals"]["overall"]
        + summary["response_intervals"]["by_agency"]
        + summary["response_intervals"]["by_priority"],
        "reclassification_matrix": summary["reclassification"]["matrix"],
        "empirical_risk": summary["empirical_risk"],
        "unmapped": summary["unmapped"],
    }
    if decisions is not None:
        tables["tier_shares"] = summary["tier_shares"]
        tables["excluded"] = summary["excluded"]
        tables["fte_by_shift_precinct"] = summary["fte_by_shift_precinct"]
        tables["risk_exposure"] = summary["risk_exposure"]["by_call_type"]
    return AnalysisResult(summary=summary, tables=tables)


def _presets(
    parts: Sequence[Mapping[str, Any]], mapping: Mapping[str, MappingRow], config: AnalysisConfig
) -> list[dict[str, Any]]:
    """The published eligibility methods (presets.py) on this city's calls."""
    from .presets import Cell, preset_results

    cells: dict[tuple[Any, Any, bool], int] = {}
    for r in parts:
        key = (r["initial_type"], r.get("intake_priority"), bool(r.get("onview")))
        cells[key] = cells.get(key, 0) + r["calls"]
    return preset_results(
        [Cell(code, prio, onview, n) for (code, prio, onview), n in cells.items()],
        mapping,
        config.vera_taxonomy,
        config.non_emergent_priority,
        config.emergency_priority,
    )


def compare_summaries(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """Protocol A against protocol B on the same calls: tier shares, civilian-only calls,
    unit-hours and FTE side by side, and the call types whose tier moved."""
    tiers = sorted({r["tier"] for r in (*a["tier_shares"], *b["tier_shares"])})
    by_a = {r["tier"]: r for r in a["tier_shares"]}
    by_b = {r["tier"]: r for r in b["tier_shares"]}

    def side(s: Mapping[str, Any]) -> dict[str, Any]:
        d = s["diverted_unit_hours"]
        keys = ("calls", "call_share", "call_share_ci", "unit_hours", "annual_unit_hours")
        return {
            "protocol_version": s.get("protocol_version"),
            **{k: d.get(k) for k in keys},
            "fte": d.get("fte"),
            "fte_ci": d.get("fte_ci"),
            "severe_share": s["risk_exposure"].get("severe_share"),
        }

    codes_b = {r["initial_type"]: r for r in b.get("replay_by_code", [])}
    moved = []
    for r in a.get("replay_by_code", []):
        other = codes_b.get(r["initial_type"])
        tier_b = other["tier"] if other else None
        if tier_b != r["tier"]:
            moved.append(
                {
                    "initial_type": r["initial_type"],
                    "call_type": r["call_type"],
                    "tier_a": r["tier"],
                    "tier_b": tier_b,
                    "calls": r["calls"],
                }
            )
    return {
        "a": side(a),
        "b": side(b),
        "tiers": [
            {
                "tier": t,
                "calls_a": by_a.get(t, {}).get("calls", 0),
                "share_a": by_a.get(t, {}).get("call_share"),
                "share_a_ci": by_a.get(t, {}).get("call_share_ci"),
                "unit_hours_a": by_a.get(t, {}).get("unit_hours"),
                "calls_b": by_b.get(t, {}).get("calls", 0),
                "share_b": by_b.get(t, {}).get("call_share"),
                "share_b_ci": by_b.get(t, {}).get("call_share_ci"),
                "unit_hours_b": by_b.get(t, {}).get("unit_hours"),
            }
            for t in tiers
        ],
        "moved": sorted(moved, key=lambda r: (-r["calls"], r["initial_type"])),
    }


def map_points(calls: ir.Table, limit: int = 5000) -> list[tuple[float, float]]:
    """A sample of call coordinates for the offline map (rounded: blurred, no addresses)."""
    pts = calls.filter(calls.latitude.notnull() & calls.longitude.notnull())
    rows = _rows(
        pts.select(lat=pts.latitude.round(3), lon=pts.longitude.round(3)).distinct().limit(limit)
    )
    return [(float(r["lat"]), float(r["lon"])) for r in rows]
