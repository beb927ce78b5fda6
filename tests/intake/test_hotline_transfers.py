"""Hotline transfers 911 <-> 988/311/211 (issue 13 item 3, report lines 1166, 1491):
warm or cold hand-off, acceptance, outcome, and the hand-back to 911 as a new call and
incident linked to the original call, through the API a hotline's system calls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create
from rightresponse.dispatch.models import Incident
from rightresponse.intake.models import HotlineTransfer
from rightresponse.intake.services import call_intake
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db

CRISIS = {"call_type": "behavioral_crisis", "answers": {"weapon": "no", "violence": "no"}}


@pytest.fixture
def hotline() -> dict[str, Any]:
    agency = Agency.objects.create(slug="crisis-988", name="988 Lifeline", kind="county")
    counselor = user_create(username="counselor", password="x-Pass-12345", agency=agency,
                            roles=[r.CALL_TAKER])  # fmt: skip
    client = Client(headers={"Authorization": f"Bearer {token_create(counselor)}"})
    return {"agency": agency, "client": client}


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/intake{path}", json.dumps(body), content_type="application/json")


def _transfer(api_client: Any, agencies: dict, users: dict, hotline: dict, handoff: str) -> Any:
    call = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(caller_phone="555-0100", address="5 Elm St"),
                       **CRISIS).call  # fmt: skip
    response = _post(api_client("call_taker"), "/transfers", {
        "call_id": call.pk, "hotline": "988", "handoff": handoff,
        "to_agency_id": hotline["agency"].pk})  # fmt: skip
    assert response.status_code == 201, response.content
    return call, response.json()


def test_warm_transfer_accepted_and_closed_by_the_hotline(api_client, agencies, users, hotline):
    _call, t = _transfer(api_client, agencies, users, hotline, "warm")
    assert (t["status"], t["handoff"]) == ("requested", "warm")
    # The 911 center cannot answer for the hotline.
    assert _post(api_client("call_taker"), f"/transfers/{t['id']}/answer",
                 {"accept": True}).status_code == 403  # fmt: skip
    accepted = _post(hotline["client"], f"/transfers/{t['id']}/answer", {"accept": True})
    assert accepted.status_code == 200 and accepted.json()["answered_at"] is not None
    closed = _post(hotline["client"], f"/transfers/{t['id']}/outcome", {"outcome": "resolved"})
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "resolved"
    again = _post(hotline["client"], f"/transfers/{t['id']}/outcome", {"outcome": "referred"})
    assert again.status_code == 409 and "cannot go from 'closed'" in again.json()["detail"]


def test_hand_back_makes_a_new_call_and_incident_linked_to_the_original(
    api_client, agencies, users, hotline
):
    call, t = _transfer(api_client, agencies, users, hotline, "cold")
    _post(hotline["client"], f"/transfers/{t['id']}/answer", {"accept": True})
    back = _post(hotline["client"], f"/transfers/{t['id']}/hand-back", {
        "call_type": "behavioral_crisis", "answers": {"weapon": "yes", "violence": "yes"},
        "reason": "caller has a knife and is threatening his brother"})  # fmt: skip
    assert back.status_code == 201, back.content
    out = back.json()
    transfer = HotlineTransfer.objects.get(pk=t["id"])
    assert transfer.status == "handed_back" and transfer.call_id == call.pk
    incident = Incident.objects.get(pk=out["incident_id"])
    assert incident.call_id == out["call_id"] == transfer.hand_back_call_id != call.pk
    assert incident.tier >= 3 and incident.agency == agencies["center"]
    assert incident.call.channel == "988" and f"call {call.pk}" in incident.call.narrative
    assert out["transfer"]["hand_back_incident_id"] == incident.pk
    # The 911 center sees the hand-back on the transfer it sent.
    seen = api_client("dispatcher").get(f"/api/intake/transfers/{t['id']}").json()
    assert seen["hand_back_incident_id"] == incident.pk


def test_a_hand_back_needing_no_field_response_is_refused_and_nothing_is_written(
    api_client, agencies, users, hotline
):
    _call, t = _transfer(api_client, agencies, users, hotline, "warm")
    _post(hotline["client"], f"/transfers/{t['id']}/answer", {"accept": True})
    refused = _post(hotline["client"], f"/transfers/{t['id']}/hand-back", {
        "call_type": "property_crime_report", "reason": "wants to report a theft",
        "answers": {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no",
                    "injury": "no", "firearm_or_vehicle_involved": "no"}})  # fmt: skip
    assert refused.status_code == 409 and "no field response" in refused.json()["detail"]
    assert HotlineTransfer.objects.get(pk=t["id"]).status == "accepted"
    assert Incident.objects.count() == 1  # only the original call's


def test_decline_needs_a_reason_and_others_see_nothing(api_client, agencies, users, hotline):
    _call, t = _transfer(api_client, agencies, users, hotline, "warm")
    assert _post(hotline["client"], f"/transfers/{t['id']}/answer",
                 {"accept": False}).status_code == 409  # fmt: skip
    declined = _post(hotline["client"], f"/transfers/{t['id']}/answer",
                     {"accept": False, "reason": "no counselor free"})  # fmt: skip
    assert declined.json()["status"] == "declined"
    # A third agency (the care team) neither sees nor touches it.
    assert api_client("responder").get(f"/api/intake/transfers/{t['id']}").status_code in (403, 404)
    assert api_client("analyst").get("/api/intake/transfers").status_code == 403


def test_one_open_transfer_per_call_and_huge_ids_are_404(api_client, agencies, users, hotline):
    call, _t = _transfer(api_client, agencies, users, hotline, "warm")
    second = _post(api_client("call_taker"), "/transfers", {
        "call_id": call.pk, "hotline": "311", "handoff": "cold",
        "to_agency_id": hotline["agency"].pk})  # fmt: skip
    assert second.status_code == 409
    assert api_client("call_taker").get(f"/api/intake/transfers/{2**63}").status_code == 404


def test_figures_from_records_made_through_the_services(api_client, agencies, users, hotline):
    """Issue 13 item 4: the hotline and virtual figures over real records, not facts."""
    from datetime import timedelta

    from django.utils import timezone

    from rightresponse.intake import selectors
    from rightresponse.intake.services import virtual_case_close

    _c1, t1 = _transfer(api_client, agencies, users, hotline, "warm")
    _c2, t2 = _transfer(api_client, agencies, users, hotline, "cold")
    for t in (t1, t2):
        _post(hotline["client"], f"/transfers/{t['id']}/answer", {"accept": True})
    _post(hotline["client"], f"/transfers/{t1['id']}/outcome", {"outcome": "resolved"})
    _post(hotline["client"], f"/transfers/{t2['id']}/hand-back", {
        "call_type": "behavioral_crisis", "answers": {"weapon": "yes"}, "reason": "weapon"})  # fmt: skip
    report = {"call_type": "property_crime_report", "answers": {
        "crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no", "injury": "no",
        "firearm_or_vehicle_involved": "no"}}  # fmt: skip
    case = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(), **report).case  # fmt: skip
    virtual_case_close(case.pk, "completed", users["call_taker"], advised_direct=True)
    now = timezone.now()
    span = (now - timedelta(hours=1), now + timedelta(minutes=1))
    h = selectors.hotline_figures([agencies["center"].pk], *span)
    assert h["hotline_transfers_from_911"] == 2
    assert h["hotline_accepted_share"] == 100.0 and h["hotline_elevated_share"] == 50.0
    assert h["hotline_speed_of_answer"] is not None
    v = selectors.virtual_reporting_figures([agencies["center"].pk], *span)
    assert v["virtual_reports_completed"] == 1 and v["virtual_911_callers_advised_direct"] == 100.0
    assert (
        selectors.hotline_figures([hotline["agency"].pk], *span)["hotline_transfers_from_911"] == 0
    )
