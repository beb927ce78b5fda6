"""Every API error is an RFC 9457 problem, and the spec says so on every operation (issue 20)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from rightresponse.config.api import api
from rightresponse.triage import api as triage_api

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:rightresponse:problem:")
    assert body["title"] and body["detail"]
    assert "Traceback" not in body["detail"]
    return body


@pytest.mark.django_db
def test_validation_errors_name_the_location_field_and_reason(api_client: Any) -> None:
    response = api_client("dispatcher").post(
        "/api/dispatch/incidents", {"call_id": "seven"}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert body["type"] == "urn:rightresponse:problem:validation-error"
    [error] = body["errors"]
    assert error["location"] == "body" and error["field"] == "call_id"
    assert "integer" in error["reason"]
    assert "call_id" in body["detail"]


@pytest.mark.django_db
def test_auth_permission_not_found_and_malformed_body(api_client: Any) -> None:
    missing = Client().get("/api/triage/calls")
    assert_problem(missing, 401)
    assert missing["WWW-Authenticate"] == "Bearer"
    assert_problem(Client(headers={"Authorization": "Bearer nope"}).get("/api/auth/me"), 401)
    assert_problem(api_client("analyst").get("/api/triage/calls"), 403)
    assert_problem(api_client("call_taker").get("/api/triage/calls/12345"), 404)
    garbage = api_client("call_taker").post(
        "/api/triage/calls", '{"call_type": ', content_type="application/json"
    )
    assert "not valid JSON" in assert_problem(garbage, 400)["detail"]


@pytest.mark.django_db
def test_a_json_body_sent_as_text_is_415_and_creates_nothing(api_client: Any) -> None:
    from rightresponse.triage.models import Call

    response = api_client("call_taker").post(
        "/api/triage/calls", '{"call_type": "welfare_check"}', content_type="text/plain"
    )
    assert "application/json" in assert_problem(response, 415)["detail"]
    assert Call.objects.count() == 0


@pytest.mark.django_db
def test_a_locked_database_is_503_with_retry_after_and_a_crash_is_a_bare_500(
    api_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(user: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(triage_api, "calls_recent", locked)
    busy = api_client("call_taker").get("/api/triage/calls")
    assert_problem(busy, 503)
    assert int(busy["Retry-After"]) >= 1

    def crash(user: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(triage_api, "calls_recent", crash)
    body = assert_problem(api_client("call_taker").get("/api/triage/calls"), 500)
    assert "secret internals" not in body["detail"]


@pytest.mark.django_db  # the spec lists the active protocol's call types
def test_every_operation_documents_its_error_codes_as_problems() -> None:
    schema = api.get_openapi_schema()
    assert "Problem" in schema["components"]["schemas"]
    operations = [
        (path, method, op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 48
    for path, method, op in operations:
        codes = {str(c) for c in op["responses"]}
        assert {"500", "503"} <= codes, (method, path)
        if op.get("security"):
            assert {"401", "403"} <= codes, (method, path)
        if op.get("parameters") or op.get("requestBody"):
            assert {"400", "422"} <= codes, (method, path)
        if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
            assert "415" in codes, (method, path)
        for code in codes - {"200", "201", "204"}:
            content = op["responses"][code]["content"]
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    token = schema["paths"]["/api/auth/token"]["post"]["responses"]
    assert "Retry-After" in token["429"]["headers"]
