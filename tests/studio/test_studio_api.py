"""The studio through the API: draft, validate, diff, impact, submit, approve, rollback."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from studio_helpers import VIOLENT_TRESPASS, lower_care_violence_rule

from rightresponse.accounts.services import token_create
from rightresponse.dispatch.models import Incident
from rightresponse.intake.services import call_intake
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

pytestmark = pytest.mark.django_db


def call_create(**kwargs: Any) -> Call:
    """A call taken through the intake action (call, decision, incident or case)."""
    return call_intake(**kwargs).call


def _client(user: Any) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_create(user)}"})


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_the_whole_flow_through_the_api(studio_users: dict[str, Any]) -> None:
    author, approver = _client(studio_users["author"]), _client(studio_users["approver"])
    agency = studio_users["author"].profile.agency
    calls = [call_create(user=None, agency=agency, details=CallDetails(), **VIOLENT_TRESPASS)
             for _ in range(6)]  # fmt: skip
    call_create(user=None, agency=agency, details=CallDetails(), call_type="noise_complaint",
                answers={"violence": "no", "weapon": "no"})  # fmt: skip
    Incident.objects.filter(call=calls[0]).update(backup_requested=True)

    created = _send(author, "post", "/api/studio/versions", {"note": "care violence"})
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["state"] == "draft" and draft["valid"] and draft["examples_total"] > 0

    # Live validation: a broken text names the place; nothing is saved.
    broken = _send(author, "post", "/api/studio/validate", {"yaml": "version: 1\nname: x\n"})
    assert broken.status_code == 200 and not broken.json()["valid"]
    assert broken.json()["problems"][0]["path"] == "(top level)"

    saved = _send(author, "put", f"/api/studio/versions/{draft['id']}",
                  {"yaml": lower_care_violence_rule(draft["yaml"])})  # fmt: skip
    assert saved.status_code == 200 and saved.json()["valid"], saved.content

    diff = author.get(f"/api/studio/diff?to_id={draft['id']}").json()
    texts = [c["text"] for c in diff["changes"]]
    assert "Tier rule violence_in_care_call: tier: 3 → 2" in texts
    assert diff["before"] == "the protocol file"

    impact = author.get(f"/api/studio/versions/{draft['id']}/impact").json()
    assert impact["total"] == 7 and impact["moved"] == 6
    (moved,) = impact["movements"]
    assert moved["call_type"] == "trespass"
    assert moved["transitions"] == [{"from": 3, "to": 2, "calls": 6}]
    (flag,) = impact["safety"]
    assert flag["call_type"] == "trespass" and flag["history"]["backup"] == 1
    # Workload per program and shift: all 7 calls, before and after; no dispatch times
    # here, so the hours are not measurable (null), never 0.
    workload = impact["workload"]
    assert (
        sum(w["before"]["calls"] for w in workload)
        == 7
        == sum(w["after"]["calls"] for w in workload)
    )
    assert {w["shift"] for w in workload} <= {"day", "evening", "night"}
    assert all(w["before"]["unit_hours"] is None for w in workload)
    police = {s["key"]: s for s in impact["leads"]["before"]}["police"]
    assert police["count"] == 6 and police["ci95"][0] < 6 / 7 < police["ci95"][1]

    submitted = _send(author, "post", f"/api/studio/versions/{draft['id']}/submit")
    assert submitted.json()["state"] == "submitted"
    own = _send(author, "post", f"/api/studio/versions/{draft['id']}/approve")
    assert own.status_code == 403  # an author holds no approver role
    effective = timezone.now() + timedelta(hours=1)
    approved = _send(approver, "post", f"/api/studio/versions/{draft['id']}/approve",
                     {"effective_at": effective.isoformat()})  # fmt: skip
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "scheduled"

    versions = author.get("/api/studio/versions").json()
    baseline = next(v for v in versions if v["state"] == "live")
    assert baseline["version"] == "2026.12-default-3"
    rollback = _send(approver, "post", f"/api/studio/versions/{baseline['id']}/rollback")
    assert rollback.status_code == 200 and rollback.json()["state"] == "live"
    assert author.get(f"/api/studio/versions/{draft['id']}").json()["status"] == "retired"


def test_refusals_are_4xx_with_the_reason(studio_users: dict[str, Any], api_client: Any) -> None:
    author = _client(studio_users["author"])
    assert author.get("/api/studio/versions/999").status_code == 404
    draft = _send(author, "post", "/api/studio/versions").json()
    saved = _send(author, "put", f"/api/studio/versions/{draft['id']}", {"yaml": "rules: [\n"})
    assert saved.status_code == 200 and not saved.json()["valid"]
    refused = _send(author, "post", f"/api/studio/versions/{draft['id']}/submit")
    assert refused.status_code == 409 and "problem" in refused.json()["detail"]
    # The request is valid; the version's state is what refuses it: 409, documented.
    impact = author.get(f"/api/studio/versions/{draft['id']}/impact")
    assert impact.status_code == 409 and "does not validate" in impact.json()["detail"]
    diff = author.get(f"/api/studio/diff?to_id={draft['id']}")
    assert diff.status_code == 409
    # Roles: a call taker may not read or write protocol versions.
    assert api_client("call_taker").get("/api/studio/versions").status_code == 403
    # The author cannot approve even when granted the approver role too (two-person rule).
    from django.contrib.auth.models import Group

    studio_users["author2"].groups.add(Group.objects.get(name="protocol_approver"))
    other = _send(author, "post", "/api/studio/versions").json()
    text = lower_care_violence_rule(other["yaml"])
    _send(_client(studio_users["author2"]), "put", f"/api/studio/versions/{other['id']}",
          {"yaml": text})  # fmt: skip
    _send(author, "post", f"/api/studio/versions/{other['id']}/submit")
    own = _send(_client(studio_users["author2"]), "post",
                f"/api/studio/versions/{other['id']}/approve")  # fmt: skip
    assert own.status_code == 409 and "Two-person rule" in own.json()["detail"]


# The preview reads the outcome history in a second thread (its own connection): the
# data must be committed, as it is in production.
@pytest.mark.django_db(transaction=True)
def test_impact_replays_an_imported_dataset_too(studio_users: dict[str, Any]) -> None:
    """The shipped sample of real Seattle calls, imported as a city would; every call is
    either replayed (by its mapped call type and implied answers) or counted as unmapped."""
    from io import StringIO

    from django.core.management import call_command

    from rightresponse.analytics.selectors import SAMPLES_DIR

    sample = SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"
    call_command("import_calls", str(sample), "--profile", "seattle-call-data", "--no-progress",
                 stdout=StringIO())  # fmt: skip
    with sample.open(encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    author = _client(studio_users["author"])
    draft = _send(author, "post", "/api/studio/versions").json()
    _send(author, "put", f"/api/studio/versions/{draft['id']}",
          {"yaml": lower_care_violence_rule(draft["yaml"])})  # fmt: skip
    impact = author.get(f"/api/studio/versions/{draft['id']}/impact").json()
    (dataset,) = impact["datasets"]
    assert dataset["dataset"] == "seattle-call-data" or dataset["title"]
    assert dataset["total"] > 0 and dataset["total"] + dataset["unmapped"] <= rows
    tiers = {s["key"]: s["count"] for s in dataset["tiers"]["before"]}
    assert sum(tiers.values()) == dataset["total"]
    page = _client(studio_users["author"])
    page.force_login(studio_users["author"])
    html = page.get(f"/studio/{draft['id']}/impact/result/").content.decode()
    assert "Imported dataset:" in html and "Diverted work" in html
    # Issue 11's A/B comparison rides along: the live protocol is A, the draft B.
    comparison = dataset["comparison"]
    assert comparison["a"]["protocol_version"] == "2026.12-default-3"
    assert comparison["b"]["protocol_version"] == draft["version"]
    assert {str(t["tier"]) for t in comparison["tiers"]} >= {k for k, n in tiers.items() if n}
