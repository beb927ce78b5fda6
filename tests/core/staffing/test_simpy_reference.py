"""The benchmark's SimPy model (a process per unit and per call) and the simulation give
the same sample path on the same arrivals and service draws: every figure equal."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from rightresponse.core.staffing import (
    simulate,
    staffing_load,
    streams_from_counts,
    synthetic_counts,
)
from rightresponse.core.staffing.simulation import generate_arrivals

REPO = Path(__file__).resolve().parents[3]


def _benchmark_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "staffing_benchmark", REPO / "benchmarks" / "staffing_simulation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("plan_file", ["example-24x7.yaml", "example-peak.yaml"])
def test_simpy_model_of_the_same_system_agrees_exactly(plan_file: str) -> None:
    bench = _benchmark_module()
    plan = staffing_load(REPO / "staffing" / plan_file)
    # A busy city (so queues, fallbacks and overtime all happen), three weeks.
    streams = streams_from_counts(synthetic_counts(300_000), 1.0, plan)
    weeks = 3
    arr_t, arr_k = generate_arrivals(streams, weeks, np.random.default_rng(4))
    rng = np.random.default_rng(4)
    generate_arrivals(streams, weeks, rng)
    draws = rng.exponential(1.0, size=arr_t.shape[0])
    fast = simulate(streams, plan.staffing, weeks=weeks, seed=4)
    reference = bench.simpy_model(streams, plan.staffing, weeks, arr_t, arr_k, draws)
    for pid, row in fast.by_program.items():
        ref = reference[pid]
        assert row["served"] == ref["served"], pid
        assert row["share_eligible_served"] == pytest.approx(ref["share_eligible_served"]), pid
        assert row["mean_wait_minutes"] == pytest.approx(ref["mean_wait_minutes"], rel=1e-9), pid
    assert fast.by_program["civilian"]["fell_back"] > 0  # the fallback path was exercised
