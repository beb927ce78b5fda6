"""The landscape of need: Ibis expressions over imported calls (any Ibis backend).

Every function takes an Ibis table with the canonical columns (ingest.CANONICAL_SCHEMA)
and returns plain rows; nothing here knows which engine runs it, so the same code runs
on DuckDB (the default), Polars (tested) or a distributed engine.

Report requirements: analyse what drives calls, response times and outcomes (~1111);
how often calls resolve differently than first classified and the risk matrix (~1125-1137);
police workload and full-time-officer equivalents by shift and precinct (~1346).
"""

from __future__ import annotations

import functools
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

from .mapping import MappingRow, draft_rows, mapping_table

# Response intervals: (start, end). Missing queue or en-route times fall back to the
# previous step, so exports with fewer timestamps still give dispatch and travel times.
INTERVALS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "answer": (("received_at",), ("answered_at",)),
    "queue": (("received_at",), ("queued_at",)),
    "dispatch": (("queued_at", "received_at"), ("dispatched_at",)),
    "rollout": (("dispatched_at",), ("enroute_at",)),
    "travel": (("enroute_at", "dispatched_at"), ("arrived_at",)),
    "on_scene": (("arrived_at",), ("cleared_at", "closed_at")),
    "total": (("received_at",), ("closed_at", "cleared_at")),
}
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
    if backend.has_operation(ops.TimestampDelta):
        # The engine's own second-boundary count (DuckDB date_diff), in integers.
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
) -> ir.Table:
    """Calls joined with the mapping (initial and final codes), local-time parts, shift,
    unit-seconds, response intervals and, when given, the replayed tier per initial code.
    ``dispositions``: the distinct dispositions, when the caller already knows them."""
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
    if config.severe_dispositions:
        # The regex runs in Python once per distinct disposition, then joins back.
        pattern = re.compile(config.severe_dispositions, re.IGNORECASE)
        if dispositions is None:
            dispositions = [r["disposition"] for r in _rows(calls.select("disposition").distinct())]
        values = [v for v in dispositions if v is not None]
        severe_values = [v for v in values if pattern.search(v)]
        if severe_values:
            severe = severe | t.disposition.isin(severe_values).fill_null(False)
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
        "final_category": ibis.coalesce(t.final_category, t.initial_category).fill_null("unmapped"),
        "severe": severe,
        "hour_of_week": t.received_local.day_of_week.index() * 24 + hour,
        "month": t.received_local.truncate("M").date(),
        "shift": ibis.cases(*shift_cases, else_=starts[-1][1]),
        "area": t.area.fill_null("(none)"),
        "unit_seconds": ibis.ifelse(
            (busy >= 0) & (busy < 86400), busy * t.units, ibis.null("int64")
        ),
    }
    for name, (starts_at, ends_at) in INTERVALS.items():
        mutations[f"s_{name}"] = _seconds(_first(t, ends_at), _first(t, starts_at), backend)
    t = t.mutate(**mutations)
    if decisions is not None:
        # Officer-initiated activity (traffic stops, on-view) is not a call to triage.
        t = t.mutate(
            tier=ibis.ifelse(t.officer_initiated.fill_null(False), ibis.null("int64"), t.tier)
        )
    return t


def _with_share(rows: list[dict[str, Any]], total: int) -> list[dict[str, Any]]:
    for r in rows:
        r["share"] = r["calls"] / total if total else None
    return rows


# The columns the analyses read after enrich(): only these are materialised.
_USED = (
    "initial_type", "final_type", "initial_category", "final_category", "agency", "priority",
    "area", "location", "latitude", "longitude", "month", "hour_of_week", "shift", "severe",
    "consequence", "unit_seconds", "tier", *(f"s_{name}" for name in INTERVALS),
)  # fmt: skip


# The keys of the call counts most analyses are cut from (see counts()).
_COUNT_KEYS = ("initial_type", "final_type", "agency", "area", "shift", "tier")
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
    how = t.group_by("hour_of_week").agg(calls=t.count()).order_by("hour_of_week")
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
        metrics[f"{name}__w15"] = (v <= 15).cast("float64").mean()
        metrics[f"{name}__w20"] = (v <= 20).cast("float64").mean()

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
                    "within_15": r[f"{name}__w15"],
                    "within_20": r[f"{name}__w20"],
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
                "likelihood": likelihood,
                "score": likelihood * consequence,
                "band": risk_band(likelihood, consequence),
            }
        )
    return out


