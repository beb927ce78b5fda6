"""Incidents from calls, recommendation, assignment and the lifecycle, on a real database."""

from __future__ import annotations

from typing import Any

import pytest

from rightresponse.dispatch import protocol as proto
from rightresponse.dispatch import services
from rightresponse.dispatch.errors import Conflict, Invalid
from rightresponse.dispatch.models import (
    Assignment,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    UseOfForceReport,
)
from rightresponse.dispatch.signals import incident_closed

pytestmark = pytest.mark.django_db


def test_a_triaged_call_becomes_one_waiting_incident_with_a_recommendation(
    make_call: Any, units: dict
) -> None:
    call = make_call("welfare_check")
    incident = Incident.objects.get(call=call)
    assert incident.status == "waiting" and incident.tier == 1 and incident.lead == "civilian"
    assert incident.category == "welfare" and incident.initial_call_type == "welfare_check"
    top = incident.recommendation["candidates"][0]
    assert top["call_sign"] == "CARE-1"  # nearest community responder
    call.narrative = "saved again"
    call.save()
    assert Incident.objects.filter(call=call).count() == 1


def test_tier_zero_and_screened_out_calls_make_no_incident(make_call: Any) -> None:
    make_call("welfare_check", tier=0)
    make_call("welfare_check", screened_out=True)
    assert Incident.objects.count() == 0


def test_assign_the_recommended_unit_dispatches(
    make_incident: Any, units: dict, users: dict
) -> None:
    incident = make_incident()
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    incident.refresh_from_db()
    units["CARE-1"].refresh_from_db()
    assert incident.status == "dispatched" and incident.dispatched_by == users["dispatcher"]
    assert units["CARE-1"].status == "dispatched"
    assert not IncidentEvent.objects.filter(kind="override").exists()


def test_override_needs_a_reason_and_is_recorded(
    make_incident: Any, units: dict, users: dict
) -> None:
    incident = make_incident()
    with pytest.raises(Conflict, match="needs a reason"):
        services.incident_assign(incident.pk, units["CARE-2"].pk, users["dispatcher"])
    services.incident_assign(
        incident.pk, units["CARE-2"].pk, users["dispatcher"], override_reason="CARE-1 is refuelling"
    )
    event = IncidentEvent.objects.get(kind="override")
    assert event.reason == "CARE-1 is refuelling" and event.actor == users["dispatcher"]
    assert Assignment.objects.get(unit=units["CARE-2"]).recommended is False


def test_a_busy_unit_cannot_take_a_second_incident(
    make_incident: Any, units: dict, users: dict
) -> None:
    first, second = make_incident(), make_incident()
    services.incident_assign(first.pk, units["CARE-1"].pk, users["dispatcher"])
    with pytest.raises(Conflict, match="CARE-1 is dispatched"):
        services.incident_assign(second.pk, units["CARE-1"].pk, users["dispatcher"], "x")


def test_database_refuses_two_active_assignments_for_one_unit(
    make_incident: Any, units: dict
) -> None:
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    first, second = make_incident(), make_incident()
    Assignment.objects.create(incident=first, unit=units["PD-1"], assigned_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(incident=second, unit=units["PD-1"], assigned_at=timezone.now())
    # Inactive history rows are not limited.
    Assignment.objects.create(
        incident=second, unit=units["PD-1"], assigned_at=timezone.now(), active=False
    )


def test_off_hours_civilian_is_recorded_as_eligible_not_served(
    make_incident: Any, units: dict, users: dict, closed_hours: str
) -> None:
    for sign in ("CARE-1", "CARE-2"):
        units[sign].service_hours = closed_hours
        units[sign].save()
    units["CIT-1"].status = "out_of_service"
    units["CIT-1"].save()
    incident = make_incident("welfare_check")
    rec = incident.recommendation
    assert rec["fell_back"] and rec["response_kind"] == "police"
    assert rec["eligible_not_served"] == [{"program": "community_responder", "reason": "off_hours"}]
    services.incident_assign(incident.pk, rec["candidates"][0]["unit_id"], users["dispatcher"])
    ens = EligibleNotServed.objects.get(incident=incident)
    assert ens.reason == "off_hours" and ens.area == "north"


def test_full_lifecycle_with_escalation_lead_switch_and_close(
    make_incident: Any, units: dict, users: dict
) -> None:
    incident = make_incident("welfare_check")
    responder = users["responder"]
    services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])
    services.incident_set_status(incident.pk, "en_route", responder)
    services.incident_set_status(incident.pk, "on_scene", responder)
    services.incident_reclassify(incident.pk, "assault", responder, "a fight started", tier=None)
    services.incident_change_tier(incident.pk, 3, responder, "weapon seen")
    services.incident_switch_lead(incident.pk, "civilian", responder, "calm now; care leads")
    received: list[dict] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    incident_closed.connect(listener)
    try:
        with pytest.raises(Invalid, match="outcome"):
            services.incident_close(incident.pk, responder, disposition="done", outcome="bogus")
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.incident_close(
                incident.pk, responder, disposition="Subject arrested after struggle",
                outcome="arrest", referrals_made=2,
                use_of_force={"force_type": "hands-on restraint", "unit_id": units["CARE-1"].pk},
            )  # fmt: skip
    finally:
        incident_closed.disconnect(listener)
    incident.refresh_from_db()
    units["CARE-1"].refresh_from_db()
    assert incident.status == "closed" and incident.closed_by == responder
    assert incident.en_route_at and incident.on_scene_at and incident.cleared_at
    assert incident.escalated and incident.lead_switches == 2
    assert incident.category == proto.category_of("assault") != incident.initial_category
    assert units["CARE-1"].status == "available"
    assert UseOfForceReport.objects.get(incident=incident).force_type == "hands-on restraint"
    kinds = list(incident.events.values_list("kind", flat=True))
    assert {"reclassify", "escalation", "lead_switch", "close"} <= set(kinds)
    assert len(received) == 1 and received[0]["incident_id"] == incident.pk
    assert received[0]["outcome"] == "arrest" and received[0]["category"] == incident.category


