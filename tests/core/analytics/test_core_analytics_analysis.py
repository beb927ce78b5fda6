"""Analyses: reproduction to the second, replay, risk, FTE and a second Ibis backend."""

from __future__ import annotations

import csv
import statistics
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from core_analytics_paths import MAPPINGS, SAMPLES, profile, real_file

from rightresponse.core.analytics.analysis import (
    AnalysisConfig,
    analyze,
    enrich,
    likelihood_level,
    replay_decisions,
    response_intervals,
    risk_band,
)
from rightresponse.core.analytics.ingest import read_calls
from rightresponse.core.analytics.mapping import category_shares, load_mapping
from rightresponse.core.analytics.store import open_calls, parts, store_append

# (our interval, the analyst's precomputed column)
ANALYST_COLUMNS = {
    "queue": "x_time_to_queue",
    "dispatch": "x_time_to_dispatch",
    "rollout": "x_rollout_time",
    "travel": "x_transit_time",
    "total": "x_total_call_time",
}


def _decc_week(week: int) -> pa.Table:
    return read_calls(real_file(f"decc-cad-weekly-2025/week{week}.csv"), profile("decc-cad")).table


def test_intervals_equal_the_analysts_own_seconds_on_every_call() -> None:
    table = _decc_week(36)
    t = enrich(ibis.memtable(table), {}, AnalysisConfig())
    rows = t.to_pyarrow().to_pylist()
    compared = Counter()
    for row in rows:
        for ours, theirs in ANALYST_COLUMNS.items():
            if row[theirs] is None or row[f"s_{ours}"] is None:
                continue
            if ours == "dispatch" and row["queued_at"] is None:
                continue
            assert row[f"s_{ours}"] == row[theirs], (row["call_id"], ours)
            compared[ours] += 1
    assert all(compared[k] > 1000 for k in ANALYST_COLUMNS)


def test_published_interval_table_is_reproduced_by_agency() -> None:
    """Median, 90th percentile and shares within 15/20 s per agency: RightResponse's table
    from the raw timestamps equals the one computed from the analyst's own columns."""
    table = _decc_week(38)
    t = enrich(ibis.memtable(table), {}, AnalysisConfig())
    ours = {
        (r["agency"], r["interval"]): r
        for r in response_intervals(t)["by_agency"]
        if r["interval"] == "queue"
    }
    by_agency: dict[str, list[float]] = {}
    for row in table.to_pylist():
        if row["x_time_to_queue"] is not None and row["x_time_to_queue"] >= 0:
            by_agency.setdefault(row["agency"], []).append(row["x_time_to_queue"])
    assert set(by_agency) == {"POLICE", "FIRE", "EMS"}
    for agency, values in by_agency.items():
        row = ours[(agency, "queue")]
        assert row["n"] == len(values)
        assert row["median"] == pytest.approx(statistics.median(values))
        assert row["p90"] == pytest.approx(
            statistics.quantiles(values, n=10, method="inclusive")[8]
        )
        # NENA's 15/20 s answering yardstick applies to answering only (issue 18).
        assert "within_15" not in row and "within_20" not in row


def _sample() -> tuple[pa.Table, dict]:
    result = read_calls(
        SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study")
    )
    return result.table, load_mapping(MAPPINGS / "seattle.csv")


class CountingDecider:
    """A stand-in for the triage core's decide(): civilian tiers for low-acuity types."""

    civilian = {"noise_complaint": 1, "parking": 0, "welfare_check": 1, "behavioral_crisis": 2}

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple]] = []

    def __call__(self, call_type: str, answers: Mapping[str, str]) -> Mapping[str, Any]:
        self.calls.append((call_type, tuple(sorted(answers.items()))))
        tier = self.civilian.get(call_type, 4)
        return {"tier": tier, "lead": "civilian" if tier <= 2 else "police", "category": "x"}


