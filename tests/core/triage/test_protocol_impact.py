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


def test_workload_moves_calls_and_their_hours_between_programs_per_shift(
    protocol: Protocol, raw: dict[str, Any]
) -> None:
    after = copy.deepcopy(raw)
    next(c for c in after["call_types"] if c["id"] == "trespass")["tier"] = 3
    after["version"] = "trespass-3"
    groups = [
        CallGroup("trespass", {}, 10, "day"),
        CallGroup("trespass", {}, 4, "night"),
        CallGroup("noise_complaint", {}, 5, "day"),
    ]
    # Only trespass has measured times: half an hour a call, whoever leads it.
    impact = replay_impact(
        protocol, parse_protocol(after, "t3"), groups, {}, {"trespass": 0.5}, hours_per_fte=100.0
    )
    cells = {(w.program, w.shift): w for w in impact.workload}
    community_day = cells[("community_responder", "day")]
    assert (community_day.calls_before, community_day.calls_after) == (15, 5)
    assert community_day.hours_before == 5.0 and community_day.timed_before == 10
    assert community_day.fte_before == pytest.approx(0.05)
    # After: only the untimed noise complaints are left there: not measurable, never 0.
    assert community_day.hours_after is None and community_day.fte_after is None
    co_day = cells[("cit_co_response", "day")]
    assert (co_day.calls_before, co_day.calls_after) == (0, 10)
    assert co_day.hours_before is None and co_day.hours_after == 5.0
    assert cells[("cit_co_response", "night")].hours_after == 2.0
    # The hours are moved, not invented: the totals match before and after.
    total = [sum(w.hours_before or 0 for w in impact.workload),
             sum(w.hours_after or 0 for w in impact.workload)]  # fmt: skip
    assert total == [7.0, 7.0]
    assert impact.to_dict()["workload"][0]["before"]["unit_hours"] is not None
