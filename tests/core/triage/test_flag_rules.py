"""Flag rules (issue 13 item 5; report lines 1596, 1620-1632): a protocol declares how a
flag on the known caller or the place changes the questions or the tier; the decision
applies it and records which rule changed what; a bad rule is refused at its field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rightresponse.core.triage import Protocol, ProtocolError, decide, parse_protocol
from rightresponse.core.triage.checks import run_examples

CRISIS_NO = {"weapon": "no", "violence": "no", "threat_to_life": "no",
             "medical_emergency": "no", "substance_escalating": "no"}  # fmt: skip


def test_a_place_with_a_weapons_history_is_never_civilian_only(protocol: Protocol) -> None:
    plain = decide(protocol, "noise_complaint", {})
    flagged = decide(protocol, "noise_complaint", {}, [("place", "violent propensity")])
    assert (plain.tier, plain.lead) == (1, "civilian")
    assert flagged.tier == 2  # a co-response, never civilians alone
    assert flagged.programs[0] == "cit_co_response"
    assert flagged.ask_next[:2] == ("weapon", "violence")  # asked first
    record = flagged.to_dict()
    assert record["flags"] == [{"on": "place", "flag": "violent propensity"}]
    (effect,) = record["flag_rules"]
    assert effect["rule"] == "place_weapons_history" and "tier 1 -> 2" in effect["changes"]
    assert any(r.startswith("Flag (place: violent propensity)") for r in flagged.reasons)
    # Even when the caller says there is no weapon: the floor is the place's history.
    said_no = decide(protocol, "noise_complaint", {"weapon": "no", "violence": "no"},
                     [("place", "Violent  PROPENSITY ")])  # fmt: skip
    assert said_no.tier == 2


@pytest.mark.parametrize("flag", [("place", "weapons history"), ("person", "weapons history")])
def test_a_weapons_flag_never_offers_a_civilian_only_team(
    protocol: Protocol, flag: tuple[str, str]
) -> None:
    """The shipped rules' note says "never send civilians alone": for every call type, with
    nothing answered and with every answer no, no offered program is a civilian-only team
    (the floor alone left the community responders listed second at tier 2). A call
    screened out of any response has no programs to check."""
    no_to_all = {qid: "no" for qid in protocol.questions}
    for call_type in protocol.call_types:
        for answers in ({}, no_to_all):
            decision = decide(protocol, call_type, answers, [flag])
            if decision.screened_out:  # not a matter for a response (e.g. a bias complaint)
                continue
            kinds = {protocol.programs[p].kind for p in decision.programs}
            assert decision.programs and "civilian" not in kinds, (call_type, decision.programs)


def test_the_same_flag_on_the_person_is_not_a_place_flag(protocol: Protocol) -> None:
    """A rule is for a person's flag or a place's, not both."""
    assert decide(protocol, "noise_complaint", {}, [("person", "violent propensity")]).tier == 1
    unflagged = decide(protocol, "noise_complaint", {}, [("place", "aggressive dog")])
    assert unflagged.tier == 1 and unflagged.to_dict()["flag_rules"] == []


def test_a_known_deescalation_plan_asks_and_prefers_the_crisis_team(protocol: Protocol) -> None:
    plain = decide(protocol, "welfare_check", CRISIS_NO)
    flagged = decide(protocol, "welfare_check", CRISIS_NO, [("person", "de-escalation plan")])
    assert plain.programs[0] == "community_responder"
    assert flagged.programs[0] == "behavioral_crisis_team"
    assert flagged.ask_next[0] == "caller_is_person" and "caller_is_person" not in plain.ask_next
    assert flagged.tier == plain.tier == 1
    # Answered, the question is no longer asked; the call types outside the rule ignore it.
    answered = decide(protocol, "welfare_check", {**CRISIS_NO, "caller_is_person": "yes"},
                      [("person", "de-escalation plan")])  # fmt: skip
    assert "caller_is_person" not in answered.ask_next
    assert decide(protocol, "parking", {}, [("person", "de-escalation plan")]).flag_effects == ()


def test_an_asked_question_left_unanswered_counts_as_its_unknown_as(raw: dict[str, Any]) -> None:
    """victim_in_danger counts as yes when unknown: a flag that asks it raises the risk and
    the tier (as if the call type asked it) until the caller says no."""
    raw["flag_rules"] = [{"id": "ask_threat", "on": "place", "flags": ["threats made here"],
                          "ask": ["victim_in_danger"], "note": "Ask about threats."}]  # fmt: skip
    protocol = parse_protocol(raw, "city.yaml")
    plain = decide(protocol, "parking", {"violence": "no", "weapon": "no"})
    flagged = decide(protocol, "parking", {"violence": "no", "weapon": "no"},
                     [("place", "threats made here")])  # fmt: skip
    assert flagged.risk.score > plain.risk.score and flagged.tier > plain.tier
    assert any("Counted as yes" in r for r in flagged.reasons)
    assert not any("Counted as yes" in r for r in plain.reasons)
    said_no = decide(protocol, "parking", {"violence": "no", "weapon": "no",
                     "victim_in_danger": "no"}, [("place", "threats made here")])  # fmt: skip
    assert said_no.tier == plain.tier


def test_excluded_programs_are_never_offered(raw: dict[str, Any]) -> None:
    raw["flag_rules"] = [{"id": "no_outreach", "on": "person", "flags": ["banned from outreach"],
                          "exclude_programs": ["community_responder"],
                          "note": "Asked not to be visited by outreach."}]  # fmt: skip
    protocol = parse_protocol(raw, "city.yaml")
    plain = decide(protocol, "parking", {"violence": "no", "weapon": "no"})
    flagged = decide(protocol, "parking", {"violence": "no", "weapon": "no"},
                     [("person", "banned from outreach")])  # fmt: skip
    assert "community_responder" in plain.programs
    # The only program at its tier is excluded: the next tier up that has one is taken.
    assert "community_responder" not in flagged.programs and flagged.programs
    assert flagged.tier > plain.tier
    assert "nothing left to send at tier 1" in " ".join(flagged.flag_effects[0].changes)


def _problem(raw: dict[str, Any], rule: dict[str, Any]) -> str:
    raw["flag_rules"] = [rule]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw, "city.yaml")
    return str(info.value)


def test_an_unknown_question_is_an_error_at_its_field(raw: dict[str, Any]) -> None:
    message = _problem(raw, {"id": "r", "on": "place", "flags": ["x"], "ask": ["has_a_dog"],
                             "note": "n"})  # fmt: skip
    assert "flag_rules[0].ask[0]" in message and "unknown question 'has_a_dog'" in message


def test_unknown_programs_call_types_and_empty_rules_are_errors(raw: dict[str, Any]) -> None:
    message = _problem(raw, {"id": "r", "on": "person", "flags": ["x"], "call_types": ["ufo"],
                             "exclude_programs": ["swat"], "note": "n"})  # fmt: skip
    assert "flag_rules[0].call_types[0]" in message and "unknown call type 'ufo'" in message
    assert "flag_rules[0].exclude_programs[0]" in message and "'swat'" in message
    assert "changes nothing" in _problem(raw, {"id": "r", "on": "person", "flags": ["x"],
                                               "note": "n"})  # fmt: skip
    assert "flag_rules/0/on" in _problem(
        raw, {"id": "r", "on": "car", "flags": ["x"], "min_tier": 2, "note": "n"}
    ).replace(".", "/").replace("[", "/").replace("]", "")


def test_example_calls_carry_flags_and_check_the_flag_rules(protocol: Protocol) -> None:
    """A protocol's example calls may name flags (as intake passes them), so an author sees
    a flag rule pass or fail on every save like any other rule."""
    flagged = [r for r in run_examples(protocol) if r.example.flags]
    assert len(flagged) >= 2 and all(r.passed for r in flagged), [r.failures for r in flagged]
    # The same examples without their flags fail: the flags are what the examples check.
    bare = replace(protocol, examples=tuple(replace(r.example, flags=()) for r in flagged))
    assert all(not r.passed for r in run_examples(bare))


def test_an_example_flag_on_neither_person_nor_place_is_an_error_at_its_field(
    raw: dict[str, Any],
) -> None:
    raw["examples"] = [{"name": "x", "call_type": "noise_complaint", "expect": {"tier": 1},
                        "flags": [{"on": "car", "flag": "stolen"}]}]  # fmt: skip
    with pytest.raises(ProtocolError) as info:
        parse_protocol(raw, "city.yaml")
    assert "examples[0].flags[0].on" in str(info.value)
