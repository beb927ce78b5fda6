"""The plan file: the report's 103 steps and the Launch List, validated once."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import pytest
import yaml

from rightresponse.core.plan import PlanFileError, load_plan, parse_plan, progress
from rightresponse.performance.selectors import metrics_catalog
from rightresponse.plan.selectors import CATALOG_PATH
from tests.shared_files import SHARED


def test_every_step_of_the_report_with_its_counts() -> None:
    plan = load_plan(CATALOG_PATH, frozenset(metrics_catalog().metrics))
    assert len(plan.steps) == 103
    assert Counter(s.phase for s in plan.steps.values()) == {"P1": 54, "P2": 27, "P3": 22}
    assert Counter(s.category for s in plan.steps.values()) == {
        "GL": 18,
        "PP": 33,
        "SI": 25,
        "HC": 27,
    }
    # Titles recur across phases: 75 distinct titles (actions.md).
    assert len(plan.actions) == 75
    assert plan.actions["technology-modernization"].steps == ("P1-911-04", "P2-911-02", "P3-911-02")
    assert [i.id for i in plan.launch_list] == ["LL1", "LL2", "LL3", "LL4", "LL5"]
    assert all(2445 <= s.report_lines[0] <= s.report_lines[1] <= 2774 for s in plan.steps.values())


def test_report_lines_point_at_the_titles() -> None:
    report = SHARED / "safe-and-thriving-communities-report.txt"
    if not report.is_file():
        pytest.skip(f"report not present ({report})")
    lines = report.read_text().splitlines()
    plan = load_plan(CATALOG_PATH)
    # Spot checks the reader can repeat: the line range holds the step's words.
    assert "Progress Dashboard" in lines[plan.steps["P1-GOV-11"].report_lines[0] - 1]
    assert "online dashboard" in lines[plan.launch_list[4].report_lines[1] - 1]


def _data() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(Path(CATALOG_PATH).read_text())


def test_bad_files_name_the_place() -> None:
    data = _data()
    bad = copy.deepcopy(data)
    bad["steps"][3]["category"] = "XX"
    with pytest.raises(
        PlanFileError, match=r"steps/3 \(P1-GOV-04\): category 'XX' is not declared"
    ):
        parse_plan(bad, "plan.yaml")
    bad = copy.deepcopy(data)
    bad["launch_list"][0]["steps"] = ["P1-GOV-99"]
    with pytest.raises(PlanFileError, match="launch_list/0: step 'P1-GOV-99'"):
        parse_plan(bad, "plan.yaml")
    bad = copy.deepcopy(data)
    del bad["steps"][0]["summary"]
    with pytest.raises(PlanFileError, match="steps/0: 'summary' is a required property"):
        parse_plan(bad, "plan.yaml")
    with pytest.raises(PlanFileError, match="metric 'nope' is not in the metrics catalog"):
        bad = copy.deepcopy(data)
        bad["steps"][0]["metrics"] = ["nope"]
        parse_plan(bad, "plan.yaml", {"diverted_share"})


def test_progress_counts_dropped_out_and_all_dropped_is_not_measurable() -> None:
    p = progress(["done", "planning", "dropped", "not_started"])
    assert p.steps == 3 and p.dropped == 1
    assert p.percent == round(100 * 1.25 / 3)
    assert progress(["dropped"]).percent is None
    with pytest.raises(ValueError, match="unknown status 'finished'"):
        progress(["finished"])
