"""The decision on the default protocol: its own examples, the contract's JSON shape,
unknown handling, screening, ask_next and the safety properties (hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rightresponse.core.triage import (
    Protocol,
    UnknownIdError,
    decide,
    load_protocol,
    run_examples,
)

PROTOCOL = load_protocol(Path(__file__).resolve().parents[3] / "protocols" / "default.yaml")
CALL_TYPES = sorted(PROTOCOL.call_types)
QUESTIONS = list(PROTOCOL.questions)
SAFETY_QUESTIONS = ["weapon", "violence", "threat_to_life", "victim_in_danger", "crime_in_progress"]
ANSWER = st.sampled_from(["yes", "no", "unknown"])
ANSWERS = st.dictionaries(st.sampled_from(QUESTIONS), ANSWER)


def test_every_example_in_the_default_protocol_passes(protocol: Protocol) -> None:
    results = run_examples(protocol)
    assert len(results) >= 15
    assert [r.example.name for r in results if not r.passed] == []


def test_decision_has_the_contract_shape(protocol: Protocol) -> None:
    body = decide(protocol, "behavioral_crisis", {"weapon": "no", "violence": "unknown"}).to_dict()
    assert set(body) == {
        "tier", "lead", "programs", "risk", "screened_out", "reasons", "ask_next",
        "protocol_version", "call_type", "category", "not_offered",
    }  # fmt: skip
    assert set(body["risk"]) == {"likelihood", "consequence", "score", "band"}
    assert body["protocol_version"] == protocol.version
    assert body["category"] == "behavioral_health"
    json.dumps(body)  # plain JSON types only


def test_unknown_violence_in_crisis_gives_a_civilian_led_co_response(protocol: Protocol) -> None:
    d = decide(protocol, "behavioral_crisis", {"weapon": "no", "violence": "unknown"})
    assert (d.tier, d.lead) == (2, "civilian")
    assert d.programs[0] == "community_responder" and "cit_co_response" in d.programs
    assert any("whether there is violence" in r for r in d.reasons)
    # Violence decides between tier 1 and 3; it is asked first.
    assert d.ask_next[0] == "violence"


def test_minneapolis_criteria_met_sends_the_crisis_team_alone(protocol: Protocol) -> None:
    no = dict.fromkeys(
        ["weapon", "violence", "threat_to_life", "medical_emergency", "substance_escalating"], "no"
    )
    d = decide(protocol, "behavioral_crisis", no)
    assert (d.tier, d.lead, d.programs[0]) == (1, "civilian", "behavioral_crisis_team")
    assert d.ask_next == ("caller_requests_police",)
    # Drugs escalating breaks criterion 5 (report 1255): no longer the team alone.
    d2 = decide(protocol, "behavioral_crisis", {**no, "substance_escalating": "yes"})
    assert d2.tier == 2 and "behavioral_crisis_team" not in d2.programs


def test_conservative_unknown_counts_as_yes(protocol: Protocol) -> None:
    """victim_in_danger has no override: unknown counts as yes and the reason says so."""
    known_safe = decide(protocol, "domestic_violence", {"victim_in_danger": "no"})
    not_known = decide(protocol, "domestic_violence", {})
    assert not_known.tier == 3 and known_safe.tier < not_known.tier
    assert any("counted as yes" in r for r in not_known.reasons)


def test_question_not_asked_counts_only_when_yes(protocol: Protocol) -> None:
    base = decide(protocol, "parking", {"violence": "no", "weapon": "no"})
    assert base.tier == 1
    assert (
        decide(protocol, "parking", {"violence": "no", "weapon": "no", "injury": "unknown"}) == base
    )
    assert decide(protocol, "parking", {"violence": "no", "threat_to_life": "yes"}).tier == 4


def test_risk_band_bounds_the_tier(protocol: Protocol) -> None:
    # The caller asking for police on a low-risk parking call: the Low band allows at most 2.
    d = decide(
        protocol, "parking", {"violence": "no", "weapon": "no", "caller_requests_police": "yes"}
    )
    assert d.risk.band == "low" and d.tier == 2
    # Weapon in a crisis: Extreme band needs at least tier 3.
    d = decide(protocol, "suicidal_person", {"weapon": "yes"})
    assert d.risk.band == "extreme" and d.tier >= 3


def test_bias_based_complaint_is_screened_out(protocol: Protocol) -> None:
    no = dict.fromkeys(SAFETY_QUESTIONS, "no")
    d = decide(protocol, "bias_based_complaint", no)
    assert d.screened_out and d.tier == 0 and d.lead is None and d.programs == ()
    assert "report 1600" in d.reasons[0]
    d = decide(protocol, "bias_based_complaint", {**no, "weapon": "yes"})
    assert not d.screened_out and d.tier == 4


def test_unknown_ids_are_named(protocol: Protocol) -> None:
    with pytest.raises(UnknownIdError) as info:
        decide(protocol, "alien_landing", {"weapon": "no", "has_a_dog": "yes"})
    message = str(info.value)
    assert "unknown call type: 'alien_landing'" in message and "'has_a_dog'" in message
    with pytest.raises(UnknownIdError) as info:
        decide(protocol, "parking", {"weapon": "perhaps"})
    assert "weapon='perhaps'" in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALL_TYPES), ANSWERS)
def test_decide_is_deterministic(call_type: str, answers: dict[str, str]) -> None:
    first = decide(PROTOCOL, call_type, answers)
    reordered = dict(reversed(list(answers.items())))
    assert decide(PROTOCOL, call_type, reordered) == first
    assert decide(PROTOCOL, call_type, answers).to_dict() == first.to_dict()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(CALL_TYPES), ANSWERS, st.sampled_from(SAFETY_QUESTIONS))
def test_a_safety_yes_never_lowers_the_tier(
    call_type: str, answers: dict[str, str], q: str
) -> None:
    before = decide(PROTOCOL, call_type, answers)
    after = decide(PROTOCOL, call_type, {**answers, q: "yes"})
    assert after.tier >= before.tier


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(CALL_TYPES), ANSWERS, st.sampled_from(QUESTIONS), st.booleans())
def test_unknown_to_yes_never_lowers_the_tier(
    call_type: str, answers: dict[str, str], q: str, explicit: bool
) -> None:
    unknown = (
        {**answers, q: "unknown"} if explicit else {k: v for k, v in answers.items() if k != q}
    )
    before = decide(PROTOCOL, call_type, unknown)
    after = decide(PROTOCOL, call_type, {**answers, q: "yes"})
    assert after.tier >= before.tier
    assert after.risk.score >= before.risk.score


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALL_TYPES), ANSWERS)
def test_risk_band_always_matches_the_matrix(call_type: str, answers: dict[str, str]) -> None:
    d = decide(PROTOCOL, call_type, answers)
    matrix = PROTOCOL.risk_matrix
    risk = d.risk
    assert 1 <= risk.likelihood <= 5 and 1 <= risk.consequence <= 5
    assert risk.score == risk.likelihood * risk.consequence
    assert risk.band == matrix.band(risk.likelihood, risk.consequence).id
    band = matrix.band(risk.likelihood, risk.consequence)
    if not d.screened_out:
        assert band.min_tier <= d.tier <= band.max_tier


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CALL_TYPES), ANSWERS)
def test_lead_programs_and_ask_next_are_consistent(call_type: str, answers: dict[str, str]) -> None:
    d = decide(PROTOCOL, call_type, answers)
    assert d.lead == (None if d.tier == 0 else "civilian" if d.tier <= 2 else "police")
    assert all(d.tier in PROTOCOL.programs[p].tiers for p in d.programs)
    assert d.screened_out or d.programs
    asked = PROTOCOL.call_types[call_type].questions
    for q in d.ask_next:
        assert q in asked and answers.get(q, "unknown") == "unknown"
        tiers = {decide(PROTOCOL, call_type, {**answers, q: a}).tier for a in ("yes", "no")}
        assert len(tiers) == 2, (q, tiers)
