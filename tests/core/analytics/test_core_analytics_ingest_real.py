"""Messy-data behaviours, each on the real files in shared/data/real."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc
import pytest
from core_analytics_paths import profile, real_file

from rightresponse.core.analytics.ingest import ImportFileError, read_calls

DECC = "decc-cad-weekly-2025/week{:02d}.csv"


def _raw_column(path: Path, name: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        i = header.index(name)
        return [row[i] for row in reader]


def test_published_weekly_totals_are_reproduced() -> None:
    # The analyst's reports state 1263 (week 36) and 1353 (week 38) calls for service.
    p = profile("decc-cad")
    for week, published in ((36, 1263), (38, 1353)):
        result = read_calls(real_file(DECC.format(week)), p)
        assert result.table.num_rows == published
        assert result.rejects == []


def test_extra_and_duplicated_headers_and_layout_drift() -> None:
    p = profile("decc-cad")
    path40 = real_file(DECC.format(40))
    with path40.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert len(header) == 58 and header.count("Elapsed_InQueue_2_FirstAssign") == 2
    week40 = read_calls(path40, p)
    week39 = read_calls(real_file(DECC.format(39)), p)
    assert week40.rejects == [] and week40.table.num_rows == 1305
    assert "Elapsed_CallRcvd2InQueue" in week40.ignored_columns
    assert week40.table.schema == week39.table.schema  # same canonical table despite drift
    # Columns were chosen by name although their positions moved.
    raw_problem = _raw_column(path40, "Problem")
    assert week40.table["initial_type"].to_pylist() == [v.strip() or None for v in raw_problem]


def test_null_strings_are_missing_values_not_errors() -> None:
    p = profile("decc-cad")
    path = real_file(DECC.format(36))
    raw = _raw_column(path, "Incident_Arrival_Time")
    result = read_calls(path, p)
    assert raw.count("NULL") > 0
    assert result.table["on_scene_at"].null_count == raw.count("NULL")


def test_sentinel_values_become_missing() -> None:
    p = profile("decc-cad")
    path = real_file(DECC.format(45))
    raw = _raw_column(path, "Elapsed_Call_Time")
    assert raw.count("-9999") > 0
    result = read_calls(path, p)
    values = result.table["x_elapsed_call_time"]
    assert pc.sum(pc.equal(values, -9999.0)).as_py() in (None, 0)
    assert values.null_count >= raw.count("-9999")


def test_rows_without_a_call_id_are_rejected_with_their_line() -> None:
    p = profile("decc-cad")
    path = real_file(DECC.format(45))
    result = read_calls(path, p)
    assert result.rows_read == 1934 and result.table.num_rows == 1932
    assert [(r.line, r.column, r.reason) for r in result.rejects] == [
        (650, "Master_Incident_Number", "missing call id"),
        (1175, "Master_Incident_Number", "missing call id"),
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[649].startswith(",") and lines[1174].startswith(",")


def test_daylight_saving_end_keeps_intervals_exact() -> None:
    # 2025-11-02 01:00-02:00 happens twice in America/New_York. Call 25-026356 starts at
    # 01:41:59 (EDT) and first closes at 01:09:42.253 (EST): the export's own Total_Call_Time says
    # -1937 s; the true duration is 27 min 43 s.
    p = profile("decc-cad")
    result = read_calls(real_file(DECC.format(45)), p)
    rows = {r["call_id"]: r for r in result.table.to_pylist()}
    call = rows["25-026356"]
    assert call["x_total_call_time"] == -1937
    assert (call["closed_at"] - call["received_at"]).total_seconds() == pytest.approx(1663.253)
    assert call["received_at"] == datetime(2025, 11, 2, 5, 41, 59)  # 01:41:59 EDT in UTC
    negative = [
        r["call_id"]
        for r in rows.values()
        if r["closed_at"] is not None and r["closed_at"] < r["received_at"]
    ]
    assert negative == []


def test_times_of_day_past_midnight_roll_to_the_next_day_and_lines_survive_quoted_newlines() -> (
    None
):
    p = profile("slo-police-log")
    path = real_file("slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv")
    result = read_calls(path, p)
    assert result.rows_read == 20076
    table = result.table
    for column in ("dispatched_at", "on_scene_at"):
        later = pc.greater_equal(table[column], table["received_at"])
        assert pc.all(later).as_py() is True
    # Records span several lines (unit lists hold newlines): reported lines are real ones.
    lines = path.read_text(encoding="utf-8").splitlines()
    duplicates = [r for r in result.rejects if r.reason.startswith("duplicate")]
    assert duplicates
    for r in duplicates[:50]:
        assert lines[r.line - 1].startswith(r.value + ",")
    assert "responsible_officer" in result.ignored_columns
    assert "call_comments" in result.ignored_columns
    assert "staff" not in table.column_names and "narrative" not in table.column_names


def test_thin_layout_invents_nothing() -> None:
    p = profile("san-antonio-sapd")
    path = real_file("san-antonio-sapd-calls-2025/sapd_calls_2025-01.csv")
    result = read_calls(path, p)
    assert result.table.num_rows == 7097
    for column in ("dispatched_at", "on_scene_at", "priority", "disposition", "final_type"):
        assert result.table[column].null_count == result.table.num_rows
    dates = _raw_column(path, "Date")
    local = result.table["received_local"].to_pylist()
    assert [d.strftime("%m/%d/%y") for d in local] == dates  # epoch -> Central wall clock


def test_both_seattle_layouts_give_initial_and_final_types() -> None:
    portal = read_calls(
        real_file("seattle-call-data-sample/seattle_east_c3_2018-2023.csv"),
        profile("seattle-call-data"),
    )
    study = read_calls(
        real_file("seattle-call-data-sample/seattle_madison_beach_2010-2023.csv"),
        profile("seattle-call-data-study"),
    )
    for result in (portal, study):
        assert result.rejects == []
        assert result.table["final_type"].null_count < result.table.num_rows
        assert result.table["initial_type"].null_count < result.table.num_rows
    assert study.table.num_rows == 2706
    assert portal.table["on_scene_at"].null_count < portal.table.num_rows


def test_a_file_without_the_required_columns_is_refused_with_the_reason() -> None:
    with pytest.raises(ImportFileError, match=r"no column for call_id .*Master_Incident_Number"):
        read_calls(
            real_file("san-antonio-sapd-calls-2025/sapd_calls_2025-01.csv"), profile("decc-cad")
        )


def test_no_next_day_is_invented_and_the_latest_duplicate_wins() -> None:
    """San Luis Obispo logs times of day: a time before the received time is the next day
    only for a call crossing midnight (within 12 h); the others are flagged and left
    empty, never rolled to a day later. A case number logged twice keeps its later line."""
    path = real_file("slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv")
    result = read_calls(path, profile("slo-police-log"))
    flagged = [r for r in result.rejects if r.kept]
    assert len(flagged) == 26
    assert all("not a crossing of midnight" in r.reason for r in flagged)
    table = result.table
    for column in ("dispatched_at", "on_scene_at"):
        gap = pc.subtract(table[column], table["received_at"]).to_pylist()
        assert max(g for g in gap if g is not None).total_seconds() < 86400
    dupes = [r for r in result.rejects if r.reason.startswith("duplicate")]
    assert len(dupes) == 1013 and not any(r.kept for r in dupes)
    lines = path.read_text(encoding="utf-8").splitlines()
    for r in dupes[:20]:
        kept_line = int(re.search(r"on line (\d+) is kept", r.reason).group(1))  # type: ignore[union-attr]
        assert kept_line > r.line and lines[kept_line - 1].startswith(r.value + ",")