def test_replay_decides_once_per_distinct_call_type_and_answers() -> None:
    table, mapping = _sample()
    decide = CountingDecider()
    result = analyze(ibis.memtable(table), mapping, decide=decide, protocol_version="test")
    assert len(decide.calls) == len(set(decide.calls))  # never twice for one combination
    assert len(decide.calls) < table.num_rows
    s = result.summary
    assert s["decide_calls"] == len(decide.calls)
    excluded = {r["reason"]: r["calls"] for r in s["excluded"]}
    triaged = sum(r["calls"] for r in s["tier_shares"])
    assert triaged + sum(excluded.values()) == s["total_calls"] == table.num_rows
    assert sum(r["call_share"] for r in s["tier_shares"]) == pytest.approx(1.0)
    onview = sum(1 for v in table["officer_initiated"].to_pylist() if v)
    # Officer-initiated activity is not triaged: it is reported apart.
    assert onview > 0 and excluded["officer_initiated"] == onview
    civilian_calls = sum(r["calls"] for r in s["tier_shares"] if r["tier"] in ("0", "1"))
    assert s["risk_exposure"]["civilian_only_calls"] == civilian_calls
    # Risk exposure counts severe final outcomes among civilian-only calls, by call type.
    for row in s["risk_exposure"]["by_call_type"]:
        assert 0 < row["severe"] <= row["calls"]


def test_fte_per_shift_and_precinct_follows_the_officer_hours() -> None:
    # Two civilian-tier calls of 2 unit-hours in one precinct and shift over a year.
    base = {
        "call_key": ["a", "b", "c"],
        "call_id": ["a", "b", "c"],
        "initial_type": ["NOISE", "NOISE", "ROBBERY"],
        "area": ["NORTH", "NORTH", "NORTH"],
        "units": [2, 1, 1],
    }
    t0 = "2025-01-01 10:00:00"
    table = pa.table(
        {
            **{k: pa.array(v) for k, v in base.items()},
            "received_at": pa.array([t0, t0, "2025-12-31 10:00:00"]).cast(pa.timestamp("us")),
            "received_local": pa.array([t0, t0, "2025-12-31 10:00:00"]).cast(pa.timestamp("us")),
            "dispatched_at": pa.array([t0, t0, t0]).cast(pa.timestamp("us")),
            "cleared_at": pa.array(["2025-01-01 11:00:00", "2025-01-01 12:00:00", t0]).cast(
                pa.timestamp("us")
            ),
        }
    )
    for column in ("answered_at", "queued_at", "en_route_at", "on_scene_at", "closed_at"):
        table = table.append_column(column, pa.nulls(3, pa.timestamp("us")))
    for column in ("final_type", "priority", "disposition", "agency", "location"):
        table = table.append_column(column, pa.nulls(3, pa.string()))
    table = table.append_column("officer_initiated", pa.array([False, None, False]))
    table = table.append_column("latitude", pa.nulls(3, pa.float64()))
    table = table.append_column("longitude", pa.nulls(3, pa.float64()))
    from rightresponse.core.analytics.mapping import MappingRow

    mapping = {
        "NOISE": MappingRow("NOISE", "noise_complaint", "quality_of_life", {}, False, 1),
        "ROBBERY": MappingRow("ROBBERY", "robbery", "violent_crime", {}, True, 5),
    }
    config = AnalysisConfig(officer_hours_per_year=4.0)
    s = analyze(ibis.memtable(table), mapping, config=config, decide=CountingDecider()).summary
    (cell,) = s["fte_by_shift_precinct"]
    assert (cell["shift"], cell["area"], cell["calls"]) == ("day", "NORTH", 2)
    assert cell["unit_hours"] == pytest.approx(4.0)  # 1 h x 2 units + 2 h x 1 unit
    days = 365  # 1 January to 31 December: three calls leave no gap they cannot explain
    assert s["period"]["days_covered"] == days and s["period"]["gaps"] == []
    assert cell["fte"] == pytest.approx(4.0 * 365.25 / days / 4.0)
    assert cell["meets_one_officer_rule"] is True


def test_risk_matrix_matches_the_report_figure() -> None:
    # Report lines 1127-1133 (Seattle Risk Managed Demand Matrix).
    assert risk_band(5, 1) == "moderate" and risk_band(5, 3) == "extreme"
    assert risk_band(3, 3) == "high" and risk_band(1, 5) == "moderate"
    assert risk_band(2, 2) == "moderate" and risk_band(1, 3) == "low"
    assert [likelihood_level(x) for x in (0.0, 0.02, 0.1, 0.2, 0.5)] == [1, 2, 3, 4, 5]


