"""The call-taker page without a browser: roles, the HTMX partial, saving a call."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db


def test_page_is_for_emergency_communications(logged_in: Any) -> None:
    assert logged_in("call_taker").get("/triage/").status_code == 200
    assert logged_in("analyst").get("/triage/").status_code == 403


def test_recommend_partial_shows_tier_reasons_and_matrix(logged_in: Any) -> None:
    client = logged_in("dispatcher")
    response = client.post(
        "/triage/recommend/",
        {"call_type": "behavioral_crisis", "answer-weapon": "yes", "answer-violence": "no"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="badge tier-badge tier-3"' in html and "Tier 3" in html
    assert "A weapon is involved in a crisis" in html
    assert '<td class="band-extreme current" aria-current="true">Extreme 16' in html
    assert 'id="answer-weapon-yes" name="answer-weapon" value="yes" checked' in html


def test_unknown_call_type_in_partial_is_explained(logged_in: Any) -> None:
    response = logged_in("call_taker").post("/triage/recommend/", {"call_type": "ufo"})
    assert (
        response.status_code == 200
        and "unknown call type: &#x27;ufo&#x27;" in response.content.decode()
    )


def test_create_call_from_the_page(logged_in: Any) -> None:
    client = logged_in("call_taker")
    response = client.post(
        "/triage/calls/",
        {
            "call_type": "property_crime_report",
            "answer-crime_in_progress": "no",
            "answer-suspect_on_scene": "no",
            "answer-weapon": "no",
            "answer-injury": "no",
            "answer-firearm_or_vehicle_involved": "no",
            "channel": "311",
            "caller_name": "Pat",
            "address": "5 Elm St",
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.tier, call.channel, call.decision["programs"][0]) == (0, "311", "online_report")
    page = client.get(response["Location"]).content.decode()
    # Tier 0 makes no incident: the call is recorded, with no incident number to confuse.
    assert "Call recorded: tier 0 (Virtual), no field response needed." in page


def test_created_call_links_to_its_incident_by_one_number(logged_in: Any) -> None:
    from rightresponse.dispatch.models import Incident

    client = logged_in("call_taker")
    response = client.post(
        "/triage/calls/",
        {"call_type": "domestic_violence", "answer-weapon": "yes", "channel": "911",
         "address": "nowhere known", "narrative": "man has knife"},
    )  # fmt: skip
    assert response.status_code == 302
    incident = Incident.objects.get(call=Call.objects.get())
    page = client.get(response["Location"]).content.decode()
    assert (
        f'Incident <a href="/dispatch/incidents/{incident.pk}/">#{incident.pk}</a> created' in page
    )
    assert client.get(f"/dispatch/incidents/{incident.pk}/").status_code == 200


def test_create_call_refuses_bad_fields(logged_in: Any) -> None:
    client = logged_in("call_taker")
    response = client.post("/triage/calls/", {"call_type": "", "channel": "pigeon"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a call type" in html and "Select a valid choice" in html
    assert not Call.objects.exists()


def test_recommendation_links_to_services_for_the_call(logged_in: Any) -> None:
    client = logged_in("call_taker")
    html = client.post(
        "/triage/recommend/", {"call_type": "domestic_violence"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "/services/?call_type=domestic_violence&amp;category=domestic_violence" in html
    # The link lands on a directory page the call taker may open.
    directory = client.get("/services/?call_type=domestic_violence&category=domestic_violence")
    assert directory.status_code == 200
