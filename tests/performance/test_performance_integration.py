"""Integration with the dispatch pillar: real Call and Incident rows, read through
``dispatch.selectors.incident_facts`` by the performance adapter, give the metric values
worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.dispatch import services
from rightresponse.dispatch.models import Incident, Unit
from rightresponse.performance import selectors
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db

TIERS = {
    "welfare_check": (1, "civilian", ["community_responder"], "welfare"),
    "assault": (4, "police", ["police"], "violent_crime"),
}


def _call(
    agencies: dict[str, Agency], users: dict[str, Any], call_type: str, area: str
) -> Incident:
    tier, lead, programs, category = TIERS[call_type]
    now = timezone.now()
    call = Call.objects.create(
        agency=agencies["center"],
        received_at=now - timedelta(seconds=90),
        answered_at=now - timedelta(seconds=80),
        triaged_at=now - timedelta(seconds=30),
        created_by=users["call_taker"],
        channel="911",
        caller_phone="(206) 555-0100",
        address="100 Pine St",
        latitude=47.6105,
        longitude=-122.3305,
        area=area,
        call_type=call_type,
        tier=tier,
        lead=lead,
        risk_score=4,
        risk_band="moderate",
        decision={
            "tier": tier,
            "lead": lead,
            "programs": programs,
            "category": category,
            "risk": {"likelihood": 2, "consequence": 2, "score": 4, "band": "moderate"},
            "screened_out": False,
            "reasons": ["test"],
            "ask_next": [],
            "protocol_version": "test",
            "call_type": call_type,
        },  # fmt: skip
        protocol_version="test",
    )
    return services.incident_create_from_call(call, users["call_taker"], new_call=True)


def test_metrics_from_real_incidents(
    agencies: dict[str, Agency],
    users: dict[str, Any],
    logged_in: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "_FRAMES", {})
    care = Unit.objects.create(
        agency=agencies["care"],
        program="community_responder",
        kind="civilian",
        call_sign="CARE-1",
        latitude=47.61,
        longitude=-122.33,
    )
    police = Unit.objects.create(
        agency=agencies["police"],
        program="police",
        kind="police",
        call_sign="PD-1",
        latitude=47.61,
        longitude=-122.33,
    )
    # 1: civilian, closed on scene; 2: civilian escalated to police; 3: police (assault)
    first = _call(agencies, users, "welfare_check", "north")
    services.incident_assign(first.pk, care.pk, users["dispatcher"])
    services.incident_set_status(first.pk, "on_scene", users["responder"])
    services.incident_close(
        first.pk,
        users["responder"],
        disposition="resolved",
        outcome="resolved_on_scene",
        referrals_made=1,
    )
    second = _call(agencies, users, "welfare_check", "north")
    services.incident_change_tier(second.pk, 4, users["dispatcher"], "weapon seen")
    third = _call(agencies, users, "assault", "south")
    services.incident_assign(third.pk, police.pk, users["dispatcher"])
    services.incident_set_status(third.pk, "on_scene", users["responder"])
    services.incident_close(
        third.pk,
        users["responder"],
        disposition="arrest",
        outcome="arrest",
        use_of_force={"force_type": "taser"},
    )
    # the real selectors of the dispatch and ecosystem pillars, not stubs
    assert selectors._fact_source("incidents") is not None
    assert selectors._fact_source("referrals") is not None
    period = selectors.default_period()
    catalog = selectors.metrics_catalog()
    views = selectors.metric_views(
        period,
        metrics=[
            catalog.metrics[m]
            for m in (
                "call_volume",
                "civilian_calls",
                "civilian_escalated_share",
                "escalated_share",
                "police_calls",
                "use_of_force_share",
                "referral_connection_rate",
            )
        ],
    )
    assert views["call_volume"].value.value == 3
    assert views["civilian_calls"].value.value == 2  # initial tier 1: first and second
    assert views["civilian_escalated_share"].value.value == pytest.approx(
        50.0
    )  # second went to tier 4
    assert views["escalated_share"].value.value == pytest.approx(100 / 3)
    assert views["police_calls"].value.value == 1
    # police-led at the end: second (escalated to tier 4) and third; force used in third
    assert views["use_of_force_share"].value.value == pytest.approx(50.0)
    assert views["referral_connection_rate"].measured  # referral records exist as a source
    page = logged_in("analyst").get(reverse("performance:dashboard")).content.decode()
    assert '<p class="figure">3</p>' in page
