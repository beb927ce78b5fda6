"""Status: an incident and its units along their lifecycles (the allowed transitions and
which time each status stamps are the core's, ``core/dispatch/status.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.core.dispatch import (
    IllegalTransition,
    check_incident_transition,
    check_unit_transition,
    releases_units,
    stamp_of_status,
    unit_status_of_incident,
)

from ..errors import Conflict
from ..models import Incident, Unit
from ._base import _actor, _event, _locked_incident, _locked_unit
from .recommendation import incident_recommend


def _apply_status(
    incident: Incident, target: str, actor: Any, now: datetime, units: list[Unit] | None = None
) -> None:
    """``units``: the incident's active units when the caller already has them."""
    previous = incident.status
    check_incident_transition(previous, target)
    incident.status = target
    stamp = stamp_of_status(target)
    fields = ["status"]
    if stamp and getattr(incident, f"{stamp}_at") is None:
        setattr(incident, f"{stamp}_at", now)
        setattr(incident, f"{stamp}_by", _actor(actor))
        fields += [f"{stamp}_at", f"{stamp}_by"]
    incident.save(update_fields=fields)
    _event(incident, actor, "status", from_value=previous, to_value=target, at=now)
    unit_target = unit_status_of_incident(target)
    if releases_units(target):
        _release_units(incident, actor, now)
    elif unit_target is not None:
        if units is None:
            active = incident.assignments.filter(active=True).select_related("unit")
            units = [assignment.unit for assignment in active]
        for unit in units:
            _unit_status(unit, unit_target, now, strict=False)


def _unit_status(unit: Unit, target: str, now: datetime, *, strict: bool) -> None:
    if unit.status == target:
        return
    try:
        check_unit_transition(unit.status, target)
    except IllegalTransition:
        if strict:
            raise
        return  # a backup unit that arrived later keeps its own status
    unit.status, unit.status_changed_at = target, now
    unit.save(update_fields=["status", "status_changed_at"])


def _release_units(incident: Incident, actor: Any, now: datetime) -> None:
    for assignment in incident.assignments.filter(active=True).select_related("unit"):
        assignment.active, assignment.released_at = False, now
        assignment.save(update_fields=["active", "released_at"])
        unit = assignment.unit
        if unit.status != "out_of_service":
            unit.status, unit.status_changed_at = "available", now
            unit.save(update_fields=["status", "status_changed_at"])
        _event(incident, actor, "release", unit=unit, from_value=unit.call_sign, at=now)


@transaction.atomic
def incident_set_status(incident_id: int, status: str, actor: Any = None) -> Incident:
    """Move an incident along its lifecycle; illegal moves raise Conflict with a message."""
    incident = _locked_incident(incident_id)
    if status == "closed":  # closing records the outcome and sends incident_closed
        raise Conflict("close an incident with its disposition and outcome (the close action)")
    if status == "dispatched" and not incident.assignments.filter(active=True).exists():
        raise Conflict("assign a unit to dispatch an incident")
    try:
        _apply_status(incident, status, actor, timezone.now())
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    if status == "waiting":
        incident_recommend(incident)
    return incident


@transaction.atomic
def unit_set_status(unit_id: int, status: str, actor: Any = None) -> Unit:
    unit = _locked_unit(unit_id)
    now = timezone.now()
    try:
        _unit_status(unit, status, now, strict=True)
    except IllegalTransition as exc:
        raise Conflict(str(exc)) from None
    if status in ("available", "out_of_service"):
        for assignment in unit.assignments.filter(active=True).select_related("incident"):
            assignment.active, assignment.released_at = False, now
            assignment.save(update_fields=["active", "released_at"])
            _event(assignment.incident, actor, "release", unit=unit, from_value=unit.call_sign,
                   reason=f"unit set {status}", at=now)  # fmt: skip
    return unit