def replay_decisions(
    mapping: Mapping[str, MappingRow], codes: Sequence[str], decide: Decider
) -> tuple[pa.Table, int]:
    """The protocol's decision for each local initial code, from what intake knew (the
    mapped call type and the answers the code implies). ``decide`` is called once per
    distinct (call type, answers), not per call; returns the table and that count."""
    cache: dict[tuple[str, tuple[tuple[str, str], ...]], Mapping[str, Any]] = {}
    rows: dict[str, list[Any]] = {
        k: [] for k in ("d_code", "tier", "lead", "protocol_category", "replay_call_type")
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
    table = pa.table(
        {
            "d_code": pa.array(rows["d_code"], pa.string()),
            "tier": pa.array(rows["tier"], pa.int64()),
            "lead": pa.array(rows["lead"], pa.string()),
            "protocol_category": pa.array(rows["protocol_category"], pa.string()),
            "replay_call_type": pa.array(rows["replay_call_type"], pa.string()),
        }
    )
    return table, len(cache)


def replay(
    c: ir.Table, config: AnalysisConfig, days: float, measurable: bool = True
) -> dict[str, Any]:
    """Shares of calls and unit-hours per tier (overall, by shift, by precinct), the
    officer time diverted, its FTE per shift and precinct (~1346), and the risk exposure,
    from the counts ``c``."""
    if config.police_agencies:
        c = c.filter(c.agency.isin(list(config.police_agencies)))
    tier = c.tier.cast("string").fill_null("none")
    calls = c.calls.sum()
    overall = _rows(
        c.group_by(tier.name("tier")).agg(calls=calls, unit_hours=_hours(c)).order_by("tier")
    )
    total_calls = sum(r["calls"] for r in overall)
    for r in overall:
        r["call_share"] = r["calls"] / total_calls if total_calls else None
    grand_hours = sum(r["unit_hours"] for r in overall) or 0.0
    for r in overall:
        r["unit_hour_share"] = r["unit_hours"] / grand_hours if grand_hours else None
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
        civilian.aggregate(calls=civilian_calls.fill_null(0), unit_hours=_hours(civilian))
    )[0]
    annual = 365.25 / days if days > 0 else 0.0
    fte_rows = _rows(
        civilian.group_by(["shift", "area"])
        .agg(calls=civilian_calls, unit_hours=_hours(civilian))
        .order_by(["shift", "area"])
    )
    for r in fte_rows:
        r["annual_unit_hours"] = r["unit_hours"] * annual
        r["fte"] = r["annual_unit_hours"] / config.officer_hours_per_year
        r["meets_one_officer_rule"] = r["fte"] >= 1.0
    severe_rows = _rows(
        civilian.group_by("initial_type")
        .agg(calls=civilian_calls, severe=civilian.severe.sum())
        .order_by([ibis.desc("severe"), ibis.desc("calls"), "initial_type"])
    )
    for r in severe_rows:
        r["severe_share"] = r["severe"] / r["calls"] if r["calls"] else 0.0
    severe_total = sum(r["severe"] for r in severe_rows)
    return {
        "tier_shares": overall,
        "by_shift": by_shift,
        "by_area": by_area,
        "diverted_unit_hours": {
            **diverted,
            "total_unit_hours": grand_hours,
            "annual_unit_hours": diverted["unit_hours"] * annual,
            "fte": diverted["unit_hours"] * annual / config.officer_hours_per_year,
        },
        "fte_by_shift_precinct": fte_rows,
        "risk_exposure": {
            # Without final types or a disposition meaning arrest, outcomes are unknown.
            "measurable": measurable,
            "civilian_only_calls": diverted["calls"],
            "severe_outcomes": severe_total,
            "severe_share": severe_total / diverted["calls"] if diverted["calls"] else None,
            "by_call_type": [r for r in severe_rows if r["severe"]][: config.top],
        },
    }


def unmapped_codes(
    t: ir.Table,
    mapping: Mapping[str, MappingRow],
    calls_by_code: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Codes not in the mapping, and mapped codes the protocol does not triage, with
    their calls. ``calls_by_code``: those counts, when the caller already has them."""
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
    # replay) and the distinct dispositions (for the severe-outcome pattern).
    keys = ["initial_type", *(["disposition"] if config.severe_dispositions else [])]
    parts = _rows(
        calls.group_by(keys).agg(
            calls=calls.count(),
            first=calls.received_local.min(),
            last=calls.received_local.max(),
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
    for r in parts:
        if r["initial_type"] is not None:
            calls_by_code[r["initial_type"]] = calls_by_code.get(r["initial_type"], 0) + r["calls"]
    dispositions = sorted({r["disposition"] for r in parts if r.get("disposition") is not None})
    days = (
        max((span["last"] - span["first"]).total_seconds() / 86400.0, 1.0) if span["first"] else 0.0
    )
    decisions = None
    decide_calls = 0
    if decide is not None:
        codes = list(calls_by_code)
        decisions, decide_calls = replay_decisions(mapping, codes, decide)
    enriched = enrich(calls, mapping, config, decisions, dispositions)
    t = materialise(enriched.select(*[c for c in _USED if c in enriched.columns]))
    c = counts(t)
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
        },
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
        **unmapped_codes(t, mapping, calls_by_code),
    }
    if decisions is not None:
        outcomes = _rows(
            c.aggregate(
                finals=c.calls.sum(where=c.final_type.notnull()),
                severe=c.severe.sum(),
            )
        )[0]
        measurable = bool(outcomes["finals"]) or bool(outcomes["severe"])
        rep = replay(c, config, days, measurable)
        summary.update(
            {
                "protocol_version": protocol_version,
                "decide_calls": decide_calls,
                "tier_shares": rep["tier_shares"],
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
        tables["fte_by_shift_precinct"] = summary["fte_by_shift_precinct"]
        tables["risk_exposure"] = summary["risk_exposure"]["by_call_type"]
    return AnalysisResult(summary=summary, tables=tables)


def map_points(calls: ir.Table, limit: int = 5000) -> list[tuple[float, float]]:
    """A sample of call coordinates for the offline map (rounded: blurred, no addresses)."""
    pts = calls.filter(calls.latitude.notnull() & calls.longitude.notnull())
    rows = _rows(
        pts.select(lat=pts.latitude.round(3), lon=pts.longitude.round(3)).distinct().limit(limit)
    )
    return [(float(r["lat"]), float(r["lon"])) for r in rows]
