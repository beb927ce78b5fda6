"""Every computed metric in the catalog against values worked out by hand on the fixture
in metrics_facts_fixture.py (the working is in the comments), for March 2026, for an
empty period, and by breakdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from metrics_facts_fixture import (
    JANUARY,
    MARCH,
    hotline_contact_rows,
    incident_rows,
    referral_rows,
    virtual_report_rows,
)

from rightresponse.core.metrics import Evaluator, Frame, load_catalog

CATALOG = load_catalog(
    Path(__file__).resolve().parents[3] / "src/rightresponse/performance/catalog/metrics.yaml"
)
S = 1 / 60  # one second in minutes

# Populations (incident ids): all 1-11; virtual {5,6}; hotline {7,8,9}; civilian (initial
# tier 1) {1,2,11}; co-response (initial tier 2-3) {10}; police (initial tier 4) {3,4};
# connected (a referral made, or referred/transported) {1,2,4,7,8}.
# Expected: (value, median) for times in minutes; value otherwise.
EXPECTED: dict[str, float | tuple[float, float]] = {
    # Reports (virtual_reports): 6 in March; 5 no longer open (1, 2, 3, 4, 6).
    "virtual_reports_initiated": 6,
    "virtual_reports_completed": 2,  # 1 and 2
    "virtual_reports_completion_rate": 40.0,  # 2 of 5
    "virtual_reports_abandoned_share": 40.0,  # 3 and 4 of 5
    "virtual_report_completion_time": (12.5, 12.5),  # 600 and 900 s
    "virtual_contact_time": (10.0, 10.0),  # 2: taken at 300 s, closed 900 s (1 never taken)
    "virtual_share_of_volume": 100 * 2 / 13,  # 2 completed reports of 2 + 11 incidents
    "virtual_routed_from_911": 100 / 3,  # 2 and 5 of 6
    "virtual_service_connections": 50.0,  # of completed 1 and 2, 2 referred
    # Hotline contacts: 6 in March; reached known for 1, 2, 3, 5 (3 could not be reached).
    "hotline_calls": 6,
    "hotline_disconnected_share": 25.0,
    "hotline_completed_share": 75.0,
    "hotline_speed_of_answer": (43 * S, 30 * S),  # 30, 60, 90, 20, 15 s (6 not answered)
    "hotline_contact_time": (800 * S, 900 * S),  # finished 1, 2, 3: 1200, 900, 300 s
    "hotline_outcomes": 6,
    "hotline_service_connections": 25.0,  # of 1, 2, 3, 5: 5 referred
    "hotline_repeat_caller_share": 100 / 3,  # C5 twice among 6 keyed contacts
    "hotline_resolved_share_of_volume": 100 * 3 / 14,  # 1, 3, 5 not elevated; 11 incidents
    "hotline_routed_from_911": 500 / 6,  # all but 5
    "hotline_elevated_share": 25.0,  # 2 handed back, of the finished 1, 2, 3, 5
    "hotline_repeat_callers": 1,
    "civilian_calls": 3,
    "civilian_dispatch_time": (920 / 3 * S, 300 * S),  # 120, 300, 500 s
    "civilian_response_time": (2800 / 3 * S, 900 * S),  # 600, 900, 1300 s
    "civilian_completion_time": (7900 / 3 * S, 2500 * S),  # 1800, 3600, 2500 s
    "civilian_outcomes": 3,
    "civilian_service_connections": 200 / 3,  # 1 and 2
    "civilian_repeat_callers": 0,  # C1, C2, C8
    "civilian_response_share": 100 * 2 / 11,  # final tier 1: 1 and 8
    "civilian_escalated_share": 200 / 3,  # 2 -> tier 3, 11 -> tier 4
    "civilian_to_co_response_share": 12.5,  # of 8 started at tier 0-1, 2 ended at tier 3
    "co_response_civilian_led_share": 200 / 3,  # final tier 2-3: 2 (police), 4, 10 (civilian)
    "co_response_lead_switched_share": 200 / 3,  # 2 and 4 switched
    "co_response_calls": 1,
    "co_response_dispatch_time": (200 * S, 200 * S),
    "co_response_response_time": (1000 * S, 1000 * S),
    "co_response_completion_time": (2000 * S, 2000 * S),
    "co_response_outcomes": 1,
    "co_response_service_connections": 0.0,
    "co_response_repeat_callers": 0,
    "police_requested_civilian": 1,  # 4 de-escalated
    "civilian_requested_police": 1,  # 2 escalated
    "use_of_force_share": 100 / 3,  # final tier 3-4: 2, 3, 11; force in 3
    "police_calls": 2,
    "police_dispatch_time": (150 * S, 150 * S),  # 60, 240 s
    "police_response_time": (750 * S, 750 * S),  # 300, 1200 s
    "police_completion_time": (1800 * S, 1800 * S),  # 1200, 2400 s
    "police_outcomes": 2,
    "police_service_connections": 50.0,  # 4 referred
    "police_repeat_callers": 0,  # C3, C1
    "call_volume": 11,
    # answered after 60,30,10,20,0,45,15,25,50,40 s (9 never): mean 29.5, median 27.5
    "time_to_answer": (29.5 * S, 27.5 * S),
    # dispatched after 120,300,60,240,400,200,500 s: mean 260, median 240
    "time_to_dispatch": (260 * S, 240 * S),
    # on scene after 600,900,300,1200,1500,1000,1300 s: mean 6800/7, median 1000
    "time_to_scene": (6800 / 7 * S, 1000 * S),
    # closed after 2400,3600,1800,3000,900,1500,3300,100,2000,2600 s: mean 2120, median 2200
    "time_to_closure": (2120 * S, 2200 * S),
    "diverted_count": 8,  # final tier 0-2: 1,4,5,6,7,8,9,10
    "diverted_share": 100 * 8 / 11,
    "reclassified_share": 100 * 4 / 11,  # type changed: 4; tier changed: 2, 4, 8, 11
    "escalated_share": 100 / 11,
    "deescalated_share": 100 / 11,
    "location_recurrence_share": 37.5,  # 8 keyed calls, L1 three times
    "eligible_not_served_share": 100 / 11,  # 11, off hours
    "referrals_per_incident": 6 / 11,  # referrals 1,2,3,5,7,8 from incidents; 11 incidents
    # 7 sent (6 is a draft); connected 1, 2, 7, and 8 completed (connected left null)
    "referral_connection_rate": 400 / 7,
    "second_response_reach_rate": 50.0,  # 5 not reached, 7 reached
}


@pytest.fixture(scope="module")
def frames() -> dict[str, Frame]:
    return {
        "incidents": Frame.from_rows("incidents", incident_rows()),
        "referrals": Frame.from_rows("referrals", referral_rows()),
        "virtual_reports": Frame.from_rows("virtual_reports", virtual_report_rows()),
        "hotline_contacts": Frame.from_rows("hotline_contacts", hotline_contact_rows()),
    }


def test_every_computed_metric_has_a_hand_worked_value() -> None:
    assert set(EXPECTED) == {m.id for m in CATALOG.computed()}


@pytest.mark.parametrize("metric_id", sorted(EXPECTED))
def test_march_value(frames: dict[str, Frame], metric_id: str) -> None:
    metric = CATALOG.metrics[metric_id]
    assert metric.compute is not None
    result = Evaluator(frames, *MARCH).compute(metric.compute)
    expected = EXPECTED[metric_id]
    if isinstance(expected, tuple):
        assert result.total.value == pytest.approx(expected[0])
        assert result.total.median == pytest.approx(expected[1])
    else:
        assert result.total.value == pytest.approx(expected)


@pytest.mark.parametrize("metric_id", sorted(EXPECTED))
def test_empty_period_counts_zero_and_rates_have_no_value(
    frames: dict[str, Frame], metric_id: str
) -> None:
    metric = CATALOG.metrics[metric_id]
    assert metric.compute is not None
    value = Evaluator(frames, *JANUARY).compute(metric.compute).total
    if metric.compute["kind"] in ("count", "distinct_repeat"):
        assert value.value == 0
    else:
        assert value.value is None  # a rate or time of nothing is not zero
    assert value.events == 0


def _groups(frames: dict[str, Frame], metric_id: str, dimension: str) -> dict[str, float | None]:
    spec = CATALOG.metrics[metric_id].compute
    assert spec is not None
    result = Evaluator(frames, *MARCH).compute(spec, dimension)
    return {label: v.value for label, v in result.groups.items()}


def test_call_volume_by_incident_type(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "call_volume", "incident_type") == {
        "behavioral_health": 6,  # 1, 2, 7, 8, 9, 11
        "violent": 1,  # 3 (12 is in April)
        "disorder": 2,  # 4, 10
        "property": 2,  # 5, 6
    }


def test_call_volume_by_area_and_race(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "call_volume", "area") == {"north": 6, "south": 5}
    assert _groups(frames, "call_volume", "race_ethnicity") == {
        "black": 5,  # 1, 3, 6, 8, 11
        "white": 4,  # 2, 5, 7, 10
        "unknown": 2,  # 4, 9
    }


def test_diverted_count_by_responder_type(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "diverted_count", "responder_type") == {
        "community_responder": 3,  # 1, 4, 10
        "online_report": 1,
        "phone_report": 1,
        "crisis_line_988": 2,  # 7, 9
        "behavioral_crisis_team": 1,  # 8
    }


def test_use_of_force_by_call_type(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "use_of_force_share", "incident_type") == {
        "behavioral_health": 0.0,  # 2 and 11, no force
        "violent": 100.0,  # 3
    }


def test_hotline_outcomes_by_outcome(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "hotline_outcomes", "outcome") == {
        "resolved": 2,  # 1 and 5
        "handed_back": 1,
        "no_contact": 1,
        "declined": 1,
        "(not recorded)": 1,  # 6, still open
    }


def test_dispatch_time_by_lead(frames: dict[str, Frame]) -> None:
    groups = _groups(frames, "time_to_dispatch", "lead")
    # civilian lead: 1 (120 s), 4 (240), 8 (400), 10 (200) -> 240 s; police: 2 (300), 3 (60),
    # 11 (500) -> 286.67 s; no lead: 5, 6, 7, 9 never dispatched -> no value.
    assert groups["civilian"] == pytest.approx(240 * S)
    assert groups["police"] == pytest.approx(860 / 3 * S)
    assert groups["(not recorded)"] is None


def test_referrals_per_incident_by_incident_type(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "referrals_per_incident", "incident_type") == pytest.approx(
        {
            "behavioral_health": 2 / 6,  # referrals 1, 5 over 6 incidents
            "disorder": 1.5,  # referrals 2, 3, 8 over 2 incidents
            "violent": 1.0,  # referral 7 over incident 3
            "property": 0.0,  # no referrals over 2 incidents: a real zero
        }
    )


def test_eligible_not_served_by_reason(frames: dict[str, Frame]) -> None:
    assert _groups(frames, "eligible_not_served_share", "reason") == {
        "off_hours": 100.0,
        "(not recorded)": 0.0,
    }


def test_whole_history_includes_april(frames: dict[str, Frame]) -> None:
    spec = CATALOG.metrics["call_volume"].compute
    assert spec is not None
    assert Evaluator(frames).compute(spec).total.value == 12


def test_scope_filters_every_metric(frames: dict[str, Frame]) -> None:
    scoped = Evaluator(frames, *MARCH, scope={"incidents": {"area": "north"}})
    spec = CATALOG.metrics["diverted_share"].compute
    assert spec is not None
    # north: 1, 2, 5, 7, 9, 10; diverted (tier 0-2): 1, 5, 7, 9, 10
    assert scoped.compute(spec).total.value == pytest.approx(500 / 6)
