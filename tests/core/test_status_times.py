"""One definition of each interval (issue 17): the live metrics, the incident's own
intervals and the analysis of imported calls all read core/status_times.py, and the same
calls give the same figures on every path.

The calls are made here with whole-second times (the analysis counts whole seconds, as
CAD systems do), some status times missing (no en-route time: travel runs from dispatch;
no clear time: time on scene runs to the close) and some clocks running backwards (no
value, never a negative time).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from rightresponse.core.analytics import analysis
from rightresponse.core.analytics.analysis import AnalysisConfig, analyze
from rightresponse.core.dispatch import INCIDENT_INTERVALS, derived_intervals
from rightresponse.core.metrics import Evaluator, Frame, load_catalog
from rightresponse.core.status_times import ANALYSED, INTERVALS, STATUS_TIMES

CATALOG = Path(__file__).parents[2] / "src/rightresponse/performance/catalog/metrics.yaml"
T0 = datetime(2025, 3, 1, tzinfo=UTC)


def _calls(n: int = 400, seed: int = 17) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        received = T0 + timedelta(seconds=rng.randrange(0, 30 * 86400))
        times: dict[str, datetime | None] = {"received_at": received}
        at = received
        for name, mean in (
            ("answered_at", 10),
            ("dispatched_at", 200),
            ("en_route_at", 60),
            ("on_scene_at", 500),
            ("cleared_at", 1500),
            ("closed_at", 300),
        ):
            at = at + timedelta(seconds=int(rng.expovariate(1 / mean)))
            times[name] = at
        for name in ("answered_at", "en_route_at", "on_scene_at", "cleared_at", "closed_at"):
            if rng.random() < 0.15:
                times[name] = None
        if rng.random() < 0.05 and times["on_scene_at"] is not None:  # a clock error
            times["on_scene_at"] = received - timedelta(seconds=30)
        rows.append({"incident_id": i + 1, "call_id": i + 1, **times})
    return rows


def _imported(rows: list[dict[str, Any]]) -> pa.Table:
    """The same calls as an imported dataset (ingest's canonical columns, UTC)."""
    n = len(rows)
    ts = pa.timestamp("us")

    def times(name: str) -> pa.Array:
        values = [r.get(name) for r in rows]
        return pa.array([v.replace(tzinfo=None) if v else None for v in values], ts)

    columns: dict[str, pa.Array] = {
        "call_key": pa.array([str(r["call_id"]) for r in rows]),
        "call_id": pa.array([str(r["call_id"]) for r in rows]),
        "initial_type": pa.array(["WELFARE CHECK"] * n),
        "area": pa.array(["NORTH"] * n),
        "units": pa.array([1] * n),
        "received_local": times("received_at"),
        **{name: times(name) for name in STATUS_TIMES},
    }
    for name in ("final_type", "priority", "disposition", "agency", "location"):
        columns[name] = pa.nulls(n, pa.string())
    columns["officer_initiated"] = pa.array([False] * n)
    columns["latitude"] = pa.nulls(n, pa.float64())
    columns["longitude"] = pa.nulls(n, pa.float64())
    return pa.table(columns)


def test_every_path_reads_the_one_definition() -> None:
    # The analysis of imported calls reports the core's intervals themselves.
    assert list(analysis.INTERVALS) == list(ANALYSED)
    assert all(analysis.INTERVALS[k] is INTERVALS[k] for k in ANALYSED)
    # The incident's intervals and every duration metric of the catalog name them.
    assert set(INCIDENT_INTERVALS.values()) <= set(INTERVALS)
    durations = [m for m in load_catalog(CATALOG).computed() if m.compute["kind"] == "duration"]
    assert len(durations) == 17
    assert all(m.compute["interval"] in INTERVALS for m in durations)
    assert not any({"start", "end"} & set(m.compute) for m in durations)


def test_live_facts_and_an_imported_dataset_give_the_same_intervals() -> None:
    rows = _calls()
    summary = analyze(ibis.memtable(_imported(rows)), {}, config=AnalysisConfig()).summary
    imported = {r["interval"]: r for r in summary["response_intervals"]["overall"]}
    evaluator = Evaluator({"incidents": Frame.from_rows("incidents", rows)})
    compared = 0
    for key in ANALYSED:
        live = evaluator.compute({"kind": "duration", "interval": key, "facts": "incidents"}).total
        if key == "queue":  # live incidents have no queue time: not measurable on both
            assert live.value is None and key not in imported
            continue
        assert imported[key]["n"] == live.events > 100, key
        assert imported[key]["median"] == pytest.approx(live.median * 60, abs=1e-6), key
        compared += 1
    assert compared == len(ANALYSED) - 1
    # The fallbacks really were exercised: travel from dispatch, on scene to the close.
    no_en_route = [r for r in rows if r["en_route_at"] is None and r["on_scene_at"]]
    assert no_en_route and imported["travel"]["n"] > sum(
        1
        for r in rows
        if r["en_route_at"] and r["on_scene_at"] and r["on_scene_at"] >= r["en_route_at"]
    )


def test_the_incident_page_and_the_live_metrics_agree_call_by_call() -> None:
    rows = _calls(seed=3)
    evaluator = Evaluator({"incidents": Frame.from_rows("incidents", rows)})
    per_call = [derived_intervals(r) for r in rows]
    for name, key in INCIDENT_INTERVALS.items():
        seconds = [d[name] for d in per_call if d[name] is not None]
        live = evaluator.compute({"kind": "duration", "interval": key, "facts": "incidents"}).total
        assert live.events == len(seconds), name
        if seconds:
            assert live.value == pytest.approx(sum(seconds) / len(seconds) / 60), name
    # A backwards clock is no value, not a negative time.
    backwards = next(r for r in rows if r["on_scene_at"] and r["on_scene_at"] < r["received_at"])
    assert derived_intervals(backwards)["time_to_scene"] is None
