"""The second-response rules file shipped with the package, and errors in a city's own."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

import rightresponse
from rightresponse.core.ecosystem.second_response import RuleError, parse_rules

SHIPPED = Path(rightresponse.__file__).parent / "ecosystem" / "data" / "second_response.yaml"


def test_the_shipped_rules_cover_the_declared_kinds() -> None:
    rules = parse_rules(yaml.safe_load(SHIPPED.read_text()), str(SHIPPED))
    assert {k.kind for k in rules.kinds} == {
        "behavioural_crisis",
        "overdose",
        "victimisation",
        "violence",
    }
    crisis = rules.match("behavioral_crisis", None)
    assert crisis is not None and crisis.due == timedelta(hours=72)
    assert rules.match("shots_fired", None).due == timedelta(hours=48)
    assert rules.match("domestic_violence", None).victim_service
    assert rules.match("parking", "traffic") is None
    assert rules.match("unknown_type", "behavioral_health").kind == "behavioural_crisis"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping"),
        ({"kinds": {}}, "name at least one kind"),
        ({"kinds": {"x": {"call_types": ["a"]}}}, "kinds.x.team"),
        ({"kinds": {"x": {"team": "t"}}}, "give call_types or categories"),
        ({"kinds": {"x": {"team": "t", "call_types": ["a"], "due_hours": -3}}}, "due_hours"),
    ],
)
def test_errors_name_the_file_and_the_place(data, message) -> None:
    with pytest.raises(RuleError, match=message) as info:
        parse_rules(data, "city.yaml")
    assert str(info.value).startswith("city.yaml")
