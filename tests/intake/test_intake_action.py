"""The intake action (issue 13 item 1): the call, its decision and what it became are one
write that fails loudly. The failure is a real one: the database refuses incidents (a
trigger), and the call must not be committed; the call taker sees why, on the page and in
the API."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rightresponse.dispatch.models import Incident
from rightresponse.intake.models import VirtualCase
from rightresponse.intake.services import IntakeFailed, call_intake, call_reassess
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails, InvalidCall

pytestmark = pytest.mark.django_db(transaction=True)

CRISIS = {"call_type": "behavioral_crisis", "answers": {"weapon": "no", "violence": "no"}}
PROPERTY_REPORT = {  # tier 0: an online or phone report
    "call_type": "property_crime_report",
    "answers": {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no",
                "injury": "no", "firearm_or_vehicle_involved": "no"},
}  # fmt: skip


def test_a_field_call_becomes_its_incident_in_the_same_write(agencies, users) -> None:
    result = call_intake(user=users["call_taker"], agency=agencies["center"],
                         details=CallDetails(), **CRISIS)  # fmt: skip
    assert result.incident is not None and result.case is None
    assert Incident.objects.get(call=result.call) == result.incident
    assert result.incident.tier == result.call.tier >= 1
    assert result.incident.events.filter(kind="created").count() == 1


def test_a_tier0_call_becomes_a_virtual_case_and_no_incident(agencies, users) -> None:
    result = call_intake(user=users["call_taker"], agency=agencies["center"],
                         details=CallDetails(channel="311"), **PROPERTY_REPORT)  # fmt: skip
    assert result.call.tier == 0 and result.incident is None
    case = VirtualCase.objects.get(call=result.call)
    assert (case.status, case.channel) == ("initiated", "311")
    assert not Incident.objects.exists()


def test_a_saved_call_makes_nothing_behind_the_scenes(agencies) -> None:
    """No receiver: only the intake action turns a call into an incident."""
    Call.objects.create(agency=agencies["center"], received_at=timezone.now(), tier=2,
                        call_type="behavioral_crisis", decision={"programs": ["care_team"]})  # fmt: skip
    assert not Incident.objects.exists()


def test_incident_failure_rolls_the_call_back_and_says_so(
    agencies, users, incidents_refused
) -> None:
    with pytest.raises(IntakeFailed, match="NOT recorded.*incident store refused"):
        call_intake(user=users["call_taker"], agency=agencies["center"],
                    details=CallDetails(caller_phone="555-0100"), **CRISIS)  # fmt: skip
    assert not Call.objects.exists() and not Incident.objects.exists()
    # A Tier 0 call needs no incident, so it is still taken while incidents are refused.
    call_intake(user=users["call_taker"], agency=agencies["center"],
                details=CallDetails(), **PROPERTY_REPORT)  # fmt: skip
    assert Call.objects.count() == 1 and VirtualCase.objects.count() == 1


def test_api_answers_503_and_stores_nothing_when_the_incident_fails(
    api_client, incidents_refused
) -> None:
    response = api_client("call_taker").post(
        "/api/triage/calls", json.dumps(CRISIS), content_type="application/json"
    )
    assert response.status_code == 503
    problem = response.json()
    assert "NOT recorded" in problem["detail"] and "incident store refused" in problem["detail"]
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert not Call.objects.exists()


def test_page_tells_the_call_taker_the_call_was_not_recorded(logged_in, incidents_refused) -> None:
    response = logged_in("call_taker").post(
        "/triage/calls/",
        {"call_type": "behavioral_crisis", "answer-weapon": "no", "answer-violence": "no",
         "address": "5 Elm St", "caller_phone": "555-0100", "channel": "911",
         "answered_at": (timezone.now() - timedelta(seconds=40)).isoformat()},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 503
    assert 'id="intake-failed"' in html and "NOT recorded" in html
    assert 'value="555-0100"' in html  # what was typed is still there to try again
    assert 'id="call-timer" data-start=""' not in html  # the call's clock keeps running
    assert not Call.objects.exists()


def test_api_reports_what_the_call_became_and_its_measured_times(api_client) -> None:
    now = timezone.now().replace(microsecond=0)
    body = {**CRISIS, "received_at": (now - timedelta(seconds=40)).isoformat(),
            "answered_at": (now - timedelta(seconds=31)).isoformat(),
            "triage_started_at": (now - timedelta(seconds=20)).isoformat()}  # fmt: skip
    response = api_client("call_taker").post(
        "/api/triage/calls", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    out = response.json()
    call = Call.objects.get(pk=out["id"])
    assert out["incident_id"] == Incident.objects.get(call=call).pk
    assert out["virtual_case_id"] is None
    assert (call.answered_at - call.received_at).total_seconds() == 9
    assert call.answer_wait_measured
    assert call.triage_started_at == now - timedelta(seconds=20)
    assert call.triaged_at >= call.triage_started_at


def test_api_refuses_times_out_of_order_naming_the_field(api_client) -> None:
    now = timezone.now()
    body = {**CRISIS, "received_at": now.isoformat(),
            "answered_at": (now - timedelta(seconds=30)).isoformat()}  # fmt: skip
    response = api_client("call_taker").post(
        "/api/triage/calls", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422 and "received_at" in response.json()["detail"]
    assert not Call.objects.exists()


def test_without_a_ring_time_the_wait_is_not_measured(agencies) -> None:
    call = call_intake(user=None, agency=agencies["center"], details=CallDetails(), **CRISIS).call
    assert not call.answer_wait_measured and call.answered_at is not None


def test_page_times_come_from_the_page_events(logged_in) -> None:
    opened = timezone.now() - timedelta(seconds=50)
    response = logged_in("call_taker").post(
        "/triage/calls/",
        {"call_type": "behavioral_crisis", "answer-weapon": "no", "answer-violence": "no",
         "answered_at": opened.isoformat(), "triage_started_ms": "12500", "channel": "911"},
    )  # fmt: skip
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.answered_at == opened
    assert call.triage_started_at == opened + timedelta(milliseconds=12500)
    assert not call.answer_wait_measured  # no phone system said when it rang


def test_retriage_to_a_field_response_elevates_the_virtual_case(agencies, users) -> None:
    taken = call_intake(user=users["call_taker"], agency=agencies["center"],
                        details=CallDetails(), **PROPERTY_REPORT)  # fmt: skip
    result = call_reassess(call=taken.call, user=users["call_taker"],
                           answers={"suspect_on_scene": "yes", "weapon": "yes"})  # fmt: skip
    assert result.incident is not None and result.call.tier >= 1
    case = VirtualCase.objects.get(pk=taken.case.pk)
    assert case.status == "elevated" and case.elevated_incident_id == result.incident.pk


def test_bad_input_is_refused_before_any_write(agencies) -> None:
    with pytest.raises(InvalidCall, match="triage_started_at"):
        call_intake(user=None, agency=agencies["center"],
                    details=CallDetails(triage_started_at=timezone.now() + timedelta(minutes=5)),
                    **CRISIS)  # fmt: skip
    assert not Call.objects.exists()