def test_illegal_transitions_are_refused_with_a_message(
    make_incident: Any, units: dict, users: dict
) -> None:
    incident = make_incident()
    with pytest.raises(Conflict, match="assign a unit"):
        services.incident_set_status(incident.pk, "dispatched", users["dispatcher"])
    services.incident_close(incident.pk, users["dispatcher"], disposition="gone on arrival",
                            outcome="no_action_needed")  # fmt: skip
    with pytest.raises(Conflict, match="'closed' to 'en_route'"):
        services.incident_set_status(incident.pk, "en_route", users["dispatcher"])
    with pytest.raises(Conflict, match="closed"):
        services.incident_assign(incident.pk, units["CARE-1"].pk, users["dispatcher"])


def test_reasons_are_required_for_escalation_and_lead_switch(
    make_incident: Any, users: dict
) -> None:
    incident = make_incident()
    with pytest.raises(Invalid, match="needs a reason"):
        services.incident_change_tier(incident.pk, 4, users["dispatcher"], "  ")
    with pytest.raises(Invalid, match="needs a reason"):
        services.incident_switch_lead(incident.pk, "police", users["dispatcher"], "")


def test_idempotent_write_happens_once(users: dict) -> None:
    calls = []

    def write() -> tuple[int, dict]:
        calls.append(1)
        return 201, {"n": len(calls)}

    user = users["dispatcher"]
    assert services.idempotent(user, "k1", "POST /x", write) == (201, {"n": 1})
    assert services.idempotent(user, "k1", "POST /x", write) == (201, {"n": 1})
    assert len(calls) == 1
    with pytest.raises(Invalid, match="another request"):
        services.idempotent(user, "k1", "POST /y", write)


def test_member_capabilities_count_only_while_their_shift_is_on(
    units: dict, agencies: dict, closed_hours: str
) -> None:
    from rightresponse.dispatch.models import UnitMember

    UnitMember.objects.create(agency=agencies["police"], unit=units["PD-1"], employee_id="N1",
                              name="Night", capabilities=["CIT"], shift=closed_hours)  # fmt: skip
    UnitMember.objects.create(agency=agencies["police"], unit=units["PD-2"], employee_id="D1",
                              name="Always", capabilities=["EMT"], shift="24/7")  # fmt: skip
    infos = {u.call_sign: u for u in services._unit_infos()}
    assert "CIT" not in infos["PD-1"].capabilities
    assert "EMT" in infos["PD-2"].capabilities


def test_override_is_measured_against_the_recommendation_now(
    make_incident: Any, units: dict, users: dict
) -> None:
    first, second = make_incident(), make_incident()
    assert second.recommendation["candidates"][0]["call_sign"] == "CARE-1"
    services.incident_assign(first.pk, units["CARE-1"].pk, users["dispatcher"])
    # CARE-1 is gone; CARE-2 is now the recommended unit, so no reason is needed.
    services.incident_assign(second.pk, units["CARE-2"].pk, users["dispatcher"])
    assert not IncidentEvent.objects.filter(kind="override").exists()


def test_retriage_before_dispatch_updates_the_waiting_incident(make_call: Any, units: dict) -> None:
    from rightresponse.intake.services import call_reassess
    from rightresponse.triage.protocols import active_protocol

    call = make_call("welfare_check")
    call_reassess(call=call, user=None, answers={"weapon": "yes", "violence": "yes"},
                  protocol=active_protocol())  # fmt: skip
    incident = Incident.objects.get(call=call)
    assert incident.tier == call.tier >= 3 and incident.initial_tier == call.tier
    assert not incident.escalated  # not an escalation: no unit had been sent
    assert incident.events.filter(kind="reclassify", reason="re-triaged before dispatch").exists()
