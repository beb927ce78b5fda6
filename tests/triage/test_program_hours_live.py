"""Programs' hours and areas in live triage (issue 19, item 1): every live path (the intake
action behind the page and ``POST /api/triage/calls``, the decision preview, re-triage and
the CLI) decides with the call's received time on the city's clock and its area, through
``triage.services.call_decide``; the stored decision says why a program was passed over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from rightresponse.core.triage import load_protocol
from rightresponse.triage.models import Call
from rightresponse.triage.services import call_decide

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "protocols" / "default.yaml"
SCRIPT = Path(sys.executable).parent / "rightresponse"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # The city's clock is Los Angeles' here, whatever the machine running the tests says.
    env = {**os.environ, "RIGHTRESPONSE_TIME_ZONE": "America/Los_Angeles"}
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT,
        env=env,
    )  # fmt: skip


pytestmark = pytest.mark.django_db

CALM = {"weapon": "no", "violence": "no", "medical_emergency": "no", "substance_escalating": "no",
        "threat_to_life": "no", "caller_requests_police": "no"}  # fmt: skip


def _local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    """A recent time on the city's clock (TIME_ZONE), with its offset."""
    city = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localtime(timezone.now(), city).date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=city)


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_call_at_3am_is_offered_the_fallback_and_the_call_records_why(api_client: Any) -> None:
    # The crisis team works 08:00-22:00 (protocols/default.yaml); its fallback is the
    # community responders, around the clock.
    body = {"call_type": "behavioral_crisis", "answers": CALM, "area": "Precinct 1",
            "received_at": _local(2, 3).isoformat()}  # fmt: skip
    night = _post(api_client("call_taker"), "/api/triage/calls", body)
    assert night.status_code == 201, night.content
    decision = night.json()["decision"]
    assert decision["programs"][0] == "community_responder"
    assert [(n["program"], n["why"]) for n in decision["not_offered"]] == [
        ("behavioral_crisis_team", "outside_hours")
    ]
    stored = Call.objects.get(pk=night.json()["id"])
    assert stored.decision["not_offered"][0]["text"] in stored.decision["reasons"]
    assert "works Mon-Sun 08:00-22:00" in stored.decision["not_offered"][0]["text"]
    day = _post(api_client("call_taker"), "/api/triage/calls",
                {**body, "received_at": _local(2, 9).isoformat()})  # fmt: skip
    assert day.json()["decision"]["programs"][0] == "behavioral_crisis_team"
    assert day.json()["decision"]["not_offered"] == []


def test_a_call_outside_the_programs_areas_is_offered_the_next_program(api_client: Any) -> None:
    # Violence interrupters: Precincts 2 and 3, evenings. The API client's typed area is
    # kept because the call has no location to resolve.
    evening = _local(3, 18).isoformat()
    body = {"call_type": "violence_interrupter_request", "answers": {}, "received_at": evening}
    client = api_client("call_taker")
    outside = _post(client, "/api/triage/decision", {**body, "area": "Precinct 4"}).json()
    assert "violence_interrupters" not in outside["programs"]
    assert outside["not_offered"][0]["why"] == "outside_areas"
    assert "the call is in Precinct 4, outside its areas" in outside["reasons"][-1]
    inside = _post(client, "/api/triage/decision", {**body, "area": "Precinct 3"}).json()
    assert inside["programs"][0] == "violence_interrupters"
    stored = _post(client, "/api/triage/calls", {**body, "area": "Precinct 4"})
    assert stored.status_code == 201
    assert stored.json()["area"] == "Precinct 4"
    assert stored.json()["decision"]["not_offered"][0]["program"] == "violence_interrupters"
    # A time outside the accepted window is refused at the field, never a 500.
    old = _post(
        client, "/api/triage/decision", {**body, "received_at": "0001-01-01T00:00:00+14:00"}
    )
    assert old.status_code == 422 and "received_at" in old.json()["detail"]


def test_retriage_keeps_the_calls_own_time(api_client: Any) -> None:
    client = api_client("call_taker")
    body = {"call_type": "behavioral_crisis", "answers": {"weapon": "no"},
            "received_at": _local(2, 3).isoformat()}  # fmt: skip
    created = _post(client, "/api/triage/calls", body).json()
    patched = client.patch(
        f"/api/triage/calls/{created['id']}/answers", json.dumps({"answers": CALM}),
        content_type="application/json",
    )  # fmt: skip
    assert patched.status_code == 200, patched.content
    # Decided again at 03:00, not at the time of the re-triage.
    assert patched.json()["decision"]["not_offered"][0]["program"] == "behavioral_crisis_team"


def test_the_city_clock_holds_across_the_daylight_saving_change() -> None:
    """The received time is stored in UTC; the app reads it on the city's clock, so the
    08:00 opening is 16:00 UTC before the March change and 15:00 UTC after it."""
    protocol = load_protocol(DEFAULT)

    def first(utc: datetime) -> str:
        with timezone.override(ZoneInfo("America/Los_Angeles")):
            decision = call_decide(protocol, "behavioral_crisis", CALM, received_at=utc, area="")
        return decision.programs[0]

    assert first(datetime(2026, 3, 7, 15, 59, tzinfo=UTC)) == "community_responder"  # 07:59 PST
    assert first(datetime(2026, 3, 7, 16, 0, tzinfo=UTC)) == "behavioral_crisis_team"
    assert first(datetime(2026, 3, 9, 14, 59, tzinfo=UTC)) == "community_responder"  # 07:59 PDT
    assert first(datetime(2026, 3, 9, 15, 0, tzinfo=UTC)) == "behavioral_crisis_team"


def test_the_cli_decides_with_the_calls_time_and_area() -> None:
    call = {"call_type": "behavioral_crisis", "answers": CALM,
            "received_at": "2026-03-04T03:00:00-08:00", "area": "Precinct 1"}  # fmt: skip
    result = run("triage", "--protocol", str(DEFAULT), stdin=json.dumps(call))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["programs"][0] == "community_responder"
    assert decision["not_offered"][0]["why"] == "outside_hours"
    bad = run("triage", "--protocol", str(DEFAULT),
              stdin=json.dumps({**call, "received_at": "03:00"}))  # fmt: skip
    assert bad.returncode == 2 and "received_at" in bad.stderr
