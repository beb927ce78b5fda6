"""Programs' hours and areas (issue 19, item 1): the loader validates them at the field,
and ``decide`` offers a program only within its hours and areas, else its fallback, with
the reason recorded in the decision."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from rightresponse.core.triage import Protocol, ProtocolError, decide, parse_protocol
from rightresponse.core.triage.loader import read_yaml_text

CALM = {"weapon": "no", "violence": "no", "medical_emergency": "no", "substance_escalating": "no",
        "threat_to_life": "no", "caller_requests_police": "no"}  # fmt: skip


def _with(raw: dict[str, Any], program: str, **fields: Any) -> Protocol:
    data = copy.deepcopy(raw)
    spec = next(p for p in data["programs"] if p["id"] == program)
    spec.pop("hours", None)
    spec.pop("areas", None)
    spec.update(fields)
    data["version"] = "hours-test"
    return parse_protocol(data, "hours-test")


def _problems(raw: dict[str, Any], program: str, **fields: Any) -> list[tuple[str, str]]:
    with pytest.raises(ProtocolError) as caught:
        _with(raw, program, **fields)
    return caught.value.problems


DAYTIME = [
    {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "from": "08:00", "to": "20:00"}
]


def test_a_call_at_3am_goes_to_the_fallback_with_the_reason(raw: dict[str, Any]) -> None:
    protocol = _with(raw, "behavioral_crisis_team", hours=DAYTIME)
    night = decide(protocol, "behavioral_crisis", CALM, at=datetime(2026, 3, 4, 3, 0))
    assert night.programs[0] == "community_responder"  # its fallback
    assert "behavioral_crisis_team" not in night.programs
    (passed,) = night.not_offered
    assert passed.program == "behavioral_crisis_team" and passed.why == "outside_hours"
    assert passed.text in night.reasons
    assert "Mon-Sun 08:00-20:00" in passed.text and "Wed 03:00" in passed.text
    assert night.to_dict()["not_offered"][0]["why"] == "outside_hours"
    day = decide(protocol, "behavioral_crisis", CALM, at=datetime(2026, 3, 4, 8, 0))
    assert day.programs[0] == "behavioral_crisis_team" and day.not_offered == ()
    # 20:00 is the end: the span is [from, to).
    late = decide(protocol, "behavioral_crisis", CALM, at=datetime(2026, 3, 4, 20, 0))
    assert late.programs[0] == "community_responder"
    # The tier never depends on the hours.
    assert night.tier == day.tier == 1
    # No time given (the protocol's example calls): hours are not checked.
    assert decide(protocol, "behavioral_crisis", CALM).programs[0] == "behavioral_crisis_team"


def test_a_call_outside_the_programs_areas_goes_to_the_fallback(raw: dict[str, Any]) -> None:
    protocol = _with(raw, "behavioral_crisis_team", areas=["Precinct 1", "Precinct 3"])
    out = decide(protocol, "behavioral_crisis", CALM, area="Precinct 4")
    assert out.programs[0] == "community_responder"
    (passed,) = out.not_offered
    assert passed.why == "outside_areas"
    assert passed.text == (
        "Not offered: Behavioral Crisis Response team serves Precinct 1, Precinct 3; "
        "the call is in Precinct 4, outside its areas."
    )
    assert decide(protocol, "behavioral_crisis", CALM, area="Precinct 3").programs[0] == (
        "behavioral_crisis_team"
    )
    # An unknown area is not held against the program.
    assert decide(protocol, "behavioral_crisis", CALM, area=None).not_offered == ()


def test_a_closed_fallback_passes_on_down_its_chain(raw: dict[str, Any]) -> None:
    protocol = _with(raw, "community_responder", hours=DAYTIME)
    # Violence not known: tier 2; the crisis team needs an affirmative no, so its fallback
    # (community responders) is next, closed at 23:30, and then the CIT co-response.
    answers = {**CALM, "violence": "unknown"}
    night = decide(protocol, "behavioral_crisis", answers, at=datetime(2026, 3, 4, 23, 30))
    assert night.tier == 2
    assert [n.program for n in night.not_offered] == ["community_responder"]
    assert night.programs[0] == "cit_co_response"


def test_when_nobody_of_the_tier_is_open_the_default_stays_with_the_reason(
    raw: dict[str, Any],
) -> None:
    data = copy.deepcopy(raw)
    for spec in data["programs"]:
        if spec["id"] in ("behavioral_crisis_team", "community_responder"):
            spec["hours"] = DAYTIME
    protocol = parse_protocol(data, "both-closed")
    night = decide(protocol, "behavioral_crisis", CALM, at=datetime(2026, 3, 4, 23, 30))
    assert night.tier == 1 and night.programs == ("community_responder",)
    assert [(n.program, n.why) for n in night.not_offered] == [
        ("behavioral_crisis_team", "outside_hours"),
        ("community_responder", "none_open"),
    ]
    assert night.not_offered[1].text.startswith("No program for tier 1 is open: Community")


def test_a_span_across_midnight_belongs_to_the_day_it_starts(raw: dict[str, Any]) -> None:
    # Friday 22:00 to Saturday 02:00 only.
    protocol = _with(raw, "behavioral_crisis_team",
                     hours=[{"days": ["fri"], "from": "22:00", "to": "02:00"}])  # fmt: skip
    first = lambda at: decide(protocol, "behavioral_crisis", CALM, at=at).programs[0]  # noqa: E731
    assert first(datetime(2026, 3, 6, 23, 0)) == "behavioral_crisis_team"  # Fri 23:00
    assert first(datetime(2026, 3, 7, 1, 59)) == "behavioral_crisis_team"  # Sat 01:59
    assert first(datetime(2026, 3, 7, 2, 0)) == "community_responder"  # Sat 02:00
    assert first(datetime(2026, 3, 7, 23, 0)) == "community_responder"  # Sat 23:00
    assert first(datetime(2026, 3, 6, 1, 0)) == "community_responder"  # Fri 01:00 (Thu night)


def test_hours_are_the_citys_wall_clock_across_a_dst_change(raw: dict[str, Any]) -> None:
    """08:00 local is 16:00 UTC in winter and 15:00 UTC in summer (Los Angeles; DST began
    2026-03-08): the app converts the received time to the city's zone, and the program
    opens at 08:00 on both sides of the change."""
    protocol = _with(raw, "behavioral_crisis_team", hours=DAYTIME)
    city = ZoneInfo("America/Los_Angeles")

    def first(utc: datetime) -> str:
        return decide(protocol, "behavioral_crisis", CALM, at=utc.astimezone(city)).programs[0]

    assert first(datetime(2026, 3, 7, 15, 30, tzinfo=UTC)) == "community_responder"  # 07:30 PST
    assert first(datetime(2026, 3, 7, 16, 0, tzinfo=UTC)) == "behavioral_crisis_team"  # 08:00 PST
    assert first(datetime(2026, 3, 9, 15, 0, tzinfo=UTC)) == "behavioral_crisis_team"  # 08:00 PDT
    assert first(datetime(2026, 3, 9, 14, 30, tzinfo=UTC)) == "community_responder"  # 07:30 PDT
    # The night of the change: 01:30 PST, then 03:30 PDT an hour of wall clock later.
    night = [{"days": ["sun"], "from": "03:00", "to": "04:00"}]
    protocol = _with(raw, "behavioral_crisis_team", hours=night)
    assert first(datetime(2026, 3, 8, 9, 30, tzinfo=UTC)) == "community_responder"  # 01:30 PST
    assert first(datetime(2026, 3, 8, 10, 30, tzinfo=UTC)) == "behavioral_crisis_team"  # 03:30 PDT


def test_bad_hours_and_unknown_areas_are_errors_at_the_field(raw: dict[str, Any]) -> None:
    problems = _problems(raw, "dv_advocate",
                         hours=[{"days": ["mon", "funday"], "from": "25:00", "to": "20:00"}])  # fmt: skip
    where = dict(problems)
    i = next(i for i, p in enumerate(raw["programs"]) if p["id"] == "dv_advocate")
    assert "is not a time of day" in where[f"programs[{i}].hours[0].from"]
    assert "'funday' is not one of" in where[f"programs[{i}].hours[0].days[1]"]
    same = _problems(raw, "dv_advocate", hours=[{"days": ["mon"], "from": "08:00", "to": "08:00"}])
    assert same == [(f"programs[{i}].hours[0].to", "the span ends when it starts")]
    data = copy.deepcopy(raw)
    data["programs"][i]["areas"] = ["Precinct 1", "Precinct 9"]
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(data, "areas", known_areas={"Precinct 1", "Precinct 2", "Precinct 3"})
    assert caught.value.problems == [
        (f"programs[{i}].areas[1]",
         "unknown area 'Precinct 9': the city's areas are Precinct 1, Precinct 2, Precinct 3"),
    ]  # fmt: skip
    # Without the city's areas (a file checked outside the app) any name is accepted.
    assert parse_protocol(data, "areas").programs["dv_advocate"].areas == {
        "Precinct 1",
        "Precinct 9",
    }


def test_unquoted_times_read_as_times_not_base_60_numbers() -> None:
    assert read_yaml_text("from: 10:00\nto: 22:30\ntier: 3", "t") == {
        "from": "10:00", "to": "22:30", "tier": 3,
    }  # fmt: skip


def test_the_shipped_protocol_has_hours_and_areas_for_its_civilian_programs(
    protocol: Protocol,
) -> None:
    programs = protocol.programs
    assert programs["violence_interrupters"].areas == {"Precinct 2", "Precinct 3"}
    for pid in ("behavioral_crisis_team", "dv_advocate", "violence_interrupters"):
        assert programs[pid].hours is not None, pid
    # Saturday 01:00 is still Friday night for the violence interrupters.
    sat_night = decide(protocol, "violence_interrupter_request", {}, at=datetime(2026, 3, 7, 1, 0),
                       area="Precinct 3")  # fmt: skip
    assert sat_night.programs[0] == "violence_interrupters"
    tue_night = decide(protocol, "violence_interrupter_request", {},
                       at=datetime(2026, 3, 10, 1, 0), area="Precinct 3")  # fmt: skip
    assert "violence_interrupters" not in tue_night.programs
    assert tue_night.not_offered[0].why == "outside_hours"
