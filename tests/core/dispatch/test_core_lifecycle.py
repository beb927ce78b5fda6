"""Status machine, service hours, intervals, geography and the EIDD mapping (pure core)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightresponse.core.dispatch import (
    INCIDENT_STATUSES,
    EiddError,
    HoursError,
    IllegalTransition,
    check_incident_transition,
    check_unit_transition,
    crosses_to_police,
    derived_intervals,
    eidd_from_incident,
    haversine_km,
    incident_from_eidd,
    parse_hours,
    tier_change_kind,
)


def test_closed_incident_cannot_go_en_route() -> None:
    with pytest.raises(IllegalTransition, match="'closed' to 'en_route'"):
        check_incident_transition("closed", "en_route")
    check_incident_transition("dispatched", "en_route")
    with pytest.raises(IllegalTransition, match="unknown"):
        check_unit_transition("available", "flying")
    with pytest.raises(IllegalTransition):
        check_unit_transition("out_of_service", "on_scene")


def test_service_hours_like_denver_star() -> None:
    hours = parse_hours("Mon-Fri 10:00-18:00")
    assert hours.open_at(datetime(2026, 11, 25, 10, 0))  # Wednesday
    assert not hours.open_at(datetime(2026, 11, 25, 18, 0))
    assert not hours.open_at(datetime(2026, 11, 28, 12, 0))  # Saturday
    night = parse_hours("Fri-Sat 22:00-04:00")
    assert night.open_at(datetime(2026, 11, 28, 2, 0))  # Saturday 02:00 belongs to Friday
    assert not night.open_at(datetime(2026, 11, 30, 2, 0))  # Monday 02:00
    assert parse_hours("24/7").open_at(datetime(2026, 1, 1, 3, 0))
    with pytest.raises(HoursError, match="'Mon-Fry 10:00-18:00'"):
        parse_hours("Mon-Fry 10:00-18:00")
    with pytest.raises(HoursError, match="not like"):
        parse_hours("weekdays")


def test_intervals_in_seconds_and_none_when_missing_or_backwards() -> None:
    t0 = datetime(2026, 11, 25, 12, tzinfo=UTC)
    stamps = {
        "received_at": t0,
        "answered_at": t0 + timedelta(seconds=9),
        "dispatched_at": t0 + timedelta(minutes=2),
        "on_scene_at": t0 + timedelta(minutes=14),
        "closed_at": t0 - timedelta(minutes=1),
    }
    result = derived_intervals(stamps)
    assert result["time_to_answer"] == 9
    assert result["time_to_dispatch"] == 120
    assert result["time_to_scene"] == 14 * 60
    assert result["time_to_en_route"] is None
    assert result["time_to_closure"] is None


def test_haversine_matches_a_known_distance() -> None:
    # Seattle (47.6062, -122.3321) to Portland (45.5152, -122.6784): about 234 km.
    assert haversine_km(47.6062, -122.3321, 45.5152, -122.6784) == pytest.approx(234, abs=2)


def test_tier_changes() -> None:
    assert tier_change_kind(1, 3) == "escalation"
    assert tier_change_kind(3, 2) == "de-escalation"
    assert tier_change_kind(2, 2) is None
    assert crosses_to_police(2, 3) and not crosses_to_police(1, 2)


RECORD = {
    "id": 42,
    "agency": "metro-911",
    "status": "closed",
    "call_type": "assault",
    "initial_call_type": "welfare_check",
    "category": "violent_crime",
    "initial_category": "welfare",
    "tier": 4,
    "initial_tier": 1,
    "lead": "police",
    "initial_lead": "civilian",
    "priority": 2,
    "channel": "911",
    "address": "100 Main St",
    "latitude": 47.6,
    "longitude": -122.3,
    "area": "north",
    "timestamps": {
        "received_at": "2026-11-25T12:00:00+00:00",
        "answered_at": "2026-11-25T12:00:08+00:00",
        "triaged_at": "2026-11-25T12:01:00+00:00",
        "dispatched_at": "2026-11-25T12:02:00+00:00",
        "en_route_at": "2026-11-25T12:03:00+00:00",
        "on_scene_at": "2026-11-25T12:10:00+00:00",
        "cleared_at": "2026-11-25T12:40:00+00:00",
        "closed_at": "2026-11-25T12:45:00+00:00",
    },
    "units": [
        {
            "call_sign": "CARE-1",
            "program": "community_responder",
            "primary": True,
            "assigned_at": "2026-11-25T12:02:00+00:00",
            "released_at": "2026-11-25T12:40:00+00:00",
        }
    ],
    "events": [
        {
            "at": "2026-11-25T12:12:00+00:00",
            "kind": "escalation",
            "from": "1",
            "to": "4",
            "reason": "weapon seen",
            "actor": "responder",
        }
    ],
    "disposition": {
        "disposition": "arrest made",
        "outcome": "arrest",
        "referrals_made": 1,
        "service_connections": 0,
        "use_of_force": True,
    },
    "eligible_not_served": [{"program": "behavioral_crisis_team", "reason": "off_hours"}],
}


def test_eidd_round_trip_keeps_every_field() -> None:
    doc = eidd_from_incident(RECORD, sender="rightresponse.test", sent_at="2026-11-25T13:00:00Z")
    assert doc["incidentComponent"]["incidentTrackingIdentifier"].startswith(
        "urn:emergency:uid:incidentid:42"
    )
    back = incident_from_eidd(doc)
    assert back == {**RECORD, "id": "42"}


def test_eidd_import_names_the_bad_path() -> None:
    doc = eidd_from_incident(RECORD, sender="x", sent_at="2026-11-25T13:00:00Z")
    doc["incidentStatusTimestamps"]["on_scene_at"] = "yesterday"
    with pytest.raises(EiddError, match=r"incidentStatusTimestamps\.on_scene_at"):
        incident_from_eidd(doc)
    with pytest.raises(EiddError, match="incidentComponent: missing"):
        incident_from_eidd({"eiddVersion": "x"})


@given(st.lists(st.sampled_from(sorted(INCIDENT_STATUSES)), max_size=30))
def test_any_walk_of_legal_moves_ends_nowhere_after_closed(targets: list[str]) -> None:
    state = "waiting"
    for target in targets:
        try:
            check_incident_transition(state, target)
        except IllegalTransition:
            continue
        assert state != "closed"  # nothing leaves closed
        state = target
    assert state in INCIDENT_STATUSES
