"""Honest figures on the real San Luis Obispo log (issue 18): its log has no clear times,
so unit-hours and officer equivalents are "not measurable", never 0, in the page,
report.html and summary.json; yardsticks only where they apply; minutes and seconds;
plain labels from the data dictionary."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from rightresponse.analytics.models import Dataset
from rightresponse.analytics.services import calls_import, dataset_analyze
from rightresponse.core.dictionary import NOT_MEASURABLE_NO_TIMES, label
from tests.shared_files import real_file

pytestmark = pytest.mark.django_db

SLO = "slo-police-call-log/SLOPD_report_2021-09-14_to_2022-03-15.csv"


@pytest.fixture
def slo(tmp_path: Path) -> tuple[Dataset, Path]:
    calls_import(real_file(SLO), "slo-police-log", dataset_slug="slo")
    dataset = Dataset.objects.get(slug="slo")
    out = tmp_path / "report"
    dataset_analyze(dataset, out_dir=out)
    return dataset, out


def test_no_clear_times_is_not_measurable_never_zero(
    slo: tuple[Dataset, Path], logged_in: Any
) -> None:
    _, out = slo
    summary = json.loads((out / "summary.json").read_text())
    assert summary["unit_hours_total"]["calls_with_times"] == 0
    assert summary["unit_hours_total"]["unit_hours"] is None
    assert summary["unit_hours_total"]["measurable"] is False
    assert (
        summary["unit_hours_total"]["not_measurable"] == "the data has no dispatch-to-clear times"
    )
    assert summary["diverted_unit_hours"]["measurable"] is False
    assert all(r["unit_hours"] is None for r in summary["unit_hours_by_category"])
    assert all(r["unit_hours"] is None for r in summary["excluded"])
    assert summary["diverted_unit_hours"]["fte"] is None
    assert all(r["fte"] is None for r in summary["fte_by_shift_precinct"])

    report = (out / "report.html").read_text()
    page = logged_in("analyst").get("/analytics/slo/").content.decode()
    for html in (report, page):
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        assert "Unit-hours: " + NOT_MEASURABLE_NO_TIMES in text
        assert "full-time officer equivalents " + NOT_MEASURABLE_NO_TIMES in text
        assert "0.000 unit-hours" not in text
        assert not re.search(r"(?<![\d,.])0(\.0+)? h\b", text)
        assert "0.000 full-time" not in text
        # Plain labels: no raw key of the analysis in the tables.
        for key in ("quality_of_life", "within_15", "unit_hours", "calls_with_times"):
            assert key not in text, key
        # Intervals in minutes and seconds, never "300.0" seconds.
        assert "5 min 00 s" in text and not re.search(r"\b300\.0\b", text)
        # Which type changed: the call taker's against the officer's final code.
        assert "differs from the call taker's type" in text


def test_yardsticks_only_where_they_apply(slo: tuple[Dataset, Path]) -> None:
    _, out = slo
    summary = json.loads((out / "summary.json").read_text())
    rows = summary["response_intervals"]["overall"]
    assert {r["interval"] for r in rows} >= {"dispatch", "travel"}
    for row in rows:
        # NENA's 15/20 s is an answering standard: never on dispatch or travel.
        assert "within_15" not in row and "within_20" not in row
        if row["interval"] == "dispatch":  # NFPA 1225 call processing
            assert 0 <= row["within_64"] <= row["within_106"] <= 1
        else:
            assert "within_64" not in row


def test_csv_headers_are_the_dictionary_labels(slo: tuple[Dataset, Path]) -> None:
    _, out = slo
    with (out / "unit_hours_by_category.csv").open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [label("key"), label("unit_hours"), label("calls_with_times")]
    assert header[0] == "Group" and "Unit-hours" in header
    dictionary = (out / "data-dictionary.csv").read_text()
    assert "within_15,Answered within 15 s" in dictionary
