"""The dispatch API: roles, idempotency keys, 4xx with messages, EIDD round trip."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.dispatch.models import (
    Assignment,
    Incident,
    IncidentEvent,
    LocationHazard,
)

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any, **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_dispatcher_flow_over_the_api(api_client: Any, make_call: Any, units: dict) -> None:
    dispatcher = api_client("dispatcher")
    call = make_call("welfare_check")
    created = post(dispatcher, "/api/dispatch/incidents", {"call_id": call.pk})
    assert created.status_code == 200  # the incident was made when the call was triaged
    incident_id = created.json()["id"]
    waiting = dispatcher.get("/api/dispatch/incidents?status=waiting").json()
    assert [i["id"] for i in waiting] == [incident_id]
    rec = dispatcher.get(f"/api/dispatch/incidents/{incident_id}/recommendation").json()
    top = rec["candidates"][0]
    assert top["call_sign"] == "CARE-1" and top["reasons"]
    url = f"/api/dispatch/incidents/{incident_id}"
    assigned = post(dispatcher, f"{url}/assign", {"unit_id": top["unit_id"]})
    assert assigned.status_code == 200 and assigned.json()["status"] == "dispatched"
    assert post(dispatcher, f"{url}/status", {"status": "on_scene"}).status_code == 200
    closed = post(dispatcher, f"{url}/close",
                  {"disposition": "Checked, fine", "outcome": "resolved_on_scene", "referrals_made": 1})  # fmt: skip
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    refused = post(dispatcher, f"{url}/status", {"status": "en_route"})
    assert refused.status_code == 409
    assert "'closed' to 'en_route'" in refused.json()["detail"]


def test_idempotency_key_makes_a_retry_do_nothing_twice(
    api_client: Any, make_incident: Any, units: dict
) -> None:
    dispatcher = api_client("dispatcher")
    incident = make_incident()
    url = f"/api/dispatch/incidents/{incident.pk}/assign"
    body = {"unit_id": units["CARE-2"].pk, "override_reason": "closer by radio"}
    first = post(dispatcher, url, body, **{"Idempotency-Key": "abc-1"})
    again = post(dispatcher, url, body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert Assignment.objects.filter(incident=incident).count() == 1
    assert IncidentEvent.objects.filter(incident=incident, kind="assign").count() == 1
    # Without the key the retry is a second request, which the busy unit refuses.
    assert post(dispatcher, url, body).status_code == 409
    other = post(dispatcher, url, {**body, "override_reason": "x"}, **{"Idempotency-Key": "abc-1"})
    assert other.status_code == 422 and "another request" in other.json()["detail"]


def test_bad_input_is_a_4xx_with_a_reason(api_client: Any, make_incident: Any, units: dict) -> None:
    dispatcher = api_client("dispatcher")
    incident = make_incident()
    url = f"/api/dispatch/incidents/{incident.pk}"
    assert (
        post(dispatcher, f"{url}/assign", {"unit_id": units["PD-2"].pk}).status_code == 409
    )  # the live recommendation disagrees (issue 20)
    assert post(dispatcher, f"{url}/escalate", {"tier": 9, "reason": "x"}).status_code == 422
    assert (
        post(dispatcher, f"{url}/reclassify", {"call_type": "nope", "reason": "x"}).status_code
        == 422
    )
    assert (
        post(dispatcher, f"{url}/close", {"disposition": "\x00", "outcome": "arrest"}).status_code
        == 422
    )
    assert dispatcher.get("/api/dispatch/incidents/999999").status_code == 404
    assert dispatcher.get(f"/api/dispatch/incidents/{2**70}").status_code in (404, 422)
    # A unit status outside the vocabulary (a NUL byte made PostgreSQL fail: 500) is a 422.
    assert dispatcher.get("/api/dispatch/units?status=%00").status_code == 422
    listed = dispatcher.get("/api/dispatch/units?status=available")
    assert listed.status_code == 200 and {u["status"] for u in listed.json()} <= {"available"}


def test_roles_are_enforced(api_client: Any, make_incident: Any, units: dict) -> None:
    incident = make_incident()
    analyst = api_client("analyst")
    assert analyst.get("/api/dispatch/incidents").status_code == 403
    url = f"/api/dispatch/incidents/{incident.pk}/assign"
    assert post(api_client("responder"), url, {"unit_id": units["CARE-1"].pk}).status_code == 403
    # A responder sees and acts only on incidents their unit is on: any other answers as
    # a missing one (no existence oracle).
    responder = api_client("responder")
    other = make_incident()
    assert responder.get(f"/api/dispatch/incidents/{other.pk}").status_code == 404
    post(api_client("dispatcher"), url, {"unit_id": units["CARE-1"].pk})
    mine = responder.get(f"/api/dispatch/incidents/{incident.pk}")
    assert mine.status_code == 200 and mine.json()["units"][0]["call_sign"] == "CARE-1"
    assert post(responder, f"/api/dispatch/incidents/{incident.pk}/status",
                {"status": "en_route"}).status_code == 200  # fmt: skip
    assert post(responder, f"/api/dispatch/units/{units['PD-1'].pk}/status",
                {"status": "out_of_service"}).status_code == 403  # fmt: skip


def test_hazard_flags_for_responders_details_for_supervisors_audited(
    api_client: Any, make_incident: Any, units: dict, agencies: dict
) -> None:
    incident = make_incident()
    LocationHazard.objects.create(agency=agencies["police"], latitude=incident.latitude,
                                  longitude=incident.longitude, flag="violent propensity",
                                  detail="Threatened staff with a knife in 2025")  # fmt: skip
    previous = make_incident()
    url = f"/api/dispatch/incidents/{incident.pk}/location"
    seen = api_client("dispatcher").get(url).json()
    assert seen["hazards"] == [{"flag": "violent propensity"}]
    assert previous.pk in [h["incident_id"] for h in seen["history"]]
    full = api_client("supervisor").get(url).json()
    assert full["hazards"][0]["detail"].startswith("Threatened")
    assert AuditEvent.objects.filter(object_type="location_hazard", action="read").count() == 1


def test_eidd_export_then_import_round_trips(
    api_client: Any, make_incident: Any, units: dict, users: dict
) -> None:
    from rightresponse.dispatch import services

    incident = make_incident("trespass")
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    services.incident_change_tier(incident.pk, 3, users["dispatcher"], "refused to leave, armed")
    services.incident_close(incident.pk, users["dispatcher"], disposition="removed",
                            outcome="report_taken", referrals_made=1)  # fmt: skip
    doc = api_client("supervisor").get(f"/api/dispatch/incidents/{incident.pk}/eidd").json()
    assert doc["incidentComponent"]["incidentStatusCommonRegistryText"] == "Closed"
    imported = post(api_client("supervisor"), "/api/dispatch/eidd", doc)
    assert imported.status_code == 201, imported.content
    copy = Incident.objects.get(pk=imported.json()["id"])
    incident.refresh_from_db()
    assert incident.escalated and incident.lead_switches == 1
    for field in ("call_type", "initial_call_type", "category", "tier", "initial_tier", "lead",
                  "initial_lead", "escalated", "lead_switches", "address", "area", "received_at",
                  "dispatched_at", "cleared_at", "closed_at", "status"):  # fmt: skip
        assert getattr(copy, field) == getattr(incident, field), field
    assert copy.disposition.outcome == "report_taken" and copy.disposition.referrals_made == 1
    assert copy.assignments.get().unit == units["CARE-1"]
    again = post(api_client("supervisor"), "/api/dispatch/eidd", doc)
    assert again.status_code == 409
    broken = post(api_client("supervisor"), "/api/dispatch/eidd", {"incidentComponent": {}})
    assert (
        broken.status_code == 422 and "incidentStatusCommonRegistryText" in broken.json()["detail"]
    )


def test_people_on_an_incident_least_information_and_audited(
    api_client: Any, make_incident: Any, units: dict, users: dict, agencies: dict
) -> None:
    from rightresponse.dispatch import services
    from rightresponse.people.models import Person

    incident = make_incident()
    jo = Person.objects.create(owner_agency=agencies["care"], given_name="Jo", family_name="Doe",
                               behavioural_flags=["hears voices"], what_works="calm voice")  # fmt: skip
    victim = Person.objects.create(owner_agency=agencies["care"], given_name="Vi",
                                   is_protected_victim=True)  # fmt: skip
    services.incident_link_person(incident.pk, jo.pk, "subject", users["dispatcher"])
    services.incident_link_person(incident.pk, victim.pk, "victim", users["dispatcher"])
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    url = f"/api/dispatch/incidents/{incident.pk}/people"
    # The care team owns both records: its responder on the incident sees what a
    # responder needs and the name (never phone or demographics, even for its own).
    seen = api_client("responder").get(url).json()
    assert seen[0]["behavioural_flags"] == ["hears voices"] and seen[0]["family_name"] == "Doe"
    assert seen[0]["basis"] == "own_agency" and "phone" not in seen[0]
    assert seen[1]["given_name"] == "Vi"
    # The 911 center dispatching it, without consent: the emergency minimum, no family
    # name, and nothing of the victim-service record (VAWA), for supervisors too.
    dispatched = api_client("dispatcher").get(url).json()
    assert dispatched[0]["basis"] == "emergency" and "family_name" not in dispatched[0]
    assert dispatched[0]["what_works"] == "calm voice"
    assert dispatched[1] == {"role": "victim", "withheld": True}
    assert api_client("supervisor").get(url).json()[1] == {"role": "victim", "withheld": True}
    assert AuditEvent.objects.filter(person_id=jo.pk, action="read").count() == 3
    assert api_client("analyst").get(url).status_code == 403


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        # The typed EIDD schema (dispatch/eidd_schema.py) names the field (issue 20).
        (
            ("notesComponent",),
            [{"noteTimestamp": None, "noteFromText": {"x": 1}}],
            "notesComponent.0.noteFromText",
        ),
        (
            ("dispositionComponent", "referralsMadeCount"),
            "many",
            "dispositionComponent.referralsMadeCount",
        ),
        (("incidentComponent", "incidentPriorityCode"), 99, "incidentPriorityCode"),
        (("locationComponent",), {"not": "a list"}, "locationComponent"),
        (("incidentComponent", "incidentLeadText"), "mayor", "incidentLeadText"),
        (
            ("eligibleNotServedExtension",),
            [{"programText": "x", "reasonCode": "weather"}],
            "eligibleNotServedExtension.0.reasonCode",
        ),
        (  # found by Schemathesis: a program listed twice was a 500 (unique constraint)
            ("eligibleNotServedExtension",),
            [{"programText": "crisis_team", "reasonCode": "off_hours"}] * 2,
            "more than once",
        ),
    ],
)
def test_malformed_eidd_documents_are_422_never_500(
    api_client: Any,
    make_incident: Any,
    units: dict,
    users: dict,
    path: tuple,
    value: Any,
    expected: str,
) -> None:
    from rightresponse.dispatch import services

    incident = make_incident()
    services.incident_close(incident.pk, users["dispatcher"], disposition="x", outcome="referred")
    supervisor = api_client("supervisor")
    doc = supervisor.get(f"/api/dispatch/incidents/{incident.pk}/eidd").json()
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    response = post(supervisor, "/api/dispatch/eidd", doc)
    assert response.status_code == 422, response.content
    assert expected in response.json()["detail"]