def test_empirical_risk_and_reclassification_on_real_seattle_calls() -> None:
    table = read_calls(
        real_file("seattle-call-data-sample/seattle_madison_beach_2010-2023.csv"),
        profile("seattle-call-data-study"),
    ).table
    mapping = load_mapping(MAPPINGS / "seattle.csv")
    s = analyze(
        ibis.memtable(table), mapping, config=AnalysisConfig(severe_dispositions="(?<!NO )ARREST")
    ).summary
    rc = s["reclassification"]
    assert rc["calls"] == table.num_rows
    changed = sum(
        1
        for r in table.select(["initial_type", "final_type"]).to_pylist()
        if r["initial_type"] != r["final_type"]
    )
    assert rc["changed_type_share"] == pytest.approx(changed / table.num_rows)
    assert sum(r["calls"] for r in rc["matrix"]) == table.num_rows
    for row in s["empirical_risk"]:
        assert row["score"] == row["likelihood"] * row["consequence"]
        assert row["band"] == risk_band(row["likelihood"], row["consequence"])
    assert s["unmapped"] == [r for r in s["unmapped"] if r["initial_type"] not in mapping]


def test_same_analysis_runs_on_a_second_ibis_backend(tmp_path: Path) -> None:
    table, mapping = _sample()
    store_append(tmp_path, "madrona", table, "0" * 64)
    on_duckdb = analyze(open_calls(tmp_path, "madrona"), mapping, decide=CountingDecider())
    on_polars = analyze(
        open_calls(tmp_path, "madrona", backend=ibis.polars.connect()),
        mapping,
        decide=CountingDecider(),
    )
    a, b = on_duckdb.summary, on_polars.summary
    assert b["total_calls"] == a["total_calls"] == 446
    for key in ("by_category", "by_call_type", "tier_shares", "reclassification", "risk_exposure"):
        assert b[key] == pytest.approx(a[key]) if isinstance(a[key], float) else b[key] == a[key], (
            key
        )
    assert b["response_intervals"] == a["response_intervals"]


