"""Fixtures for the dispatch tests: units of each kind and triaged calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.core.intake import intake_outcome
from rightresponse.dispatch import services
from rightresponse.dispatch.models import Incident, Unit, UnitMember
from rightresponse.triage.models import Call

TIERS = {
    # call_type: (tier, lead, programs, category, risk score)
    "behavioral_crisis": (1, "civilian", ["behavioral_crisis_team", "community_responder"], "behavioral_health", 4),
    "welfare_check": (1, "civilian", ["community_responder"], "welfare", 3),
    "trespass": (2, "civilian", ["community_responder", "police"], "quality_of_life", 6),
    "assault": (4, "police", ["police"], "violent_crime", 15),
}  # fmt: skip


@pytest.fixture
def closed_hours() -> str:
    """Service hours certain to be closed now: an hour on the day after tomorrow."""
    from rightresponse.core.dispatch.hours import DAYS

    day = DAYS[(timezone.localtime().weekday() + 2) % 7].capitalize()
    return f"{day} 10:00-11:00"


@pytest.fixture
def units(agencies: dict[str, Agency], users: dict[str, Any]) -> dict[str, Unit]:
    """Two civilian units, one CIT co-response unit and two police units, all 24/7."""
    specs = [
        ("CARE-1", "care", "community_responder", "civilian", 47.610, -122.330),
        ("CARE-2", "care", "community_responder", "civilian", 47.650, -122.330),
        ("CIT-1", "police", "cit_co_response", "co_response", 47.620, -122.330),
        ("PD-1", "police", "police", "police", 47.611, -122.331),
        ("PD-2", "police", "police", "police", 47.700, -122.330),
    ]
    made = {}
    for sign, agency, program, kind, lat, lon in specs:
        made[sign] = Unit.objects.create(
            agency=agencies[agency], program=program, kind=kind, call_sign=sign,
            latitude=lat, longitude=lon,
        )  # fmt: skip
    UnitMember.objects.create(
        agency=agencies["care"], unit=made["CARE-1"], user=users["responder"],
        employee_id="E1", name="Rae Responder", capabilities=["clinician"],
    )  # fmt: skip
    return made


@pytest.fixture
def make_call(agencies: dict[str, Agency], users: dict[str, Any]) -> Any:
    """``make_call(call_type, **fields)``: a triaged call (its incident follows from it)."""

    def make(call_type: str = "welfare_check", **fields: Any) -> Call:
        tier, lead, programs, category, score = TIERS[call_type]
        now = timezone.now()
        values: dict[str, Any] = {
            "agency": agencies["center"],
            "received_at": now - timedelta(seconds=90),
            "answered_at": now - timedelta(seconds=80),
            "triaged_at": now - timedelta(seconds=30),
            "created_by": users["call_taker"],
            "channel": "911",
            "caller_phone": "(206) 555-0100",
            "address": "100 Pine St",
            "latitude": 47.6105,
            "longitude": -122.3305,
            "area": "north",
            "call_type": call_type,
            "tier": tier,
            "lead": lead,
            "risk_score": score,
            "risk_band": "moderate",
            "decision": {
                "tier": tier, "lead": lead, "programs": programs, "category": category,
                "risk": {"likelihood": 2, "consequence": 2, "score": score, "band": "moderate"},
                "screened_out": False, "reasons": ["test"], "ask_next": [],
                "protocol_version": "test", "call_type": call_type,
            },
            "protocol_version": "test",
        }  # fmt: skip
        values.update(fields)
        call = Call.objects.create(**values)
        # What the intake action does with a call needing a field response (the core's rule).
        if intake_outcome(call.tier, call.screened_out, call.call_type) == "incident":
            services.incident_create_from_call(call, call.created_by, new_call=True)
        return call

    return make


@pytest.fixture
def make_incident(make_call: Any) -> Any:
    def make(call_type: str = "welfare_check", **fields: Any) -> Incident:
        return Incident.objects.get(call=make_call(call_type, **fields))

    return make
