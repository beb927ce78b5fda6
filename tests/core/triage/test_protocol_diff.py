"""The semantic diff between two protocols, on the real default protocol."""

from __future__ import annotations

import copy
from typing import Any

from rightresponse.core.triage.diff import diff_protocols


def _item(data: dict[str, Any], section: str, item_id: str) -> dict[str, Any]:
    return next(i for i in data[section] if i["id"] == item_id)


def test_identical_protocols_have_no_changes(raw: dict[str, Any]) -> None:
    assert diff_protocols(raw, copy.deepcopy(raw)).empty


def test_a_rule_tier_change_names_the_rule_and_both_tiers(raw: dict[str, Any]) -> None:
    after = copy.deepcopy(raw)
    _item(after, "rules", "weapon_in_crisis")["tier"] = 4
    diff = diff_protocols(raw, after)
    assert len(diff.changes) == 1
    change = diff.changes[0]
    assert (change.section, change.kind, change.item_id) == ("rules", "changed", "weapon_in_crisis")
    assert [(f.field, f.before, f.after) for f in change.fields] == [("tier", 3, 4)]
    assert change.describe() == "Tier rule weapon_in_crisis: tier: 3 → 4"


def test_added_removed_and_nested_fields(raw: dict[str, Any]) -> None:
    after = copy.deepcopy(raw)
    noise = _item(after, "call_types", "noise_complaint")
    noise["risk"]["likelihood"] = 2
    noise["tier"] = 0
    after["questions"] = [q for q in after["questions"] if q["id"] != "caller_requests_police"]
    after["programs"].append(
        {"id": "night_team", "label": "Night team", "kind": "civilian", "tiers": [1]}
    )
    diff = diff_protocols(raw, after)
    text = {c.describe() for c in diff.changes}
    assert "Question caller_requests_police (" in " ".join(text)
    assert any(
        t.startswith("Question caller_requests_police") and t.endswith("removed") for t in text
    )
    assert "Program night_team (Night team) added" in text
    noise_change = next(c for c in diff.changes if c.item_id == "noise_complaint")
    assert {(f.field, f.before, f.after) for f in noise_change.fields} == {
        ("tier", 1, 0),
        ("risk.likelihood", 1, 2),
    }
    assert [s for s, _n, _c in diff.by_section()] == ["call_types", "questions", "programs"]


def test_order_of_unordered_lists_and_rules_is_not_a_change(raw: dict[str, Any]) -> None:
    after = copy.deepcopy(raw)
    rule = _item(after, "rules", "violence_in_care_call")
    rule["categories"] = list(reversed(rule["categories"]))
    after["rules"] = list(reversed(after["rules"]))
    assert diff_protocols(raw, after).empty


def test_risk_band_and_defaults_are_settings(raw: dict[str, Any]) -> None:
    after = copy.deepcopy(raw)
    after["risk_matrix"]["bands"][0]["max_tier"] = 1
    after["defaults"]["unknown_as"] = "no"
    (change,) = diff_protocols(raw, after).changes
    assert change.section == "protocol"
    assert {f.field for f in change.fields} == {"defaults.unknown_as", "risk band low.max_tier"}
    assert change.to_dict()["fields"][0]["before"] == "yes"


def test_a_draft_that_does_not_validate_still_diffs(raw: dict[str, Any]) -> None:
    after = copy.deepcopy(raw)
    _item(after, "rules", "weapon")["tier"] = "four"  # the schema would refuse this
    (change,) = diff_protocols(raw, after).changes
    assert change.fields[0].after == "four"


def test_a_section_the_diff_does_not_list_is_compared_not_skipped(raw: dict[str, Any]) -> None:
    """A top-level section added to the schema later (another branch adds one for flags
    at intake) is diffed item by item, and any other new key as a setting."""
    before = copy.deepcopy(raw)
    before["flag_rules"] = [{"id": "violent_history", "raise_tier_to": 3}]
    after = copy.deepcopy(before)
    after["flag_rules"][0]["raise_tier_to"] = 2
    after["flag_rules"].append({"id": "hazard", "ask": ["weapon"]})
    after["flag_defaults"] = {"ask_all": True}
    diff = diff_protocols(before, after)
    texts = [c.describe() for c in diff.changes]
    assert "Flag rule violent_history: raise_tier_to: 3 → 2" in texts
    assert "Flag rule hazard added" in texts
    assert any("flag_defaults set to {ask_all: True}" in t for t in texts)
    assert [s for s, _n, _c in diff.by_section()] == ["flag_rules", "protocol"]
