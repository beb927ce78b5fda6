"""The hand-made bad inputs of issue 20, each with the 4xx it must get, on a live server.

Before: 500 (integer overflow, year 0001 in +14:00, a 0001-9999 period), or accepted
(``true`` read as 1, a bare number as a body, a number read as Unix time, a JSON body sent
as text/plain, calls dated in years 0001-9999). Each answer is a problem document that
names the field.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from live_api import LiveServer

pytestmark = pytest.mark.slow

TOO_BIG = 2**63  # one more than the largest 64-bit integer


class Client:
    def __init__(self, live: LiveServer, role: str) -> None:
        self.url = live.url
        self.headers = {"Authorization": f"Bearer {live.token(role)}"}

    def __call__(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {**self.headers, **(headers or {})}
        return requests.request(method, self.url + path, headers=headers, timeout=60, **kwargs)


@pytest.fixture(scope="module")
def as_role(live: LiveServer) -> Any:
    clients: dict[str, Client] = {}

    def make(role: str) -> Client:
        if role not in clients:
            clients[role] = Client(live, role)
        return clients[role]

    return make


def problem(response: requests.Response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields or field in body["detail"], (field, body)
    return body


def call(**extra: Any) -> dict[str, Any]:
    return {"call_type": "welfare_check", "answers": {}, **extra}


def test_integers_beyond_the_database_are_422(as_role: Any) -> None:
    provider = as_role("provider")
    service = provider("GET", "/api/ecosystem/services").json()[0]["id"]
    url = f"/api/ecosystem/services/{service}/capacity"
    for body, field in [
        ({"available": 1, "maximum": TOO_BIG}, "maximum"),
        ({"available": 1, "waitlist": TOO_BIG}, "waitlist"),
        ({"available": 2**31}, "available"),  # PositiveIntegerField on PostgreSQL
    ]:
        problem(provider("PATCH", url, json=body), 422, field)
    responder = as_role("dispatcher")
    referral = {"service_id": service, "source": "incident", "incident_id": TOO_BIG,
                "family_name": "Test"}  # fmt: skip
    problem(responder("POST", "/api/ecosystem/referrals", json=referral), 422, "incident_id")


@pytest.mark.parametrize(
    "received_at",
    [
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00Z",
        "8208-03-01T12:00:00Z",
        "9198-07-04T00:00:00Z",
        "9999-12-31T23:59:59Z",
    ],
)
def test_calls_dated_outside_any_sane_year_are_422(as_role: Any, received_at: str) -> None:
    response = as_role("calltaker")("POST", "/api/triage/calls", json=call(received_at=received_at))
    problem(response, 422, "received_at")


def test_a_call_is_received_within_the_window_around_now(as_role: Any) -> None:
    taker = as_role("calltaker")
    now = datetime.now(UTC)
    late = (now - timedelta(days=30)).isoformat()
    assert taker("POST", "/api/triage/calls", json=call(received_at=late)).status_code == 201
    # The configured window (defaults: 50 years back, 24 hours ahead).
    for when in (now - timedelta(days=365 * 51), now + timedelta(days=2)):
        response = taker("POST", "/api/triage/calls", json=call(received_at=when.isoformat()))
        assert "received_at" in problem(response, 422)["detail"]
    # No time zone: ambiguous, refused rather than guessed.
    naive = (now - timedelta(hours=1)).replace(tzinfo=None).isoformat()
    problem(taker("POST", "/api/triage/calls", json=call(received_at=naive)), 422)


def test_an_analysis_period_out_of_bounds_is_422(as_role: Any) -> None:
    analyst = as_role("analyst")
    response = analyst("GET", "/api/performance/values?start=0001-01-01&end=9999-12-31")
    problem(response, 422, "start")
    ok = analyst("GET", "/api/performance/values?start=2026-01-01&end=2026-03-31")
    assert ok.status_code == 200, ok.text[:300]


def test_numbers_are_not_dates_and_booleans_are_not_integers(as_role: Any) -> None:
    analyst = as_role("analyst")
    problem(analyst("GET", "/api/ecosystem/facts/referrals?start=1700000000"), 422, "start")
    problem(analyst("GET", "/api/performance/values?start=20260101"), 422, "start")
    dispatcher = as_role("dispatcher")
    problem(dispatcher("POST", "/api/dispatch/incidents", json={"call_id": True}), 422, "call_id")
    problem(dispatcher("POST", "/api/dispatch/incidents", json={"call_id": "1"}), 422, "call_id")
    taker = as_role("calltaker")
    problem(taker("POST", "/api/triage/calls", json=call(received_at=1796579732)), 422)


def test_a_bare_number_is_not_a_consent_revocation(as_role: Any) -> None:
    dispatcher = as_role("dispatcher")
    person = next(
        p["person_id"]
        for i in dispatcher("GET", "/api/dispatch/incidents").json()
        for p in dispatcher("GET", f"/api/dispatch/incidents/{i['id']}/people").json()
        if "person_id" in p
    )
    grant = {"person_id": person, "organisations": ["safe-harbor"], "purposes": ["referral"],
             "data_categories": ["identity"], "informed": True, "method": "written", "person_present": True}  # fmt: skip
    consent = dispatcher("POST", "/api/ecosystem/consents", json=grant)
    assert consent.status_code == 201, consent.text[:300]
    url = f"/api/ecosystem/consents/{consent.json()['id']}/revoke"
    for body in ("5", "true", '"revoke"', "[]"):
        response = dispatcher("POST", url, data=body, headers={"Content-Type": "application/json"})
        problem(response, 422)
    listed = dispatcher("GET", f"/api/ecosystem/people/{person}/consents").json()
    assert [c["revoked_at"] for c in listed if c["id"] == consent.json()["id"]] == [None]


def test_a_json_body_sent_as_text_creates_nothing(as_role: Any) -> None:
    taker = as_role("calltaker")
    before = len(taker("GET", "/api/triage/calls").json())
    response = taker("POST", "/api/triage/calls", data='{"call_type": "welfare_check"}',
                     headers={"Content-Type": "text/plain"})  # fmt: skip
    problem(response, 415)
    assert len(taker("GET", "/api/triage/calls").json()) == before


def test_rules_the_spec_states_are_the_rules_the_server_applies(as_role: Any) -> None:
    dispatcher = as_role("dispatcher")
    incident = dispatcher("GET", "/api/dispatch/incidents").json()[0]["id"]
    base = f"/api/dispatch/incidents/{incident}"
    problem(dispatcher("POST", f"{base}/backup", json={"reason": ""}), 422, "reason")
    problem(dispatcher("POST", f"{base}/backup", json={"reason": "   "}), 422, "reason")
    problem(dispatcher("POST", f"{base}/backup", json={"reason": "a\x00b"}), 422, "reason")
    problem(dispatcher("POST", f"{base}/reclassify", json={"call_type": "ufo", "reason": "x"}), 422)
    problem(dispatcher("POST", f"{base}/close", json={"disposition": "done", "outcome": "won"}),
            422, "outcome")  # fmt: skip
    problem(
        dispatcher("POST", f"{base}/people", json={"person_id": 1, "role": "boss"}), 422, "role"
    )
    problem(dispatcher("POST", f"{base}/status", json={"status": "flying"}), 422, "status")
    spec = requests.get(dispatcher.url + "/api/openapi.json", timeout=30).json()["components"]
    schemas = spec["schemas"]
    assert "welfare_check" in schemas["CallIn"]["properties"]["call_type"]["enum"]
    assert schemas["CloseIn"]["properties"]["outcome"]["enum"]
    assert schemas["PersonIn"]["properties"]["role"]["enum"]
    assert schemas["ReasonIn"]["properties"]["reason"]["minLength"] == 1
    assert schemas["CapacityIn"]["properties"]["available"]["maximum"] == 2**31 - 1
