"""``rightresponse intake``: a call on stdin goes through the same intake action."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from rightresponse.dispatch.models import Incident
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db


def _run(monkeypatch: pytest.MonkeyPatch, body: str, *args: str) -> dict:
    monkeypatch.setattr("sys.stdin", io.StringIO(body))
    out = io.StringIO()
    call_command("intake", *args, stdout=out)
    return json.loads(out.getvalue())


def test_a_call_from_the_command_line_becomes_its_incident(monkeypatch, agencies, users) -> None:
    call = {"call_type": "behavioral_crisis", "answers": {"weapon": "no"}, "channel": "311"}
    out = _run(monkeypatch, json.dumps(call), "--agency", "test-center", "--user", "call_taker")
    incident = Incident.objects.get(pk=out["incident_id"])
    assert incident.call_id == out["call_id"] and incident.call.channel == "311"
    assert incident.call.created_by == users["call_taker"]


def test_bad_input_exits_2_and_stores_nothing(monkeypatch, agencies) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"call_type": "ufo"}'))
    with pytest.raises(CommandError, match="unknown call type") as exc:
        call_command("intake", "--agency", "test-center")
    assert exc.value.returncode == 2 and not Call.objects.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO("not json"))
    with pytest.raises(CommandError, match="not JSON"):
        call_command("intake", "--agency", "test-center")
