"""Staffing runs: demand from an imported dataset replayed through a protocol (or the
synthetic city-year), a staffing plan file, and the simulation of the core; also the
call-taker plan per half-hour by Erlang C / Erlang A. Reads only; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from rightresponse.core.staffing import (
    Result,
    SimulationError,
    StaffingPlan,
    simulate,
    staffing_load,
    staffing_plan,
    streams_from_counts,
    synthetic_counts,
    uncovered,
)

STAFFING_DIR = Path(settings.PROJECT_DIR) / "staffing"
SYNTHETIC = "synthetic"
LIVE = "live"  # this system's own incidents of the last LIVE_WEEKS weeks
LIVE_WEEKS = 8


@dataclass(frozen=True)
class Demand:
    rows: list[tuple[int, str, int, float]]  # (tier, area, hour of week, calls)
    weeks_observed: float
    unit_hours: dict[int, float]
    source: str


def staffing_files() -> list[Path]:
    return sorted(STAFFING_DIR.glob("*.yaml"))


def staffing_file(name: str) -> Path:
    """A plan from the staffing folder by file name, or a path given on the command line."""
    path = Path(name)
    if not path.is_file():
        path = STAFFING_DIR / name
    if not path.is_file():
        raise SimulationError(f"staffing: no file {name!r} (see {STAFFING_DIR})")
    return path


def dataset_demand(slug: str, protocol_path: str | None = None) -> Demand:
    """Calls of an imported dataset by tier (the protocol's decision for each local call
    type), area and hour of the week, and the mean unit-hours per tier from its times."""
    if slug == SYNTHETIC:
        return Demand(synthetic_counts(), 1.0, {}, "synthetic city-year (400,000 calls)")
    if slug == LIVE:
        return _live_demand()
    import ibis

    from rightresponse.analytics.models import Dataset
    from rightresponse.analytics.selectors import (
        dataset_calls,
        dataset_has_calls,
        mapping_get,
        profile_get,
    )
    from rightresponse.analytics.services import analysis_config, protocol_decider
    from rightresponse.core.analytics.analysis import enrich, replay_decisions

    dataset = Dataset.objects.filter(slug=slug).first()
    if dataset is None or not dataset_has_calls(dataset):
        raise SimulationError(f"dataset: no imported dataset {slug!r} (rightresponse import-calls)")
    try:
        bound = protocol_decider(protocol_path)
    except ValueError as exc:  # the protocol file's own message names the place
        raise SimulationError(f"protocol: {exc}") from exc
    if bound is None:
        raise SimulationError(f"protocol: cannot load {protocol_path or 'the default protocol'}")
    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    calls = dataset_calls(dataset)
    if profile.police_agencies:
        # Fire and EMS calls are not field work for these programs (as in the replay).
        calls = calls.filter(calls.agency.isin(list(profile.police_agencies)))
    codes = [
        r for r in calls.select("initial_type").distinct().to_pyarrow().column(0).to_pylist() if r
    ]
    decisions, _ = replay_decisions(mapping, codes, bound[0])
    # The analyses' own settings (emergency floor, exclusions): the same tiers as analyze.
    t = enrich(calls, mapping, analysis_config(profile), decisions)
    t = t.filter(t.tier.notnull() & t.received_local.notnull())
    span = (
        t.aggregate(lo=t.received_local.min(), hi=t.received_local.max())
        .to_pyarrow()
        .to_pylist()[0]
    )
    if span["lo"] is None:
        raise SimulationError(f"dataset {slug}: no call has both a tier and a time")
    weeks = max(1.0, (span["hi"] - span["lo"]).total_seconds() / (7 * 86400))
    grouped = (
        t.group_by([t.tier, t.area, t.hour_of_week])
        .aggregate(calls=ibis._.count())
        .to_pyarrow()
        .to_pylist()
    )
    rows = [
        (int(g["tier"]), str(g["area"]), int(g["hour_of_week"]), float(g["calls"])) for g in grouped
    ]
    hours = (
        t.filter(t.unit_seconds.notnull())
        .group_by(t.tier)
        .aggregate(h=(t.unit_seconds.mean() / 3600.0))
        .to_pyarrow()
        .to_pylist()
    )
    unit_hours = {int(h["tier"]): float(h["h"]) for h in hours if h["h"]}
    return Demand(
        rows, weeks, unit_hours, f"dataset {slug} ({weeks:.1f} weeks), protocol {bound[1]}"
    )


def _live_incidents() -> list[tuple[Any, Any, str]]:
    """(received_at local, tier, area) of this system's incidents of the last weeks."""
    from datetime import timedelta

    from django.utils import timezone

    from rightresponse.dispatch.models import Incident

    since = timezone.now() - timedelta(weeks=LIVE_WEEKS)
    rows = Incident.objects.filter(received_at__gte=since).values_list(
        "received_at", "tier", "area"
    )
    return [(timezone.localtime(at), tier, area or "(none)") for at, tier, area in rows]


