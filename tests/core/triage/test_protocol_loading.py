"""Loading protocols: the default one is valid, and every kind of bad protocol is refused
with a message naming the file, the path inside it and the reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from rightresponse.core.triage import (
    Protocol,
    ProtocolError,
    load_protocol,
    parse_protocol,
    read_yaml_text,
)

BAD = Path(__file__).resolve().parent / "bad_protocols"
REQUIRED_CALL_TYPES = {
    "behavioral_crisis", "suicidal_person", "welfare_check", "medical", "overdose",
    "intoxicated_person", "low_acuity_disorder", "trespass", "noise_complaint",
    "traffic_collision", "parking", "property_crime_report", "homelessness_assist",
    "domestic_violence", "sexual_assault", "animal", "violence_interrupter_request", "assault",
    "robbery", "burglary_in_progress", "shots_fired", "violent_crime_in_progress",
    "bias_based_complaint",
}  # fmt: skip
REQUIRED_QUESTIONS = {
    "weapon", "violence", "medical_emergency", "substance_escalating", "threat_to_life",
    "crime_in_progress", "suspect_on_scene", "victim_in_danger", "injury",
    "firearm_or_vehicle_involved", "caller_requests_police",
}  # fmt: skip
REQUIRED_PROGRAMS = {
    "online_report", "phone_report", "line_311", "crisis_line_988", "community_responder",
    "behavioral_crisis_team", "dv_advocate", "violence_interrupters", "ems", "fire",
    "cit_co_response", "police",
}  # fmt: skip


def test_default_protocol_declares_the_contract_ids(protocol: Protocol) -> None:
    assert set(protocol.call_types) >= REQUIRED_CALL_TYPES
    assert set(protocol.questions) >= REQUIRED_QUESTIONS
    assert set(protocol.programs) >= REQUIRED_PROGRAMS
    assert protocol.version
    # The 12 diversified-response areas (report 1206-1216) plus police core, fire, bias.
    assert len(protocol.categories) == 15
    assert {ct.category for ct in protocol.call_types.values()} <= set(protocol.categories)


def test_default_matrix_is_seattles_exactly(protocol: Protocol) -> None:
    """Report lines 1131-1135, row by row (likelihood 5 at the top)."""
    printed = [
        "Moderate 5, High 10, Extreme 15, Extreme 20, Extreme 25",
        "Moderate 4, High 8, High 12, Extreme 16, Extreme 20",
        "Low 3, Moderate 6, High 9, High 12, Extreme 15",
        "Low 2, Moderate 4, Moderate 6, High 8, High 10",
        "Low 1, Low 2, Low 3, Moderate 4, Moderate 5",
    ]
    matrix = protocol.risk_matrix
    for row, likelihood in zip(printed, range(5, 0, -1), strict=True):
        cells = [
            f"{matrix.band(likelihood, c).label} {matrix.score(likelihood, c)}" for c in range(1, 6)
        ]
        assert ", ".join(cells) == row


def _problem(data: dict[str, Any]) -> str:
    with pytest.raises(ProtocolError) as info:
        parse_protocol(data, "city.yaml")
    return str(info.value)


def test_duplicate_call_type_id(raw: dict[str, Any]) -> None:
    raw["call_types"].append(copy.deepcopy(raw["call_types"][0]))
    n = len(raw["call_types"]) - 1
    message = _problem(raw)
    assert message.startswith("city.yaml: at ")
    assert f"call_types[{n}].id" in message and "duplicate id 'behavioral_crisis'" in message


def test_duplicate_question_id(raw: dict[str, Any]) -> None:
    raw["questions"][1]["id"] = raw["questions"][0]["id"]
    assert "at questions[1].id: duplicate id 'threat_to_life' (also questions[0])" in _problem(raw)


def test_unknown_question_in_a_rule(raw: dict[str, Any]) -> None:
    raw["rules"][0]["when"] = {"has_a_dog": "yes"}
    assert "at rules[0].when.has_a_dog: unknown question 'has_a_dog'" in _problem(raw)


def test_unknown_program_in_a_rule(raw: dict[str, Any]) -> None:
    raw["rules"][0]["add_programs"] = ["jetpack_team"]
    assert "at rules[0].add_programs[0]: unknown program 'jetpack_team'" in _problem(raw)


def test_unknown_call_type_in_a_rule(raw: dict[str, Any]) -> None:
    raw["rules"][0]["call_types"] = ["alien_landing"]
    assert "at rules[0].call_types[0]: unknown call type 'alien_landing'" in _problem(raw)


def test_unknown_category_of_a_call_type(raw: dict[str, Any]) -> None:
    raw["call_types"][2]["category"] = "weather"
    assert "at call_types[2].category: unknown category 'weather'" in _problem(raw)


def test_program_fallback_cycle(raw: dict[str, Any]) -> None:
    programs = {p["id"]: p for p in raw["programs"]}
    programs["cit_co_response"]["fallback"] = "behavioral_crisis_team"
    message = _problem(raw)
    assert "at programs: program fallback cycle:" in message
    assert "behavioral_crisis_team -> community_responder -> cit_co_response" in message


def test_rule_extends_cycle(raw: dict[str, Any]) -> None:
    raw["rules"][0]["extends"] = raw["rules"][1]["id"]
    raw["rules"][1]["extends"] = raw["rules"][0]["id"]
    assert "rule extends cycle: threat_to_life -> weapon_in_crisis -> threat_to_life" in _problem(
        raw
    )


def test_rule_may_not_match_no(raw: dict[str, Any]) -> None:
    raw["rules"][1]["when"] = {"weapon": "no"}
    assert "at rules[1].when.weapon: a tier rule may not match 'no'" in _problem(raw)


def test_rule_matching_unknown_must_match_yes(raw: dict[str, Any]) -> None:
    raw["rules"][1]["when"] = {"weapon": "unknown"}
    assert "at rules[1].when.weapon: a rule that matches 'unknown' must also match 'yes'" in (
        _problem(raw)
    )


def test_matrix_with_a_short_row(raw: dict[str, Any]) -> None:
    raw["risk_matrix"]["rows"][2] = raw["risk_matrix"]["rows"][2][:4]
    message = _problem(raw)
    assert "at risk_matrix.rows: the risk matrix must be 5 x 5" in message
    assert "5 x 5 x 4 x 5 x 5" in message


def test_matrix_from_a_file_with_four_rows() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BAD / "matrix_4x5.yaml")
    message = str(info.value)
    assert message.startswith(str(BAD / "matrix_4x5.yaml") + ": at risk_matrix.rows:")
    assert "found 4 row(s)" in message


def test_matrix_score_must_be_likelihood_times_consequence(raw: dict[str, Any]) -> None:
    raw["risk_matrix"]["rows"][0][0] = "Moderate 6"
    assert "at risk_matrix.rows[0][0]: score 6 is not likelihood 5 x consequence 1" in _problem(raw)


def test_matrix_band_must_be_declared(raw: dict[str, Any]) -> None:
    raw["risk_matrix"]["rows"][4][0] = "Trivial 1"
    assert "at risk_matrix.rows[4][0]: unknown band 'trivial'" in _problem(raw)


def test_band_bounds_may_not_fall_as_risk_rises(raw: dict[str, Any]) -> None:
    raw["risk_matrix"]["bands"][3]["min_tier"] = 0
    assert "at risk_matrix.bands[3]: a higher band may not allow lower tiers" in _problem(raw)


def test_schema_error_names_the_path(raw: dict[str, Any]) -> None:
    raw["call_types"][0]["tier"] = 7
    assert "at call_types[0].tier: 7 is greater than the maximum of 4" in _problem(raw)


def test_schema_refuses_unknown_answers(raw: dict[str, Any]) -> None:
    raw["rules"][0]["when"] = {"weapon": "maybe"}
    assert "at rules[0].when.weapon:" in _problem(raw)


def test_schema_refuses_unknown_fields(raw: dict[str, Any]) -> None:
    raw["programs"][0]["colour"] = "blue"
    assert "at programs[0]: Additional properties are not allowed ('colour' was unexpected)" in (
        _problem(raw)
    )


def test_several_problems_are_reported_together(raw: dict[str, Any]) -> None:
    raw["rules"][0]["when"] = {"has_a_dog": "yes"}
    raw["call_types"][2]["category"] = "weather"
    message = _problem(raw)
    assert message.splitlines()[0] == "city.yaml: 2 problems"
    assert "has_a_dog" in message and "weather" in message


def test_missing_sections_file() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BAD / "missing_sections.yaml")
    assert "'risk_matrix' is a required property" in str(info.value)


def test_duplicate_yaml_key_is_refused() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BAD / "duplicate_key.yaml")
    assert "at line 3, column 1: not valid YAML: duplicate key 'name' (first at line 2)" in str(
        info.value
    )


def test_broken_yaml_names_line_and_column() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BAD / "not_yaml.yaml")
    assert str(info.value).startswith(str(BAD / "not_yaml.yaml") + ": at line ")


def test_missing_file() -> None:
    with pytest.raises(ProtocolError) as info:
        load_protocol(BAD / "nowhere.yaml")
    assert "nowhere.yaml: at (file): cannot read the file" in str(info.value)


def test_yes_and_no_stay_answers_not_booleans(protocol: Protocol) -> None:
    rule = next(r for r in protocol.rules if r.id == "weapon")
    assert rule.when == {"weapon": frozenset({"yes"})}
    online = protocol.programs["online_report"]
    assert online.eligible_when["weapon"] == frozenset({"no"})


def test_published_schema_is_the_one_the_loader_uses() -> None:
    import json

    import jsonschema

    from rightresponse.core.triage import protocol_schema

    published = Path(__file__).resolve().parents[3] / "protocols" / "protocol.schema.json"
    schema = json.loads(published.read_text())
    assert schema == protocol_schema()
    jsonschema.Draft202012Validator.check_schema(schema)


def test_extends_inherits_the_conditions(raw: dict[str, Any]) -> None:
    raw["rules"].append(
        {
            "id": "weapon_and_drugs",
            "extends": "weapon_in_crisis",
            "when": {"substance_escalating": "yes"},
            "categories": ["behavioral_health"],
            "tier": 4,
            "reason": "A weapon and escalating drugs.",
        }
    )
    protocol = parse_protocol(raw, "city.yaml")
    rule = next(r for r in protocol.rules if r.id == "weapon_and_drugs")
    assert set(rule.when) == {"weapon", "substance_escalating"}
    from rightresponse.core.triage import decide

    both = {"weapon": "yes", "substance_escalating": "yes"}
    assert decide(protocol, "behavioral_crisis", both).tier == 4
    assert decide(protocol, "behavioral_crisis", {"substance_escalating": "yes"}).tier == 2


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("? [a]\n: b\n", "unhashable"),  # a list as a key
        ("{{a: 1}: 2}", "unhashable"),
        ("[" * 5000, "nested too deeply"),
        ("a: !!timestamp 2020-99-99", "month must be in 1..12"),
    ],
)
def test_yaml_the_constructors_choke_on_is_a_problem_not_a_crash(text: str, reason: str) -> None:
    """Text typed in the studio is untrusted (the API fuzzing found these as 500s)."""
    with pytest.raises(ProtocolError) as caught:
        read_yaml_text(text, "draft")
    ((where, why),) = caught.value.problems
    assert where == "(file)" and why.startswith("not valid YAML") and reason in why
