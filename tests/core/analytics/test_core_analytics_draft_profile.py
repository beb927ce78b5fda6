"""Drafting an import profile from an export's columns (issue 18), on real exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rightresponse.core.analytics.draft_profile import DraftError, draft_profile
from tests.shared_files import real_file

SAMPLES = Path(__file__).resolve().parents[3] / "src/rightresponse/analytics/samples"


def _head(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _, row in zip(range(200), reader, strict=False)]
        return list(reader.fieldnames or []), rows


def test_san_luis_obispo_date_and_times_of_day_are_joined() -> None:
    header, rows = _head(real_file("slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv"))
    profile, text = draft_profile("slo-draft", "slo.csv", header, rows, "America/Los_Angeles")
    received = profile.fields["received_at"]
    assert received.joined == ("date", "received") and received.formats == ("%m/%d/%y %H:%M",)
    assert profile.fields["dispatched_at"].after_received
    assert profile.fields["call_id"].columns == ("case_number",)
    assert profile.fields["initial_type"].columns == ("type",)
    assert profile.fields["final_type"].columns == ("observed_crime",)
    assert "cleared_at" not in profile.fields  # the log has no clear times
    assert text.startswith("# DRAFT") and "cleared: empty in the rows read" in text


def test_seattle_initial_type_is_not_the_channel() -> None:
    header, rows = _head(SAMPLES / "seattle_east_c3_2018-2023.csv")
    profile, _ = draft_profile("sea", "sea.csv", header, rows, "America/Los_Angeles")
    assert profile.fields["initial_type"].columns == ("Initial Call Type",)
    assert profile.fields["received_at"].formats == ("%m/%d/%Y %I:%M:%S %p",)
    assert profile.fields["latitude"].columns == ("Blurred_Latitude",)


def test_no_call_id_or_time_is_an_error_naming_the_columns() -> None:
    with pytest.raises(DraftError, match=r"x\.csv: no column found for call_id, received_at"):
        draft_profile("x", "x.csv", ["a", "b"], [{"a": "1", "b": "2"}], "UTC")
