"""Published eligibility methods as presets: each states its assumptions and source, and
gives a share with its interval on any city's calls (here real ones)."""

from __future__ import annotations

import csv

import ibis
import pytest
from core_analytics_paths import MAPPINGS, profile, real_file

from rightresponse.core.analytics.analysis import AnalysisConfig, analyze
from rightresponse.core.analytics.ingest import read_calls
from rightresponse.core.analytics.mapping import MappingRow, load_mapping
from rightresponse.core.analytics.presets import Cell, load_vera_taxonomy, preset_results

VERA = load_vera_taxonomy(MAPPINGS / "vera-taxonomy.csv")
IDS = {"vera", "nicjr_near_term", "nicjr_eventual", "cap_priority", "denver_star"}


def test_every_preset_states_its_source_assumptions_and_published_figure() -> None:
    table = read_calls(real_file("decc-cad-weekly-2025/week36.csv"), profile("decc-cad")).table
    p = profile("decc-cad")
    config = AnalysisConfig(
        vera_taxonomy=VERA, emergency_priority=p.emergency_priority, police_agencies=("POLICE",)
    )
    s = analyze(ibis.memtable(table), load_mapping(MAPPINGS / "decc.csv"), config=config).summary
    by_id = {r["id"]: r for r in s["presets"]}
    assert set(by_id) == IDS
    for r in by_id.values():
        assert r["source"] and r["assumptions"] and r["published"]
        assert r["measurable"] and 0 <= r["share"] <= 1
        low, high = r["share_ci"]
        assert low <= r["share"] <= high
    # The eventual NICJR set contains the near-term one.
    assert by_id["nicjr_eventual"]["share"] >= by_id["nicjr_near_term"]["share"]
    # CAP counts priorities: DECC has them (priority 1 = emergency).
    assert by_id["cap_priority"]["emergency_share"] > 0
    assert by_id["denver_star"]["share"] < by_id["nicjr_eventual"]["share"]


def test_the_vera_preset_reproduces_vera_s_own_shares_from_its_counts() -> None:
    """Applied to Vera's own published counts of New Orleans (TypeText, the 97 % of calls
    it categorised), the preset gives the share computed directly from its categories."""
    mapping = load_mapping(MAPPINGS / "new-orleans.csv")
    cells, direct_total, direct_eligible = [], 0, 0
    with (MAPPINGS / "vera-taxonomy.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["city"] == "New Orleans" and row["column"] == "TypeText":
                n = int(float(row["calls"] or 0))
                if not row["category"]:
                    continue
                cells.append(Cell(row["code"], None, False, n))
                if row["category"] in ("Statuses", "Call Related Issues"):
                    continue
                direct_total += n
                if row["category"] in (
                    "Complaints/Environmental Conditions", "Behavioral Health", "Missing Persons",
                    "Assisting the Public", "Assist the Public", "Other (Not Crime)",
                    "Liquor Violations", "Status Offenses", "Suspicion",
                ):  # fmt: skip
                    direct_eligible += n
    (vera,) = [r for r in preset_results(cells, mapping, VERA) if r["id"] == "vera"]
    assert vera["share"] == pytest.approx(direct_eligible / direct_total, abs=1e-12)
    # Without priorities the CAP measure is not measurable, never 0 %.
    (cap,) = [r for r in preset_results(cells, mapping, VERA) if r["id"] == "cap_priority"]
    assert cap["measurable"] is False and cap["share"] is None


def test_star_screen_keeps_only_screened_star_types() -> None:
    mapping = {
        "WELFARE": MappingRow("WELFARE", "welfare_check", "welfare", {}, False, 2, "reviewed"),
        "WELFARE WEAPON": MappingRow(
            "WELFARE WEAPON", "welfare_check", "welfare", {"weapon": "yes"}, False, 3, "reviewed"
        ),
        "LEWD": MappingRow("LEWD", "low_acuity_disorder", "quality_of_life", {}, False, 2, "r"),
        "ROBBERY": MappingRow("ROBBERY", "robbery", "violent_crime", {}, True, 5, "reviewed"),
    }
    cells = [Cell(code, "3", False, 10) for code in mapping] + [Cell("WELFARE", "3", True, 99)]
    (star,) = [r for r in preset_results(cells, mapping, {}) if r["id"] == "denver_star"]
    assert (star["eligible_calls"], star["calls"]) == (20, 40)  # officer-initiated left out
