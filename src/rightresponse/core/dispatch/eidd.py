"""An incident as JSON in the shape of NENA's Emergency Incident Data Document (EIDD,
NENA-STA-021), and back. The mapping is documented in docs/dispatch.md.

The record on our side is a plain dict (built by the dispatch app): ``id``, ``agency``,
``status``, ``call_type``, ``initial_call_type``, ``category``, ``tier``, ``initial_tier``,
``lead``, ``initial_lead``, ``priority``, ``channel``, ``address``, ``latitude``,
``longitude``, ``area``, ``timestamps`` (name -> ISO 8601 or None), ``units`` (call_sign,
program, assigned_at, released_at, primary), ``events`` (at, kind, from, to, reason, actor),
``disposition`` (disposition, outcome, referrals_made, service_connections, use_of_force)
and ``eligible_not_served`` (program, reason). Personal data is not exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

EIDD_VERSION = "NENA-STA-021.1a-2022 (RightResponse subset)"
TIMESTAMPS = (
    "received_at",
    "answered_at",
    "triaged_at",
    "dispatched_at",
    "en_route_at",
    "on_scene_at",
    "cleared_at",
    "closed_at",
)
# Our lifecycle statuses -> EIDD incident status (Common Registry style text).
STATUS_TO_EIDD = {
    "waiting": "Pending",
    "dispatched": "Dispatched",
    "en_route": "Enroute",
    "on_scene": "OnScene",
    "transporting": "Transporting",
    "cleared": "Cleared",
    "closed": "Closed",
}
EIDD_TO_STATUS = {v: k for k, v in STATUS_TO_EIDD.items()}


class EiddError(ValueError):
    """A document that cannot be imported; the message names the path and the reason."""


def eidd_from_incident(record: Mapping[str, Any], *, sender: str, sent_at: str) -> dict[str, Any]:
    """Build the EIDD-style document for one incident record."""
    ident = f"urn:emergency:uid:incidentid:{record['id']}:{sender}"
    stamps = record.get("timestamps", {})
    disposition = record.get("disposition") or {}
    return {
        "eiddVersion": EIDD_VERSION,
        "eiddHeaderComponent": {
            "eiddIdentifier": f"urn:emergency:uid:eiddid:{record['id']}:{sent_at}",
            "eiddSendingSystemIdentifier": sender,
            "eiddTimestamp": sent_at,
            "eiddReasonCode": "Update",
        },
        "incidentComponent": {
            "incidentTrackingIdentifier": ident,
            "localIncidentIdentifier": str(record["id"]),
            "incidentStatusCommonRegistryText": STATUS_TO_EIDD[record["status"]],
            "incidentTypeCommonRegistryText": record["category"],
            "incidentTypeLocalText": record["call_type"],
            "incidentInitialTypeLocalText": record.get("initial_call_type") or record["call_type"],
            "incidentInitialCategoryText": record.get("initial_category") or record["category"],
            "incidentPriorityCode": record.get("priority"),
            "incidentResponseTierCode": record.get("tier"),
            "incidentInitialResponseTierCode": record.get("initial_tier"),
            "incidentLeadText": record.get("lead"),
            "incidentInitialLeadText": record.get("initial_lead"),
            "incidentCreationTimestamp": stamps.get("received_at"),
            "incidentClosedTimestamp": stamps.get("closed_at"),
        },
        "callComponent": [
            {
                "callSourceText": record.get("channel", ""),
                "callStartTimestamp": stamps.get("received_at"),
                "callAnsweredTimestamp": stamps.get("answered_at"),
                "callTriagedTimestamp": stamps.get("triaged_at"),
            }
        ],
        "agencyComponent": [{"agencyIdentifier": record.get("agency", "")}],
        "locationComponent": [
            {
                "locationByValue": {
                    "civicAddressText": record.get("address", ""),
                    "gmlPoint": None
                    if record.get("latitude") is None
                    else {"latitude": record["latitude"], "longitude": record["longitude"]},
                    "serviceAreaText": record.get("area", ""),
                }
            }
        ],
        "emergencyResourceComponent": [
            {
                "resourceIdentifier": unit["call_sign"],
                "resourceTypeText": unit["program"],
                "resourcePrimaryIndicator": bool(unit.get("primary")),
                "resourceDispatchedTimestamp": unit.get("assigned_at"),
                "resourceReleasedTimestamp": unit.get("released_at"),
            }
            for unit in record.get("units", [])
        ],
        "incidentStatusTimestamps": {name: stamps.get(name) for name in TIMESTAMPS},
        "notesComponent": [
            {
                "noteTimestamp": event["at"],
                "noteTypeText": event["kind"],
                "noteFromText": event.get("from", ""),
                "noteToText": event.get("to", ""),
                "noteText": event.get("reason", ""),
                "noteAuthorText": event.get("actor", ""),
            }
            for event in record.get("events", [])
        ],
        "dispositionComponent": {
            "dispositionCodeText": disposition.get("disposition", ""),
            "dispositionOutcomeText": disposition.get("outcome"),
            "referralsMadeCount": disposition.get("referrals_made", 0),
            "serviceConnectionsCount": disposition.get("service_connections", 0),
            "useOfForceIndicator": bool(disposition.get("use_of_force", False)),
        }
        if disposition
        else None,
        "eligibleNotServedExtension": [
            {"programText": item["program"], "reasonCode": item["reason"]}
            for item in record.get("eligible_not_served", [])
        ],
    }


def _get(doc: Mapping[str, Any], path: str, kind: type | tuple[type, ...] = object) -> Any:
    node: Any = doc
    walked = []
    for part in path.split("."):
        walked.append(part)
        if isinstance(part, str) and part.isdigit() and isinstance(node, list):
            index = int(part)
            if index >= len(node):
                raise EiddError(f"EIDD {'.'.join(walked)}: missing")
            node = node[index]
            continue
        if not isinstance(node, Mapping) or part not in node:
            raise EiddError(f"EIDD {'.'.join(walked)}: missing")
        node = node[part]
    if kind is not object and node is not None and not isinstance(node, kind):
        raise EiddError(f"EIDD {path}: expected {getattr(kind, '__name__', kind)}")
    return node


def _timestamp(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise EiddError(f"EIDD {path}: expected an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise EiddError(f"EIDD {path}: {value!r} is not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise EiddError(f"EIDD {path}: {value!r} has no time zone offset")
    return value


def incident_from_eidd(doc: Mapping[str, Any]) -> dict[str, Any]:
    """Read an EIDD-style document back into the incident record shape."""
    if not isinstance(doc, Mapping):
        raise EiddError("EIDD: the document must be a JSON object")
    try:
        return _read(doc)
    except EiddError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise EiddError(f"EIDD: malformed document ({type(exc).__name__}: {exc})") from None


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise EiddError(f"EIDD: expected text, got {type(value).__name__}")
    return str(value)[:limit]


def _read(doc: Mapping[str, Any]) -> dict[str, Any]:
    inc = _get(doc, "incidentComponent", Mapping)
    status_text = _get(doc, "incidentComponent.incidentStatusCommonRegistryText", str)
    if status_text not in EIDD_TO_STATUS:
        raise EiddError(
            f"EIDD incidentComponent.incidentStatusCommonRegistryText: {status_text!r} is not one "
            f"of {', '.join(EIDD_TO_STATUS)}"
        )
    tier = inc.get("incidentResponseTierCode")
    if tier is not None and (not isinstance(tier, int) or not 0 <= tier <= 4):
        raise EiddError("EIDD incidentComponent.incidentResponseTierCode: expected 0-4")
    stamps_doc = doc.get("incidentStatusTimestamps") or {}
    if not isinstance(stamps_doc, Mapping):
        raise EiddError("EIDD incidentStatusTimestamps: expected an object")
    stamps = {
        name: _timestamp(stamps_doc.get(name), f"incidentStatusTimestamps.{name}")
        for name in TIMESTAMPS
    }
    if stamps["received_at"] is None:
        raise EiddError("EIDD incidentStatusTimestamps.received_at: missing")
    call = (doc.get("callComponent") or [{}])[0]
    location = (_get(doc, "locationComponent", list) or [{}])[0].get("locationByValue", {})
    point = location.get("gmlPoint") or {}
    disposition_doc = doc.get("dispositionComponent")
    disposition = None
    if disposition_doc:
        disposition = {
            "disposition": disposition_doc.get("dispositionCodeText", ""),
            "outcome": disposition_doc.get("dispositionOutcomeText"),
            "referrals_made": int(disposition_doc.get("referralsMadeCount", 0)),
            "service_connections": int(disposition_doc.get("serviceConnectionsCount", 0)),
            "use_of_force": bool(disposition_doc.get("useOfForceIndicator", False)),
        }
    units = []
    for i, res in enumerate(doc.get("emergencyResourceComponent") or []):
        units.append(
            {
                "call_sign": _get(res, "resourceIdentifier", str),
                "program": res.get("resourceTypeText", ""),
                "primary": bool(res.get("resourcePrimaryIndicator")),
                "assigned_at": _timestamp(
                    res.get("resourceDispatchedTimestamp"),
                    f"emergencyResourceComponent.{i}.resourceDispatchedTimestamp",
                ),
                "released_at": _timestamp(
                    res.get("resourceReleasedTimestamp"),
                    f"emergencyResourceComponent.{i}.resourceReleasedTimestamp",
                ),
            }
        )
    return {
        "id": _get(doc, "incidentComponent.localIncidentIdentifier", str),
        "agency": ((doc.get("agencyComponent") or [{}])[0]).get("agencyIdentifier", ""),
        "status": EIDD_TO_STATUS[status_text],
        "call_type": _get(doc, "incidentComponent.incidentTypeLocalText", str),
        "initial_call_type": inc.get("incidentInitialTypeLocalText")
        or inc["incidentTypeLocalText"],
        "category": _get(doc, "incidentComponent.incidentTypeCommonRegistryText", str),
        "initial_category": inc.get("incidentInitialCategoryText")
        or inc["incidentTypeCommonRegistryText"],
        "priority": inc.get("incidentPriorityCode"),
        "tier": tier,
        "initial_tier": inc.get("incidentInitialResponseTierCode"),
        "lead": inc.get("incidentLeadText"),
        "initial_lead": inc.get("incidentInitialLeadText"),
        "channel": call.get("callSourceText", ""),
        "address": location.get("civicAddressText", ""),
        "latitude": point.get("latitude"),
        "longitude": point.get("longitude"),
        "area": location.get("serviceAreaText", ""),
        "timestamps": stamps,
        "units": units,
        "events": [
            {
                "at": _timestamp(note.get("noteTimestamp"), f"notesComponent.{i}.noteTimestamp"),
                "kind": _text(note.get("noteTypeText", "note"), 20),
                "from": _text(note.get("noteFromText", ""), 60),
                "to": _text(note.get("noteToText", ""), 60),
                "reason": _text(note.get("noteText", ""), 500),
                "actor": _text(note.get("noteAuthorText", ""), 150),
            }
            for i, note in enumerate(doc.get("notesComponent") or [])
        ],
        "disposition": disposition,
        "eligible_not_served": [
            {"program": item.get("programText", ""), "reason": item.get("reasonCode", "")}
            for item in doc.get("eligibleNotServedExtension") or []
        ],
    }
