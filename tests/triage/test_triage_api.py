"""The triage REST API: create, read (audited), re-triage, protocol; bad input is 4xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rightresponse.accounts.models import AuditEvent
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db

CRISIS = {
    "call_type": "behavioral_crisis",
    "answers": {"weapon": "no", "violence": "unknown"},
    "caller_name": "Jo Caller",
    "caller_phone": "555-0100",
    "address": "100 Main St",
    "latitude": 44.97,
    "longitude": -93.26,
    "area": "Precinct 3",
    "channel": "911",
    "narrative": "Man shouting at traffic, caller does not know him.",
}


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client: Any, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_create_call_stores_decision_and_protocol_version(api_client: Any) -> None:
    client = api_client("call_taker")
    response = _post(client, "/api/triage/calls", CRISIS)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["decision"]["tier"] == 2 and body["decision"]["lead"] == "civilian"
    call = Call.objects.get(pk=body["id"])
    assert call.tier == 2 and call.lead == "civilian" and call.risk_band == "moderate"
    assert call.protocol_version == body["decision"]["protocol_version"] != ""
    assert call.decision["programs"][0] == "community_responder"
    assert call.agency.slug == "test-center" and call.created_by.username == "call_taker"
    assert call.triaged_at is not None and call.answers == CRISIS["answers"]


def test_get_call_is_audited(api_client: Any) -> None:
    created = _post(api_client("call_taker"), "/api/triage/calls", CRISIS).json()
    response = api_client("dispatcher").get(f"/api/triage/calls/{created['id']}")
    assert response.status_code == 200
    assert response.json()["caller_name"] == "Jo Caller"
    event = AuditEvent.objects.get(object_type="call", object_id=str(created["id"]), action="read")
    assert event.actor.username == "dispatcher"


def test_patch_answers_retriages(api_client: Any) -> None:
    client = api_client("call_taker")
    created = _post(client, "/api/triage/calls", CRISIS).json()
    response = _patch(
        client, f"/api/triage/calls/{created['id']}/answers", {"answers": {"weapon": "yes"}}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision"]["tier"] == 3 and body["answers"]["violence"] == "unknown"
    assert Call.objects.get(pk=created["id"]).tier == 3
    assert AuditEvent.objects.filter(action="write", object_id=str(created["id"])).exists()


def test_patch_can_reclassify(api_client: Any) -> None:
    client = api_client("supervisor")
    created = _post(client, "/api/triage/calls", CRISIS).json()
    response = _patch(
        client,
        f"/api/triage/calls/{created['id']}/answers",
        {"answers": {}, "call_type": "shots_fired"},
    )
    assert response.status_code == 200 and response.json()["decision"]["tier"] == 4


def test_unknown_ids_are_422_naming_them(api_client: Any) -> None:
    client = api_client("call_taker")
    response = _post(client, "/api/triage/calls", {"call_type": "ufo", "answers": {"dog": "yes"}})
    assert response.status_code == 422
    assert "'ufo'" in response.json()["detail"] and "'dog'" in response.json()["detail"]
    assert not Call.objects.exists()


def test_wrong_types_and_oversized_fields_are_422(api_client: Any) -> None:
    client = api_client("call_taker")
    for bad in (
        {**CRISIS, "answers": {"weapon": "maybe"}},
        {**CRISIS, "answers": ["weapon"]},
        {**CRISIS, "narrative": "x" * 4001},
        {**CRISIS, "caller_name": "n" * 121},
        {**CRISIS, "latitude": 123.0},
        {**CRISIS, "channel": "pigeon"},
        {**CRISIS, "caller_name": "nul\x00byte"},
        {**CRISIS, "answers": {f"q{i}": "yes" for i in range(65)}},
    ):
        response = _post(client, "/api/triage/calls", bad)
        assert response.status_code == 422, (bad, response.content)
    assert not Call.objects.exists()


def test_roles_are_enforced(api_client: Any) -> None:
    assert _post(api_client("analyst"), "/api/triage/calls", CRISIS).status_code == 403
    assert _post(api_client("responder"), "/api/triage/decision", CRISIS).status_code == 403
    assert api_client("analyst").get("/api/triage/protocol").status_code == 200


def test_other_agencies_cannot_read_a_call(api_client: Any, users: dict[str, Any]) -> None:
    from rightresponse.accounts.models import Agency
    from rightresponse.accounts.services import token_create, user_create

    created = _post(api_client("call_taker"), "/api/triage/calls", CRISIS).json()
    other = Agency.objects.create(
        slug="elsewhere-911", name="Elsewhere 911", kind="emergency_communications"
    )
    outsider = user_create(
        username="outsider", password="x-pass-12345", agency=other, roles=["dispatcher"]
    )
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token_create(outsider)}"})
    assert client.get(f"/api/triage/calls/{created['id']}").status_code == 404
    assert client.get("/api/triage/calls/99999999999999999999").status_code in (404, 422)
    assert client.get("/api/triage/calls").json() == []


def test_decision_preview_and_protocol(api_client: Any) -> None:
    client = api_client("dispatcher")
    response = _post(client, "/api/triage/decision", {"call_type": "parking", "answers": {}})
    assert response.status_code == 200 and response.json()["tier"] == 1
    protocol = client.get("/api/triage/protocol").json()
    assert {"weapon", "violence"} <= {q["id"] for q in protocol["questions"]}
    assert any(ct["id"] == "bias_based_complaint" for ct in protocol["call_types"])
    assert {p["kind"] for p in protocol["programs"]} >= {"virtual", "civilian", "police"}


def test_list_shows_no_caller_details(api_client: Any) -> None:
    client = api_client("call_taker")
    _post(client, "/api/triage/calls", CRISIS)
    rows = client.get("/api/triage/calls").json()
    assert len(rows) == 1 and "caller_name" not in rows[0] and rows[0]["tier"] == 2


def test_protocol_is_cached_by_path_and_mtime(tmp_path: Any, settings: Any) -> None:
    import os
    import shutil

    from rightresponse.triage.protocols import active_protocol

    path = tmp_path / "city.yaml"
    shutil.copy(settings.RIGHTRESPONSE_PROTOCOL, path)
    first = active_protocol(str(path))
    assert active_protocol(str(path)) is first
    text = path.read_text().replace('version: "2026.12-default-3"', 'version: "city-2"')
    path.write_text(text)
    os.utime(path, ns=(1, os.stat(path).st_mtime_ns + 10**9))
    assert active_protocol(str(path)).version == "city-2"
