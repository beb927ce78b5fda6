"""The replay's rules that protect people: a source priority 1 is never civilian-only,
what is not a call is reported apart, unknown outcomes are not safe ones, officer time
without times is "not measurable", annualised over the days covered, with intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis
import pyarrow as pa
import pytest
from core_analytics_paths import MAPPINGS, REPO, profile, real_file

from rightresponse.core import triage
from rightresponse.core.analytics.analysis import (
    BLANK,
    AnalysisConfig,
    analyze,
    covered_days,
    scope_breaks,
    wilson,
)
from rightresponse.core.analytics.ingest import CANONICAL_SCHEMA, read_calls
from rightresponse.core.analytics.mapping import MappingRow, load_mapping

PROTOCOL = triage.load_protocol(REPO / "protocols" / "default.yaml")


def decide(call_type: str, answers: Mapping[str, str]) -> Mapping[str, Any]:
    if call_type not in PROTOCOL.call_types:
        return {"tier": None}
    out: Mapping[str, Any] = triage.decide(PROTOCOL, call_type, answers).to_dict()
    return out


def calls(rows: list[dict[str, Any]]) -> ibis.Table:
    """A canonical calls table from a few rows (columns not given are empty)."""
    columns: dict[str, list[Any]] = {f.name: [] for f in CANONICAL_SCHEMA}
    for i, row in enumerate(rows):
        full = {"call_key": str(i), "call_id": str(i), "units": 1, **row}
        for name in columns:
            columns[name].append(full.get(name))
    return ibis.memtable(pa.table(columns, schema=CANONICAL_SCHEMA))


T0 = dt.datetime(2025, 3, 3, 10, 0)
MAPPING = {
    "NOISE": MappingRow("NOISE", "noise_complaint", "quality_of_life", {}, False, 1, "reviewed"),
    "PANIC": MappingRow(
        "PANIC", "noise_complaint", "alarm", {}, False, 4, "reviewed", priority="emergency"
    ),
    "HANG UP": MappingRow("HANG UP", "", "abandoned", {}, False, 1, "reviewed"),
    "ADMIN": MappingRow("ADMIN", "", "administrative", {}, False, 1, "reviewed"),
}


def call(code: str | None, **extra: Any) -> dict[str, Any]:
    return {"initial_type": code, "received_at": T0, "received_local": T0, **extra}


def test_a_priority_one_call_is_never_civilian_only() -> None:
    rows = [call("NOISE", priority="1"), call("NOISE", priority="3"), call("PANIC", priority="3")]
    # New Orleans-style priorities ("1A") and the initial priority where there is one.
    rows += [call("NOISE", priority="2C", initial_priority="1A")]
    s = analyze(calls(rows), MAPPING, decide=decide).summary
    tiers = {r["tier"]: r["calls"] for r in s["tier_shares"]}
    assert tiers == {"1": 1, "2": 3}  # only the priority-3 noise call stays civilian
    assert s["raised_by_priority"] == 3
    # A city that numbers emergencies otherwise says so in its profile.
    config = AnalysisConfig(emergency_priority=r"^E$")
    s = analyze(calls(rows), MAPPING, decide=decide, config=config).summary
    assert {r["tier"]: r["calls"] for r in s["tier_shares"]} == {"1": 3, "2": 1}


def test_abandoned_administrative_officer_initiated_and_cancelled_calls_are_reported_apart() -> (
    None
):
    rows = [
        call("NOISE"),
        call("NOISE", officer_initiated=True),
        call("HANG UP"),
        call("ADMIN"),
        call("NOISE", disposition="DUPPD-Duplicate Police"),
        call("NEVER SEEN"),
        call(None),
    ]
    config = AnalysisConfig(excluded_dispositions=r"^(DUP|CN|TEST)")
    s = analyze(calls(rows), MAPPING, decide=decide, config=config).summary
    assert s["triaged_calls"] == 1 and s["tier_shares"][0]["call_share"] == 1.0
    assert {r["reason"]: r["calls"] for r in s["excluded"]} == {
        "officer_initiated": 1,
        "abandoned": 1,
        "administrative": 1,
        "cancelled_duplicate_or_test": 1,
        "unmapped": 2,
    }
    # Blank call types are listed as unmapped, not dropped.
    assert {"initial_type": BLANK, "calls": 1} in s["unmapped"]


def test_unknown_outcomes_are_not_safe_and_no_outcome_is_not_measurable() -> None:
    mapping = {
        **MAPPING,
        "ASSAULT": MappingRow("ASSAULT", "assault", "violent_crime", {}, True, 4, "reviewed"),
    }
    rows = [
        call("NOISE", final_type="ASSAULT"),
        call("NOISE", final_type="NOISE"),
        call("NOISE"),  # no final type, no disposition: unknown
        call("NOISE"),
    ]
    s = analyze(calls(rows), mapping, decide=decide).summary
    exposure = s["risk_exposure"]
    assert exposure["measurable"] is True
    assert (exposure["calls_with_outcome"], exposure["unknown_outcome"]) == (2, 2)
    assert exposure["severe_share"] == 0.5  # of the known outcomes, not of all four
    assert exposure["severe_share_if_unknown_severe"] == 0.75
    low, high = exposure["severe_share_ci"]
    assert low < 0.5 < high
    s = analyze(calls([call("NOISE"), call("NOISE")]), mapping, decide=decide).summary
    assert s["risk_exposure"]["measurable"] is False
    assert s["risk_exposure"]["severe_share"] is None  # never 0 %


def test_officer_time_without_clear_times_is_not_measurable_never_zero() -> None:
    s = analyze(calls([call("NOISE"), call("NOISE")]), MAPPING, decide=decide).summary
    diverted = s["diverted_unit_hours"]
    assert diverted["measurable"] is False
    assert diverted["fte"] is None and diverted["unit_hours"] is None
    assert s["fte_by_shift_precinct"][0]["fte"] is None


def test_san_luis_obispo_officer_time_is_not_measurable() -> None:
    """The San Luis Obispo log has dispatch and arrival minutes but no clear times."""
    table = read_calls(
        real_file("slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv"),
        profile("slo-police-log"),
    ).table
    mapping = load_mapping(MAPPINGS / "slo.csv")
    s = analyze(ibis.memtable(table), mapping, decide=decide).summary
    assert s["diverted_unit_hours"]["measurable"] is False
    assert s["diverted_unit_hours"]["fte"] is None
    assert s["diverted_unit_hours"]["calls"] > 0


def test_annualised_over_the_days_covered_with_a_bootstrap_interval() -> None:
    day = dt.timedelta(days=1)
    rows = []
    # Two weeks of data with a missing week between them (a weekly file not exported).
    for d in [*range(0, 7), *range(14, 21)]:
        for _ in range(20):
            t = T0 + d * day
            rows.append(
                call(
                    "NOISE",
                    received_at=t,
                    received_local=t,
                    dispatched_at=t,
                    cleared_at=t + dt.timedelta(minutes=30 + d),
                )
            )
    s = analyze(calls(rows), MAPPING, decide=decide).summary
    assert s["period"]["days_covered"] == 14
    assert s["period"]["gaps"] == [{"after": (T0 + 6 * day).date().isoformat(), "days": 7}]
    diverted = s["diverted_unit_hours"]
    hours = sum((30 + d) / 60 for d in [*range(0, 7), *range(14, 21)]) * 20
    assert diverted["unit_hours"] == pytest.approx(hours)
    assert diverted["fte"] == pytest.approx(hours * 365.25 / 14 / 1600)
    low, high = diverted["fte_ci"]
    assert low < diverted["fte"] < high


def test_a_week_whose_volume_jumps_is_flagged_as_a_scope_break() -> None:
    start = dt.date(2025, 3, 3)  # a Monday
    daily = [
        {"day": start + dt.timedelta(days=i), "calls": 100 if i < 28 else 300} for i in range(35)
    ]
    (brk,) = scope_breaks(daily)
    assert brk["week"] == (start + dt.timedelta(days=28)).isoformat() and brk["ratio"] == 3.0
    assert scope_breaks(daily[:28]) == []
    assert covered_days(daily) == (35, [])


def test_wilson_interval() -> None:
    assert wilson(0, 0) is None
    low, high = wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0 and 0.27 < high < 0.28  # a share of 0 is not certainly 0
    low, high = wilson(50, 100)  # type: ignore[misc]
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)


def test_date_only_calls_are_put_on_no_shift() -> None:
    """The Seattle study extract has dates only: midnight is not a time of day."""
    table = read_calls(
        real_file("seattle-call-data-sample/seattle_madison_beach_2010-2023.csv"),
        profile("seattle-call-data-study"),
    ).table
    mapping = load_mapping(MAPPINGS / "seattle.csv")
    config = AnalysisConfig(date_only=True)
    s = analyze(ibis.memtable(table), mapping, decide=decide, config=config).summary
    assert s["by_hour_of_week"] == []
    assert {r["shift"] for r in s["tier_by_shift"]} == {"(no time)"}
    assert {r["shift"] for r in s["fte_by_shift_precinct"]} <= {"(no time)"}
