"""The catalog file: valid, complete against the report and clear about bad input."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from shared_files import SHARED, shared_file

from rightresponse.core.metrics import CatalogError, load_catalog, parse_catalog

ROOT = Path(__file__).resolve().parents[3]
CATALOG_PATH = ROOT / "src/rightresponse/performance/catalog/metrics.yaml"
# The requirements index of the report (read-only, outside the repository); a copy is kept
# in tests so that the check also runs on a fresh machine.
SHARED_INDEX = SHARED / "requirements" / "metrics.md"
INDEX = (
    SHARED_INDEX if SHARED_INDEX.exists() else Path(__file__).with_name("metrics_requirements.md")
)


def cited_lines() -> set[int]:
    lines = set()
    for match in re.finditer(r"L(\d{3,4})(?:[–-](\d{2,4}))?", INDEX.read_text()):
        lines.add(int(match.group(1)))
        if match.group(2):
            lines.add(int(match.group(2)))
    return lines


def test_every_line_cited_in_the_requirements_index_is_covered() -> None:
    catalog = load_catalog(CATALOG_PATH)
    missing = sorted(cited_lines() - catalog.cited_lines())
    assert not missing, f"report lines cited in {INDEX} with no catalog entry: {missing}"


def test_every_metric_line_of_the_report_lists_is_a_metric() -> None:
    """Each bullet of sections A-D is a metric (or a 'breakdowns of the above' line)."""
    text = INDEX.read_text()
    lists = text[text.index("## A.") : text.index("## E.")]
    bullets = {
        int(n) for n in re.findall(r"^\s*(?:-|[a-z]\.|[ivx]+\.)\s.*?L(\d{3,4})", lists, re.M)
    }
    catalog = load_catalog(CATALOG_PATH)
    metric_lines = {m.line for m in catalog}
    breakdown_lines = {line for g in catalog.groups for line, _, _ in g.breakdown_lines}
    assert not bullets - metric_lines - breakdown_lines - {g.line for g in catalog.groups}


def test_wording_quotes_the_report() -> None:
    report = shared_file("safe-and-thriving-communities-report.txt")
    lines = report.read_text().splitlines()
    for metric in load_catalog(CATALOG_PATH):
        assert metric.wording[:30] in lines[metric.line - 1], metric.id


def test_computed_and_entered_metrics() -> None:
    catalog = load_catalog(CATALOG_PATH)
    assert len(catalog.metrics) >= 200
    computed = {m.id for m in catalog.computed()}
    for required in (
        "call_volume", "time_to_answer", "time_to_dispatch", "time_to_scene", "time_to_closure",
        "diverted_count", "diverted_share", "civilian_escalated_share", "co_response_civilian_led_share",
        "co_response_lead_switched_share", "location_recurrence_share", "hotline_repeat_callers",
        "referrals_per_incident", "referral_connection_rate", "virtual_reports_initiated",
        "virtual_reports_completed", "hotline_elevated_share", "use_of_force_share",
        "eligible_not_served_share",
    ):  # fmt: skip
        assert required in computed
    for metric in catalog:
        assert metric.computed == (metric.source != "entered")
        if not metric.computed:
            assert metric.needs  # "not yet measured" says what is needed


def _doc() -> dict[str, Any]:
    return yaml.safe_load(CATALOG_PATH.read_text())


def test_schema_error_names_file_place_and_reason() -> None:
    doc = _doc()
    doc["groups"][0]["metrics"][0]["quadrant"] = "how_big"
    with pytest.raises(
        CatalogError, match=r"x\.yaml: groups/0/metrics/0/quadrant: 'how_big' is not one of"
    ):
        parse_catalog(doc, "x.yaml")


def test_unknown_field_in_a_filter_is_refused() -> None:
    doc = _doc()
    metric = next(m for g in doc["groups"] for m in g["metrics"] if m["id"] == "call_volume")
    metric["compute"]["where"] = {"colour": "red"}
    with pytest.raises(
        CatalogError, match=r"\(call_volume\)\.compute\.where: incidents have no field 'colour'"
    ):
        parse_catalog(doc, "x.yaml")


def test_breakdown_not_in_the_facts_is_refused() -> None:
    doc = copy.deepcopy(_doc())
    metric = next(
        m for g in doc["groups"] for m in g["metrics"] if m["id"] == "referral_connection_rate"
    )
    metric["breakdowns"].append("area")
    with pytest.raises(CatalogError, match="'area' is not recorded in referrals facts"):
        parse_catalog(doc, "x.yaml")


def test_duplicate_ids_and_missing_needs_are_refused() -> None:
    doc = _doc()
    doc["groups"][0]["metrics"][1]["id"] = doc["groups"][0]["metrics"][0]["id"]
    with pytest.raises(CatalogError, match="duplicate metric id"):
        parse_catalog(doc, "x.yaml")
    doc = _doc()
    del doc["groups"][0]["metrics"][0]["needs"]
    with pytest.raises(CatalogError, match="'needs' is a required property"):
        parse_catalog(doc, "x.yaml")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read the catalog"):
        load_catalog(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("groups: [\n")
    with pytest.raises(CatalogError, match="bad.yaml: not valid YAML"):
        load_catalog(bad)


def test_a_duration_names_an_interval_of_the_core() -> None:
    """One definition of each interval (issue 17): a duration metric names one of
    core/status_times.py; two times of its own, or an unknown interval, are refused."""
    doc = copy.deepcopy(_doc())
    metric = next(m for g in doc["groups"] for m in g["metrics"] if m["id"] == "time_to_scene")
    metric["compute"]["interval"] = "arrival"
    with pytest.raises(
        CatalogError, match=r"\(time_to_scene\)\.compute\.interval: 'arrival' is not an interval"
    ):
        parse_catalog(doc, "x.yaml")
    del metric["compute"]["interval"]
    metric["compute"].update(start="received_at", end="on_scene_at")
    with pytest.raises(CatalogError, match="x.yaml: .*Additional properties are not allowed"):
        parse_catalog(doc, "x.yaml")
