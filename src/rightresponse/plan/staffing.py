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
)

STAFFING_DIR = Path(settings.PROJECT_DIR) / "staffing"
SYNTHETIC = "synthetic"


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
    import ibis

    from rightresponse.analytics.models import Dataset
    from rightresponse.analytics.selectors import (
        dataset_calls,
        dataset_has_calls,
        mapping_get,
        profile_get,
    )
    from rightresponse.analytics.services import protocol_decider
    from rightresponse.core.analytics.analysis import AnalysisConfig, enrich, replay_decisions

    dataset = Dataset.objects.filter(slug=slug).first()
    if dataset is None or not dataset_has_calls(dataset):
        raise SimulationError(f"dataset: no imported dataset {slug!r} (rightresponse import-calls)")
    bound = protocol_decider(protocol_path)
    if bound is None:
        raise SimulationError(f"protocol: cannot load {protocol_path or 'the default protocol'}")
    mapping = mapping_get(profile_get(dataset.profile))
    calls = dataset_calls(dataset)
    codes = [
        r for r in calls.select("initial_type").distinct().to_pyarrow().column(0).to_pylist() if r
    ]
    decisions, _ = replay_decisions(mapping, codes, bound[0])
    t = enrich(calls, mapping, AnalysisConfig(), decisions)
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


def staffing_run(
    plan: StaffingPlan,
    demand: Demand,
    *,
    weeks: int = 52,
    scale: float = 1.0,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Result:
    streams = streams_from_counts(
        demand.rows, demand.weeks_observed, plan, demand.unit_hours, scale
    )
    if not streams:
        raise SimulationError("demand: no call falls in a tier the staffing plan serves")
    return simulate(streams, plan.staffing, weeks=weeks, seed=seed, progress=progress)


def call_taker_day(
    calls_per_day: float,
    handle_seconds: float = 120.0,
    shrinkage: float = 0.3,
    patience_seconds: float | None = 60.0,
) -> list[dict[str, Any]]:
    """Call takers per half-hour of an average day for ``calls_per_day`` 911 calls spread
    with the usual daily rhythm (Erlang A with the given mean patience, else Erlang C)."""
    from rightresponse.core.staffing import weekly_profile

    profile = weekly_profile()
    day = [float(profile[h::24].sum()) for h in range(24)]
    per_half = [calls_per_day * day[h // 2] / 2 for h in range(48)]
    plan = staffing_plan(
        per_half, handle_seconds, shrinkage=shrinkage, patience_seconds=patience_seconds
    )
    return [
        {
            "time": f"{p.start_minute // 60:02d}:{p.start_minute % 60:02d}",
            "calls": p.calls,
            "on_floor": p.on_floor,
            "scheduled": p.scheduled,
            "answered_15s": dict(p.performance.answered_within)[15.0],
            "answered_20s": dict(p.performance.answered_within)[20.0],
            "occupancy": p.performance.occupancy,
        }
        for p in plan
    ]


def plan_load(name: str) -> StaffingPlan:
    return staffing_load(staffing_file(name))
