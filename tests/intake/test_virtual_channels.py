"""Tier 0 as real channels (issue 13 item 2): the public online report and the
phone-report queue, tracked initiated -> completed / abandoned / elevated."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rightresponse.dispatch.models import Incident
from rightresponse.intake.models import VirtualCase
from rightresponse.intake.services import (
    CaseConflict,
    call_intake,
    virtual_case_close,
    virtual_case_elevate,
    virtual_case_take,
)
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db

SAFE = {"answer-crime_in_progress": "no", "answer-suspect_on_scene": "no",
        "answer-weapon": "no", "answer-injury": "no",
        "answer-firearm_or_vehicle_involved": "no"}  # fmt: skip
PROPERTY_REPORT = {
    "call_type": "property_crime_report",
    "answers": {k.removeprefix("answer-"): v for k, v in SAFE.items()},
}


def _report(client: Client, **extra: str) -> Any:
    data = {"call_type": "property_crime_report", "description": "Bike taken from the rack",
            "address": "5 Elm St", **SAFE, **extra}  # fmt: skip
    return client.post("/report/", data, REMOTE_ADDR="203.0.113.9")


def test_the_public_form_lists_only_tier0_reports(agencies) -> None:
    html = Client().get("/report/").content.decode()
    assert "Bicycle" in html or "Property crime" in html or "property_crime_report" in html
    assert "behavioral_crisis" not in html
    assert "Call 911" in html


def test_an_online_report_becomes_a_virtual_case_and_says_how_to_report_next_time(
    agencies,
) -> None:
    response = _report(Client())
    html = response.content.decode()
    assert response.status_code == 200 and 'id="report-done"' in html
    case = VirtualCase.objects.get()
    assert (case.channel, case.status, case.call.tier) == ("online", "initiated", 0)
    assert case.agency == agencies["center"] and case.advised_direct
    assert f"<strong>{case.pk}</strong>" in html and "311" in html
    assert not Incident.objects.exists()


def test_an_online_report_of_danger_is_told_to_call_911_and_not_filed(agencies) -> None:
    response = _report(Client(), **{"answer-weapon": "yes", "answer-suspect_on_scene": "yes"})
    html = response.content.decode()
    assert 'id="urgent"' in html and "Please call 911 now" in html
    assert not Call.objects.exists() and not VirtualCase.objects.exists()


def test_bots_and_floods_are_refused(agencies) -> None:
    client = Client()
    assert _report(client, website="http://spam").status_code == 400
    assert not VirtualCase.objects.exists()
    for _ in range(5):
        assert _report(client).status_code == 200
    flood = _report(client)
    assert flood.status_code == 429 and "too many reports" in flood.content.decode()
    assert VirtualCase.objects.count() == 5


def test_a_report_needs_a_description(agencies) -> None:
    response = _report(Client(), description="")
    assert response.status_code == 400 and not VirtualCase.objects.exists()


def test_the_queue_takes_completes_and_records_the_advice(agencies, users) -> None:
    case = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(), **PROPERTY_REPORT).case  # fmt: skip
    assert case is not None
    taker = users["call_taker"]
    virtual_case_take(case.pk, taker)
    with pytest.raises(CaseConflict, match="already taken"):
        virtual_case_take(case.pk, taker)
    virtual_case_close(case.pk, "completed", taker, "report written", advised_direct=True)
    case.refresh_from_db()
    assert case.status == "completed" and case.advised_direct
    assert case.opened_at <= case.taken_at <= case.closed_at
    with pytest.raises(CaseConflict, match="cannot go from 'completed' to 'abandoned'"):
        virtual_case_close(case.pk, "abandoned", taker)


def test_elevation_makes_the_incident_and_links_it(agencies, users) -> None:
    case = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(), **PROPERTY_REPORT).case  # fmt: skip
    with pytest.raises(CaseConflict, match="needs a reason"):
        virtual_case_elevate(case.pk, users["call_taker"], call_type="behavioral_crisis",
                             answers={}, reason=" ")  # fmt: skip
    result = virtual_case_elevate(case.pk, users["call_taker"], call_type="behavioral_crisis",
                                  answers={}, reason="caller now says he is hurting himself")  # fmt: skip
    case.refresh_from_db()
    assert case.status == "elevated" and case.elevated_incident == result.incident
    assert result.incident is not None and result.incident.call_id == case.call_id


def test_another_agency_cannot_touch_a_case(agencies, users) -> None:
    case = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(), **PROPERTY_REPORT).case  # fmt: skip
    with pytest.raises(LookupError):
        virtual_case_take(case.pk, users["responder"])


def test_queue_page_for_call_takers_only(logged_in, agencies, users) -> None:
    call_intake(user=users["call_taker"], agency=agencies["center"], details=CallDetails(),
                **PROPERTY_REPORT)  # fmt: skip
    html = logged_in("call_taker").get("/intake/").content.decode()
    assert "Report queue" in html and 'id="case-' in html and "311" in html
    assert logged_in("analyst").get("/intake/").status_code == 403


def test_queue_page_actions(logged_in, agencies, users) -> None:
    case = call_intake(user=users["call_taker"], agency=agencies["center"],
                       details=CallDetails(), **PROPERTY_REPORT).case  # fmt: skip
    client = logged_in("call_taker")
    client.post(f"/intake/cases/{case.pk}/take/")
    response = client.post(f"/intake/cases/{case.pk}/close/",
                           {"status": "abandoned", "note": "no answer on callback"}, follow=True)  # fmt: skip
    case.refresh_from_db()
    assert case.status == "abandoned" and case.taken_at is not None
    refused = client.post(f"/intake/cases/{case.pk}/close/", {"status": "completed"}, follow=True)
    assert "cannot go from" in refused.content.decode()
    assert response.status_code == 200


def test_choosing_a_report_starts_it_and_sending_completes_it(agencies) -> None:
    """Issue 13 item 4: a started report is a record with no personal data; sending it
    completes that record (a forged start token starts a fresh one instead)."""
    from urllib.parse import parse_qs, urlparse

    from rightresponse.intake.models import OnlineReport

    client = Client()
    response = client.post("/report/start/", {"call_type": "property_crime_report"},
                           REMOTE_ADDR="203.0.113.9")  # fmt: skip
    assert response.status_code == 302
    started = OnlineReport.objects.get()
    assert (started.status, started.case, started.category) == ("initiated", None, "property_crime")
    token = parse_qs(urlparse(response["Location"]).query)["started"][0]
    page = client.get(response["Location"]).content.decode()
    assert f'name="started" value="{token}"' in page
    assert _report(client, started=token).status_code == 200
    started.refresh_from_db()
    assert started.status == "completed" and started.case == VirtualCase.objects.get()
    _report(client, started=token + "x")
    assert OnlineReport.objects.count() == 2 and VirtualCase.objects.count() == 2
    # A kind of report the form does not take is refused, naming why; nothing starts.
    refused = client.post("/report/start/", {"call_type": "behavioral_crisis"})
    assert refused.status_code == 400 and "choose one of the kinds" in refused.content.decode()
    assert OnlineReport.objects.count() == 2
