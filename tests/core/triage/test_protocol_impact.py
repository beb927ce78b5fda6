"""Replaying past calls under two protocols: shares, intervals, moved call types, safety."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rightresponse.core.triage import Protocol, parse_protocol
from rightresponse.core.triage.impact import CallGroup, replay_impact, wilson

VIOLENT_TRESPASS = {"violence": "yes", "weapon": "no", "threat_to_life": "no"}


def _lowered(raw: dict[str, Any]) -> Protocol:
    after = copy.deepcopy(raw)
    next(r for r in after["rules"] if r["id"] == "violence_in_care_call")["tier"] = 2
    after["version"] = "lowered"
    return parse_protocol(after, "lowered")


def test_wilson_interval_matches_the_textbook_value() -> None:
    share, low, high = wilson(81, 263)  # worked by hand: centre 0.31075, half-width 0.05546
    assert share == pytest.approx(0.30798, abs=1e-5)
    assert (low, high) == (pytest.approx(0.25528, abs=1e-4), pytest.approx(0.36621, abs=1e-4))
    assert wilson(0, 0) == (None, None, None)  # no calls: not measurable, never 0
    assert wilson(0, 10)[1] == 0.0


def test_a_lowered_rule_moves_exactly_the_calls_it_covers(
    protocol: Protocol, raw: dict[str, Any]
) -> None:
    groups = [
        CallGroup("trespass", VIOLENT_TRESPASS, 40),
        CallGroup("trespass", {"violence": "no", "weapon": "no", "threat_to_life": "no"}, 100),
        CallGroup("assault", {"violence": "yes"}, 60),  # police_core: not a care call
        CallGroup("no_such_type", {}, 5),
        # An answer to a question the protocol does not have is ignored, not an error.
        CallGroup("noise_complaint", {"violence": "yes", "retired_question": "yes"}, 7),
    ]
    history = {"trespass": {"weapon": 0, "backup": 3}, "noise_complaint": {}}
    impact = replay_impact(protocol, _lowered(raw), groups, history)
    assert impact.total == 212
    moved = {m.call_type: m for m in impact.movements}
    assert set(moved) == {"trespass", "noise_complaint"}
    assert moved["trespass"].transitions == ((3, 2, 40),)
    assert moved["trespass"].toward_civilian == 40 and moved["noise_complaint"].moved == 7
    assert impact.undecidable == 0  # unknown to both protocols: not a change
    # Only trespass has severe outcomes in its history: it alone is flagged.
    (flag,) = impact.safety
    assert flag.call_type == "trespass" and "3 with backup requested" in flag.describe()
    before = {s.key: s for s in impact.before_leads}
    after = {s.key: s for s in impact.after_leads}
    assert before["police"].count - after["police"].count == 47
    assert before["police"].share == pytest.approx(107 / 207)
    low, high = before["police"].low, before["police"].high
    assert low is not None and high is not None and low < 107 / 207 < high
    assert impact.notes == ("5 call(s) have a call type the live protocol lacks.",)


def test_history_is_read_only_for_call_types_moving_toward_civilian(
    protocol: Protocol, raw: dict[str, Any]
) -> None:
    asked: list[list[str]] = []

    def history(call_types: Any) -> dict[str, dict[str, int]]:
        asked.append(list(call_types))
        return {ct: {"injury": 2} for ct in call_types}

    groups = [
        CallGroup("trespass", VIOLENT_TRESPASS, 4),
        CallGroup("trespass", {"violence": "unknown", "weapon": "unknown"}, 9),  # = unanswered
        CallGroup("assault", {"violence": "yes"}, 6),
    ]
    impact = replay_impact(protocol, _lowered(raw), groups, history)
    assert asked == [["trespass"]]
    (flag,) = impact.safety
    assert flag.history == {"injury": 2} and flag.toward_civilian == 4
