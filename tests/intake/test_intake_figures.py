"""The virtual-reporting and hotline metrics of the catalog (issue 13 items 1 and 4; report
lines 1383-1421) computed from online reports, virtual cases and transfers made through
the real services and read on request (no snapshot, no stamp): the dashboard's figures
equal what the records say, and "not yet measured" is never shown as 0."""

from __future__ import annotations

import json
from datetime import timedelta
from statistics import mean
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rightresponse.accounts import roles as r
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create
from rightresponse.intake import services
from rightresponse.intake.models import HotlineTransfer, OnlineReport
from rightresponse.performance.selectors import Period, metric_views
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db

SAFE = {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no", "injury": "no",
        "firearm_or_vehicle_involved": "no"}  # fmt: skip
DANGER = {**SAFE, "weapon": "yes", "suspect_on_scene": "yes"}
CRISIS = {"call_type": "behavioral_crisis", "answers": {"weapon": "no", "violence": "no"}}


def _today() -> Period:
    day = timezone.localdate()
    return Period(day, day)


def _figures(*ids: str) -> dict[str, Any]:
    views = metric_views(_today())
    return {i: views[i] for i in ids}


def _value(view: Any) -> float | None:
    assert view.measured, view.needs
    return None if view.value is None else view.value.value


def _start(address: str = "203.0.113.9") -> OnlineReport:
    return services.online_report_start(sender_address=address,
                                        call_type="property_crime_report")  # fmt: skip


def _send(report: OnlineReport, answers: dict[str, str]) -> Any:
    return services.online_report_submit(
        sender_address="203.0.113.9", call_type="property_crime_report", answers=answers,
        details=CallDetails(narrative="Bike taken from the rack"), report_id=report.pk,
    )  # fmt: skip


def test_nothing_recorded_is_not_measured_never_zero(agencies) -> None:
    views = _figures("virtual_reports_initiated", "hotline_calls", "hotline_elevated_share")
    assert all(not v.measured for v in views.values())
    assert all(v.display == "Not yet measured" for v in views.values())


def test_three_online_reports_one_elevated_one_abandoned(agencies) -> None:
    sent, urgent, left, still_open = _start(), _start(), _start(), _start()
    _send(sent, SAFE)
    with pytest.raises(services.NeedsResponseNow):
        _send(urgent, DANGER)
    # An hour passes for the third one: it was never sent, so it reads as abandoned.
    OnlineReport.objects.filter(pk=left.pk).update(
        started_at=timezone.now() - timedelta(minutes=61)
    )
    assert OnlineReport.objects.get(pk=sent.pk).case is not None
    assert OnlineReport.objects.get(pk=urgent.pk).status == "elevated"
    f = _figures("virtual_reports_initiated", "virtual_reports_completed",
                 "virtual_reports_completion_rate", "virtual_reports_abandoned_share",
                 "virtual_routed_from_911", "virtual_report_completion_time")  # fmt: skip
    assert _value(f["virtual_reports_initiated"]) == 4  # the open one too
    assert _value(f["virtual_reports_completed"]) == 1
    # Of the three no longer open: one sent, one sent to 911, one abandoned.
    assert _value(f["virtual_reports_completion_rate"]) == pytest.approx(100 / 3)
    assert _value(f["virtual_reports_abandoned_share"]) == pytest.approx(100 / 3)
    assert _value(f["virtual_routed_from_911"]) == 0.0
    start = OnlineReport.objects.get(pk=sent.pk)
    minutes = (start.finished_at - start.started_at).total_seconds() / 60
    assert _value(f["virtual_report_completion_time"]) == pytest.approx(minutes, abs=1e-6)
    assert still_open.status == "initiated"


def test_a_report_is_in_the_next_requests_figures(agencies, users) -> None:
    """No stamp, no cache: each new record shows on the next read."""
    assert not _figures("virtual_reports_initiated")["virtual_reports_initiated"].measured
    services.call_intake(user=users["call_taker"], agency=agencies["center"],
                         call_type="property_crime_report", answers=SAFE,
                         details=CallDetails(channel="911"))  # fmt: skip
    f = _figures("virtual_reports_initiated", "virtual_routed_from_911", "virtual_share_of_volume")
    assert _value(f["virtual_reports_initiated"]) == 1
    assert _value(f["virtual_routed_from_911"]) == 100.0
    assert _value(f["virtual_share_of_volume"]) is None  # not completed yet: nothing handled
    case = services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                call_type="property_crime_report", answers=SAFE,
                                details=CallDetails(channel="311")).case  # fmt: skip
    services.virtual_case_take(case.pk, users["call_taker"])
    services.virtual_case_close(case.pk, "completed", users["call_taker"], advised_direct=True)
    services.call_intake(user=users["call_taker"], agency=agencies["center"], **CRISIS,
                         details=CallDetails(channel="911"))  # fmt: skip
    f = _figures("virtual_reports_initiated", "virtual_share_of_volume", "virtual_contact_time")
    assert _value(f["virtual_reports_initiated"]) == 2
    # One report handled, one incident sent: half the volume.
    assert _value(f["virtual_share_of_volume"]) == 50.0
    case.refresh_from_db()
    assert _value(f["virtual_contact_time"]) == pytest.approx(
        (case.closed_at - case.taken_at).total_seconds() / 60, abs=1e-6
    )


