"""The performance API: catalog and public figures open; values and entry need a role."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from rightresponse.performance.models import EnteredValue

pytestmark = pytest.mark.django_db


def test_catalog_export_json_and_csv(client: Any) -> None:
    data = client.get("/api/performance/catalog").json()
    assert len(data["metrics"]) >= 200
    first = data["metrics"][0]
    assert {
        "id",
        "report_line",
        "wording",
        "quadrant",
        "stage",
        "committee",
        "source",
        "breakdowns",
    } <= set(first)
    response = client.get("/api/performance/catalog", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(data["metrics"]) and rows[0]["id"] == first["id"]
    assert (
        client.get("/api/performance/catalog", {"format": "xml"}).status_code == 422
    )  # an enumeration in the spec (issue 20)


def test_values_need_a_manager(client: Any, api_client: Any, no_facts: None) -> None:
    assert client.get("/api/performance/values").status_code == 401
    assert api_client("responder").get("/api/performance/values").status_code == 403
    data = api_client("analyst").get("/api/performance/values").json()
    by_id = {v["metric_id"]: v for v in data["values"]}
    assert by_id["call_volume"]["status"] == "not_yet_measured"
    assert by_id["call_volume"]["value"] is None
    assert "incident_facts" in by_id["call_volume"]["needs"]


def test_values_from_facts_as_csv(api_client: Any, facts: dict[str, Any]) -> None:
    response = api_client("supervisor").get(
        "/api/performance/values", {"format": "csv", "start": "2000-01-01", "end": "2100-01-01"}
    )
    rows = {r["metric_id"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert float(rows["call_volume"]["value"]) == len(facts["incidents"])
    assert (
        api_client("analyst")
        .get("/api/performance/values", {"start": "2026-02-01", "end": "2026-01-01"})
        .status_code
        == 400
    )


def test_enter_a_value_through_the_api(api_client: Any, users: dict[str, Any]) -> None:
    client = api_client("analyst")
    body = {
        "metric_id": "employee_retention_rates",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "value": 91,
    }
    response = client.post("/api/performance/entered", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert EnteredValue.objects.get().entered_by == users["analyst"]
    bad = client.post(
        "/api/performance/entered", dict(body, value="ninety"), content_type="application/json"
    )
    assert bad.status_code == 400 and "value: 'ninety' is not a number" in bad.json()["detail"]
    assert (
        api_client("responder")
        .post("/api/performance/entered", body, content_type="application/json")
        .status_code
        == 403
    )


def test_public_figures_are_open(client: Any, facts: dict[str, Any]) -> None:
    data = client.get("/api/performance/public").json()
    assert data["rows"] and {"table", "metric_id", "row", "column", "value", "note"} == set(
        data["rows"][0]
    )
    # Not a quarter: the spec's pattern says so (422); a quarter not published is 400.
    assert client.get("/api/performance/public", {"period": "2026-Q9"}).status_code == 422