def _live_demand() -> Demand:
    counts: dict[tuple[int, str, int], float] = {}
    for at, tier, area in _live_incidents():
        if tier is None:
            continue
        key = (int(tier), area, at.weekday() * 24 + at.hour)
        counts[key] = counts.get(key, 0.0) + 1
    if not counts:
        raise SimulationError(f"dataset live: no triaged incident in the last {LIVE_WEEKS} weeks")
    rows = [(t, a, h, n) for (t, a, h), n in sorted(counts.items())]
    return Demand(rows, float(LIVE_WEEKS), {}, f"this system's incidents, last {LIVE_WEEKS} weeks")


def call_volume(slug: str) -> tuple[list[float], str]:
    """911 calls per half-hour of the average week (336 values, Monday 00:00 first):
    every call a call taker answers, whatever its agency (officer-initiated work excluded)."""
    from rightresponse.core.staffing import weekly_profile

    if slug == SYNTHETIC:
        week = 400_000 * 7 / 365.0
        profile = weekly_profile()
        return [week * float(profile[i // 2]) / 2 for i in range(336)], "synthetic city-year"
    if slug == LIVE:
        volume = [0.0] * 336
        for at, _, _ in _live_incidents():
            volume[(at.weekday() * 24 + at.hour) * 2 + at.minute // 30] += 1.0 / LIVE_WEEKS
        return volume, f"this system's incidents, last {LIVE_WEEKS} weeks"
    from rightresponse.analytics.models import Dataset
    from rightresponse.analytics.selectors import dataset_calls, dataset_has_calls

    dataset = Dataset.objects.filter(slug=slug).first()
    if dataset is None or not dataset_has_calls(dataset):
        raise SimulationError(f"dataset: no imported dataset {slug!r} (rightresponse import-calls)")
    t = dataset_calls(dataset)
    t = t.filter(t.received_local.notnull() & ~t.officer_initiated.fill_null(False))
    span = t.aggregate(lo=t.received_local.min(), hi=t.received_local.max()).to_pyarrow()
    lo, hi = span.to_pylist()[0].values()
    if lo is None:
        raise SimulationError(f"dataset {slug}: no call has a time")
    weeks = max(1.0, (hi - lo).total_seconds() / (7 * 86400))
    slot = (
        t.received_local.day_of_week.index() * 48
        + t.received_local.hour() * 2
        + (t.received_local.minute() >= 30).cast("int64")
    )
    grouped = t.group_by(slot.name("slot")).aggregate(n=t.count()).to_pyarrow().to_pylist()
    volume = [0.0] * 336
    for g in grouped:
        volume[int(g["slot"])] = g["n"] / weeks
    return volume, f"dataset {slug} ({weeks:.1f} weeks)"


def call_taker_week(
    volume: list[float],
    handle_seconds: float = 120.0,
    shrinkage: float = 0.3,
    patience_seconds: float | None = 60.0,
    hours_per_fte: float = 1750.0,
) -> dict[str, Any]:
    """Call takers per half-hour of the week to the NENA standard, and the people that
    takes in a year (scheduled hours over the hours one person works: relief included)."""
    plan = staffing_plan(
        volume, handle_seconds, shrinkage=shrinkage, patience_seconds=patience_seconds
    )
    scheduled_hours_week = sum(p.scheduled * 0.5 for p in plan)
    return {
        "intervals": [
            {
                "day": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][p.start_minute // 1440],
                "time": f"{p.start_minute % 1440 // 60:02d}:{p.start_minute % 60:02d}",
                "calls": p.calls,
                "on_floor": p.on_floor,
                "scheduled": p.scheduled,
                "answered_15s": dict(p.performance.answered_within)[15.0],
                "answered_20s": dict(p.performance.answered_within)[20.0],
                "abandoned": p.performance.abandon_share,
            }
            for p in plan
        ],
        "peak_on_floor": max(p.on_floor for p in plan),
        "least_on_floor": min(p.on_floor for p in plan),
        "fte": scheduled_hours_week * 52 / hours_per_fte,
    }


def staffing_run(
    plan: StaffingPlan,
    demand: Demand,
    *,
    weeks: int = 52,
    scale: float = 1.0,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
    started: Callable[[int], None] | None = None,
) -> tuple[Result, list[str]]:
    """The run, and warnings: areas of the data that a program of the chain does not cover."""
    streams = streams_from_counts(
        demand.rows, demand.weeks_observed, plan, demand.unit_hours, scale
    )
    if not streams:
        raise SimulationError("demand: no call falls in a tier the staffing plan serves")
    gaps = sorted({(program, area) for _, program, area in uncovered(streams, plan.staffing)})
    warnings = [
        f"{program}: no unit in area {area!r} and no city-wide pool; its calls skip {program}"
        for program, area in gaps
    ]
    result = simulate(
        streams, plan.staffing, weeks=weeks, seed=seed, progress=progress, started=started
    )
    return result, warnings


def plan_load(name: str) -> StaffingPlan:
    return staffing_load(staffing_file(name))