@pytest.fixture
def hotline() -> dict[str, Any]:
    agency = Agency.objects.create(slug="crisis-988", name="988 Lifeline", kind="county")
    counselor = user_create(username="counselor", password="x-Pass-12345", agency=agency,
                            roles=[r.CALL_TAKER])  # fmt: skip
    client = Client(headers={"Authorization": f"Bearer {token_create(counselor)}"})
    return {"agency": agency, "client": client, "user": counselor}


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    response = client.post(f"/api/intake{path}", json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_hotline_figures_from_transfers(api_client, agencies, users, hotline) -> None:
    ids = []
    for phone in ("555-0100", "555-0100", "555-0199"):
        call = services.call_intake(user=users["call_taker"], agency=agencies["center"],
                                    details=CallDetails(caller_phone=phone), **CRISIS).call  # fmt: skip
        ids.append(_post(api_client("call_taker"), "/transfers", {
            "call_id": call.pk, "hotline": "988", "handoff": "warm",
            "to_agency_id": hotline["agency"].pk})["id"])  # fmt: skip
    for t in ids:
        _post(hotline["client"], f"/transfers/{t}/answer", {"accept": True})
    _post(hotline["client"], f"/transfers/{ids[0]}/outcome", {"outcome": "resolved"})
    _post(hotline["client"], f"/transfers/{ids[1]}/outcome", {"outcome": "referred"})
    _post(hotline["client"], f"/transfers/{ids[2]}/hand-back", {
        "call_type": "behavioral_crisis", "answers": {"weapon": "yes", "violence": "yes"},
        "reason": "caller has a knife"})  # fmt: skip
    f = _figures("hotline_calls", "hotline_elevated_share", "hotline_speed_of_answer",
                 "hotline_routed_from_911", "hotline_service_connections",
                 "hotline_completed_share", "hotline_repeat_callers")  # fmt: skip
    # The hand-back is a new 988-channel call, but not a new hotline contact.
    assert _value(f["hotline_calls"]) == 3
    assert _value(f["hotline_elevated_share"]) == pytest.approx(100 / 3)
    assert _value(f["hotline_routed_from_911"]) == 100.0
    assert _value(f["hotline_service_connections"]) == pytest.approx(100 / 3)
    assert _value(f["hotline_completed_share"]) == 100.0
    assert _value(f["hotline_repeat_callers"]) == 1  # 555-0100 twice
    # The speed of answer is the transfers' own measured times.
    waits = [(t.answered_at - t.requested_at).total_seconds() / 60
             for t in HotlineTransfer.objects.all()]  # fmt: skip
    assert _value(f["hotline_speed_of_answer"]) == pytest.approx(mean(waits), abs=1e-6)
    assert f["hotline_speed_of_answer"].value.median is not None
    # A call taken directly on the 988 line is a hotline contact not routed from 911.
    services.call_intake(user=hotline["user"], agency=hotline["agency"], **CRISIS,
                         details=CallDetails(channel="988"))  # fmt: skip
    f = _figures("hotline_calls", "hotline_routed_from_911")
    assert _value(f["hotline_calls"]) == 4
    assert _value(f["hotline_routed_from_911"]) == 75.0


def test_time_to_answer_is_measured_only_with_a_ring_time(agencies, users) -> None:
    services.call_intake(user=users["call_taker"], agency=agencies["center"], **CRISIS,
                         details=CallDetails())  # fmt: skip
    assert _value(_figures("time_to_answer")["time_to_answer"]) is None  # not 0
    now = timezone.now()
    services.call_intake(user=users["call_taker"], agency=agencies["center"], **CRISIS,
                         details=CallDetails(received_at=now - timedelta(seconds=30),
                                             answered_at=now))  # fmt: skip
    assert _value(_figures("time_to_answer")["time_to_answer"]) == pytest.approx(0.5)


def test_the_dashboard_and_public_page_show_the_figures(logged_in, agencies, users) -> None:
    services.call_intake(user=users["call_taker"], agency=agencies["center"],
                         call_type="property_crime_report", answers=SAFE,
                         details=CallDetails(channel="911"))  # fmt: skip
    page = logged_in("analyst").get("/performance/metrics/virtual_reports_initiated/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not yet measured" not in html


def test_a_call_sent_on_to_a_hotline_is_a_hotline_contact_not_a_report(
    api_client, agencies, users, hotline
) -> None:
    talk = services.call_intake(
        user=users["call_taker"], agency=agencies["center"], call_type="emotional_support",
        answers={"threat_to_life": "no", "weapon": "no", "medical_emergency": "no"},
        details=CallDetails(channel="911"),
    )  # fmt: skip
    assert talk.case is not None  # Tier 0: a virtual case, as intake makes
    assert _value(_figures("virtual_reports_initiated")["virtual_reports_initiated"]) == 1
    _post(api_client("call_taker"), "/transfers", {
        "call_id": talk.call.pk, "hotline": "988", "handoff": "warm",
        "to_agency_id": hotline["agency"].pk})  # fmt: skip
    f = _figures("virtual_reports_initiated", "hotline_calls")
    assert _value(f["virtual_reports_initiated"]) == 0 and _value(f["hotline_calls"]) == 1