def test_summed_counts_and_repeat_places_equal_direct_scans_of_every_call(
    tmp_path: Path,
) -> None:
    """The analysis sums most tables from one count per key combination and finds repeat
    places in two steps; each must equal the straightforward query over every call."""
    table, mapping = _sample()
    # Some calls with location text (one shared by four calls), the rest by coordinates.
    text = [None] * table.num_rows
    for i in (3, 50, 51, 52):
        text[i] = "1200 E PIKE ST"
    text[7] = "47.612,-122.29"  # text that looks like coordinates stays text
    table = table.set_column(
        table.schema.get_field_index("location"), "location", pa.array(text, pa.string())
    )
    store_append(tmp_path, "m", table, "c" * 64)
    calls = open_calls(tmp_path, "m")
    s = analyze(calls, mapping, decide=CountingDecider()).summary

    codes = [r for r in calls.select("initial_type").distinct().to_pyarrow().column(0).to_pylist()]
    decisions, _ = replay_decisions(mapping, [c for c in codes if c], CountingDecider())
    t = enrich(calls, mapping, AnalysisConfig(), decisions)

    def rows(expr: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = expr.to_pyarrow().to_pylist()
        return out

    by_category = rows(
        t.group_by(t.final_category.name("key"))
        .agg(calls=t.count())
        .order_by([ibis.desc("calls"), "key"])
    )
    assert [(r["key"], r["calls"]) for r in s["by_category"]] == [
        (r["key"], r["calls"]) for r in by_category
    ]
    hours = (t.unit_seconds.sum().cast("float64") / 3600.0).fill_null(0)
    by_area = rows(
        t.group_by(t.area.name("key"))
        .agg(unit_hours=hours, calls_with_times=t.unit_seconds.notnull().cast("int64").sum())
        .order_by([ibis.desc("unit_hours"), "key"])
    )
    for r in by_area:  # an area with no times has no measured hours: None, never 0
        r["unit_hours"] = r["unit_hours"] if r["calls_with_times"] else None
    assert s["unit_hours_by_area"] == by_area
    both = t.filter(t.final_type.notnull() & t.initial_type.notnull())
    (shares,) = rows(
        both.aggregate(
            calls=both.count(),
            changed_type_share=(both.final_type != both.initial_type).cast("float64").mean(),
            changed_category_share=(both.final_category != both.initial_category)
            .cast("float64")
            .mean(),
        )
    )
    assert {k: s["reclassification"][k] for k in shares} == shares
    triaged = t.filter(t.excluded.isnull())
    by_shift = rows(
        triaged.group_by(["shift", triaged.tier.cast("string").name("tier")])
        .agg(calls=triaged.count(), unit_hours=(triaged.unit_seconds.sum() / 3600.0).fill_null(0))
        .order_by(["shift", "tier"])
    )
    assert s["tier_by_shift"] == by_shift
    civilian = t.filter((t.tier <= 1).fill_null(False))
    assert s["risk_exposure"]["civilian_only_calls"] == civilian.count().to_pyarrow().as_py()

    place = ibis.coalesce(
        t.location,
        t.latitude.round(3).cast("string") + "," + t.longitude.round(3).cast("string"),
    )
    located = t.mutate(place=place).filter(lambda r: r.place.notnull())
    repeat = rows(
        located.group_by(located.place.name("location"))
        .agg(calls=located.count(), call_types=located.initial_type.nunique())
        .filter(lambda r: r.calls >= 3)
        .order_by([ibis.desc("calls"), "location"])
        .limit(25)
    )
    assert s["repeat_locations"] == repeat
    assert {"location": "1200 E PIKE ST", "calls": 4} in [
        {k: r[k] for k in ("location", "calls")} for r in repeat
    ]


def test_interval_shortcuts_equal_computing_every_grouping_and_interval(tmp_path: Path) -> None:
    """With one agency its interval table is the overall one, not recomputed, and
    intervals without any time (DECC has no answer times) are skipped: both must give
    what computing every grouping and interval gives."""
    table = _decc_week(38)
    police = table.filter(pc.equal(table["agency"], "POLICE"))
    store_append(tmp_path, "decc", police, "d" * 64)
    calls = open_calls(tmp_path, "decc")
    s = analyze(calls, {}).summary
    assert [r["key"] for r in s["by_agency"]] == ["POLICE"]
    intervals = s["response_intervals"]
    assert {r["interval"] for r in intervals["by_agency"]} >= {"queue", "dispatch", "travel"}
    assert "answer" not in {r["interval"] for r in intervals["overall"]}
    assert intervals == response_intervals(enrich(calls, {}, AnalysisConfig()))


def test_reimporting_adds_nothing_and_overlap_adds_only_new_calls(tmp_path: Path) -> None:
    table, _ = _sample()
    assert store_append(tmp_path, "d", table.slice(0, 300), "a" * 64) == 300
    assert store_append(tmp_path, "d", table.slice(0, 300), "a" * 64) == 0
    assert store_append(tmp_path, "d", table.slice(200), "b" * 64) == table.num_rows - 300
    assert len(parts(tmp_path, "d")) == 2
    assert open_calls(tmp_path, "d").count().to_pyarrow().as_py() == table.num_rows


def _vera_counts(city: str, column: str) -> dict[str, int]:
    path = real_file("vera-twosigma-911-taxonomy/CallTypes_TS__CallTypes.csv")
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["City"] == city and row["Column_name"].strip() == column:
                code = row["Field 1"].strip()
                counts[code] = counts.get(code, 0) + int(float(row["Count"] or 0))
    return counts


def test_behavioural_health_shares_quoted_in_the_docs() -> None:
    """docs/analytics.md compares these with the report's ~3 % (line 1005)."""
    seattle = load_mapping(MAPPINGS / "seattle.csv")
    final = category_shares(seattle, _vera_counts("Seattle", "Final Call Type"))
    initial = category_shares(seattle, _vera_counts("Seattle", "Initial Call Type"))
    nola = category_shares(
        load_mapping(MAPPINGS / "new-orleans.csv"), _vera_counts("New Orleans", "TypeText")
    )
    assert round(100 * final["behavioral_health"], 2) == 2.25
    assert round(100 * initial["behavioral_health"], 2) == 1.46
    assert round(100 * nola["behavioral_health"], 2) == 1.11
    assert final.get("unmapped", 0) == 0 and nola.get("unmapped", 0) == 0
