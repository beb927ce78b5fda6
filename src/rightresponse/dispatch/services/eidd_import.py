"""Import of an incident from an EIDD-style document (docs/dispatch.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rightresponse.accounts.models import Agency
from rightresponse.core.dispatch import (
    EiddError,
    crosses_to_civilian,
    crosses_to_police,
    incident_from_eidd,
)

from ..errors import Conflict, Invalid, NotFound
from ..models import (
    OUTCOMES,
    Assignment,
    Disposition,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    Unit,
    UseOfForceReport,
)
from ._base import _event


def _dt(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def _bounded(record: dict[str, Any]) -> dict[str, Any]:
    """Fit an imported record to the columns, refusing what cannot be stored."""
    out = dict(record)
    for key, limit in (("call_type", 60), ("initial_call_type", 60), ("category", 60),
                       ("initial_category", 60), ("address", 200), ("area", 60), ("channel", 10)):  # fmt: skip
        value = out.get(key)
        if value is not None and not isinstance(value, str):
            raise Invalid(f"EIDD {key}: expected text")
        out[key] = (value or "")[:limit]
    for key in ("lead", "initial_lead"):
        if out.get(key) not in (None, "", "civilian", "police"):
            raise Invalid(f"EIDD {key}: expected civilian or police")
    for key in ("initial_tier",):
        if out.get(key) is not None and (not isinstance(out[key], int) or not 0 <= out[key] <= 4):
            raise Invalid(f"EIDD {key}: expected a tier 0-4")
    priority = out.get("priority")
    if priority is not None and (not isinstance(priority, int) or not 1 <= priority <= 5):
        raise Invalid("EIDD incidentComponent.incidentPriorityCode: expected 1-5")
    for key in ("latitude", "longitude"):
        value = out.get(key)
        if value is not None and (not isinstance(value, int | float) or abs(value) > 180):
            raise Invalid(f"EIDD locationComponent gmlPoint.{key}: expected a coordinate")
    disposition = out.get("disposition")
    if disposition:
        if disposition.get("outcome") not in (None, *dict(OUTCOMES)):
            raise Invalid("EIDD dispositionComponent.dispositionOutcomeText: unknown outcome")
        for key in ("referrals_made", "service_connections"):
            if not 0 <= disposition[key] <= 1000:
                raise Invalid(f"EIDD dispositionComponent: {key} out of range")
        disposition["disposition"] = str(disposition.get("disposition") or "")[:120]
    for item in out.get("eligible_not_served") or []:
        if item["reason"] not in ("off_hours", "out_of_area", "none_available"):
            raise Invalid(f"EIDD eligibleNotServedExtension: unknown reason {item['reason']!r}")
        item["program"] = str(item["program"])[:60]
    return out


@transaction.atomic
def incident_import_eidd(doc: dict[str, Any], actor: Any, agency: Agency) -> Incident:
    """Create an incident from an EIDD-style document (see docs/dispatch.md). Units are
    matched by call sign; unknown call signs are refused so nothing is half-imported."""
    try:
        record = incident_from_eidd(doc)
    except EiddError as exc:
        raise Invalid(str(exc)) from None
    tracking = str(doc["incidentComponent"].get("incidentTrackingIdentifier") or "")[:200]
    if tracking and Incident.objects.filter(imported_from=tracking).exists():
        raise Conflict(f"EIDD incident {tracking} was imported before")
    stamps = {k: _dt(v) for k, v in record["timestamps"].items()}
    record = _bounded(record)
    units = {}
    for i, item in enumerate(record["units"]):
        unit = Unit.objects.filter(call_sign=item["call_sign"]).first()
        if unit is None:  # a record the document names and we do not have: 404
            raise NotFound(
                f"EIDD emergencyResourceComponent.{i}.resourceIdentifier: unit "
                f"{item['call_sign']!r} is not known here"
            )
        units[item["call_sign"]] = unit
    incident = Incident.objects.create(
        agency=agency, status=record["status"], channel=record["channel"] or "911",
        call_type=record["call_type"], initial_call_type=record["initial_call_type"],
        category=record["category"], initial_category=record["initial_category"],
        tier=record["tier"], initial_tier=record["initial_tier"],
        lead=record["lead"] or "", initial_lead=record["initial_lead"] or "",
        priority=record["priority"] or 3, address=record["address"],
        latitude=record["latitude"], longitude=record["longitude"], area=record["area"],
        received_at=stamps["received_at"], answered_at=stamps["answered_at"],
        triaged_at=stamps["triaged_at"], dispatched_at=stamps["dispatched_at"],
        en_route_at=stamps["en_route_at"], on_scene_at=stamps["on_scene_at"],
        cleared_at=stamps["cleared_at"], closed_at=stamps["closed_at"],
        imported_from=tracking,
    )  # fmt: skip
    for item in record["units"]:
        # Imported history: assignments are inactive so live units are not blocked.
        Assignment.objects.create(
            incident=incident, unit=units[item["call_sign"]], active=False,
            primary=item["primary"], assigned_at=_dt(item["assigned_at"]) or incident.received_at,
            released_at=_dt(item["released_at"]),
        )  # fmt: skip
    for event in record["events"]:
        IncidentEvent.objects.create(
            incident=incident, at=_dt(event["at"]) or incident.received_at,
            kind=event["kind"] if event["kind"] in dict(IncidentEvent.KINDS) else "import",
            from_value=event["from"][:60], to_value=event["to"][:60],
            reason=(event["reason"] or "")[:500],
        )  # fmt: skip
    if record["disposition"]:
        d = record["disposition"]
        Disposition.objects.create(
            incident=incident, disposition=d["disposition"], outcome=d["outcome"] or "no_action_needed",
            referrals_made=d["referrals_made"], service_connections=d["service_connections"],
        )  # fmt: skip
        if d["use_of_force"]:
            UseOfForceReport.objects.create(
                incident=incident, reported_at=incident.closed_at or timezone.now(),
                force_type="reported in imported EIDD",
            )  # fmt: skip
    for item in record["eligible_not_served"]:
        EligibleNotServed.objects.create(
            incident=incident, program=item["program"], reason=item["reason"],
            area=incident.area, recorded_at=incident.received_at,
        )  # fmt: skip
    incident.escalated = crosses_to_police(incident.initial_tier, incident.tier)
    incident.deescalated = crosses_to_civilian(incident.initial_tier, incident.tier)
    incident.lead_switches = sum(1 for e in record["events"] if e["kind"] == "lead_switch")
    incident.save(update_fields=["escalated", "deescalated", "lead_switches"])
    _event(incident, actor, "import", reason=f"from {tracking}"[:500])
    return incident
