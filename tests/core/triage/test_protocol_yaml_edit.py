"""Section-form edits change one value in the YAML text and keep every comment."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightresponse.core.triage import read_yaml_text
from rightresponse.core.triage.yaml_edit import EditError, set_item_scalar

DEFAULT = Path(__file__).resolve().parents[3] / "protocols" / "default.yaml"


def test_a_rule_tier_changes_and_nothing_else() -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    edited = set_item_scalar(text, "rules", "violence_in_care_call", "tier", "2")
    before, after = read_yaml_text(text, "a"), read_yaml_text(edited, "b")
    changed = [r["id"] for r, s in zip(before["rules"], after["rules"], strict=True) if r != s]
    assert changed == ["violence_in_care_call"]
    assert next(r for r in after["rules"] if r["id"] == "violence_in_care_call")["tier"] == 2
    # Same number of lines and every comment kept.
    assert len(edited.splitlines()) == len(text.splitlines())
    assert [ln for ln in text.splitlines() if "#" in ln and "tier" not in ln] == [
        ln for ln in edited.splitlines() if "#" in ln and "tier" not in ln
    ]
    # A call type has an id equal to a rule's elsewhere ("violence" is a question and a
    # rule): the section decides which item changes.
    edited = set_item_scalar(text, "call_types", "trespass", "tier", "2")
    data = read_yaml_text(edited, "c")
    assert next(c for c in data["call_types"] if c["id"] == "trespass")["tier"] == 2
    assert data["rules"] == before["rules"]


def test_unknown_item_or_missing_key() -> None:
    text = "rules:\n  - id: a\n    when: {x: yes}\n    reason: r\nother: 1\n"
    with pytest.raises(EditError, match="no item"):
        set_item_scalar(text, "rules", "b", "tier", "1")
    added = set_item_scalar(text, "rules", "a", "tier", "3")
    assert read_yaml_text(added, "t")["rules"][0]["tier"] == 3
    with pytest.raises(EditError, match="section"):
        set_item_scalar("rules: [{id: a}]\n", "rules", "a", "tier", "1")


def test_set_fields_keeps_every_byte_it_does_not_change() -> None:
    from rightresponse.core.triage.yaml_edit import DELETE, set_fields

    text = DEFAULT.read_text(encoding="utf-8")
    assert set_fields(text, []) == text  # the files' layout is the round trip's
    programs = read_yaml_text(text, "t")["programs"]
    line_311 = next(i for i, p in enumerate(programs) if p["id"] == "line_311")
    edited = set_fields(
        text,
        [("programs", line_311, "tiers", [0, 1]), ("programs", line_311, "note", DELETE),
         ("risk_matrix", None, "likelihood", ["A", "B", "C", "D", "E"])],
    )  # fmt: skip
    changed = [
        (a, b) for a, b in zip(text.splitlines(), edited.splitlines(), strict=False) if a != b
    ]
    assert len(changed) == 2
    likelihood, tiers = changed  # in the file's order: the risk matrix comes first
    assert likelihood[1].startswith("  likelihood: [A, B, C, D, E]")
    assert tiers[1].startswith("    tiers: [0, 1]")
    # The comments on both lines stay (one follows the key, one the list).
    assert likelihood[1].endswith("# 1..5") and tiers[1].endswith("routed from 911 to 311")
    with pytest.raises(EditError, match="no item 999"):
        set_fields(text, [("programs", 999, "tiers", [1])])
