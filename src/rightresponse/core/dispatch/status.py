"""Which status may follow which, for incidents and for units; tiers, leads and escalation."""

from __future__ import annotations

INCIDENT_STATUSES: dict[str, str] = {
    "waiting": "Waiting for a unit",
    "dispatched": "Dispatched",
    "en_route": "En route",
    "on_scene": "On scene",
    "transporting": "Transporting",
    "cleared": "Cleared",
    "closed": "Closed",
}

_INCIDENT_NEXT: dict[str, frozenset[str]] = {
    "waiting": frozenset({"dispatched", "closed"}),
    # A unit can be recalled (back to waiting) before it arrives.
    "dispatched": frozenset({"en_route", "on_scene", "waiting", "cleared"}),
    "en_route": frozenset({"on_scene", "waiting", "cleared"}),
    "on_scene": frozenset({"transporting", "cleared"}),
    "transporting": frozenset({"cleared"}),
    "cleared": frozenset({"closed", "dispatched"}),
    "closed": frozenset(),
}

UNIT_STATUSES: dict[str, str] = {
    "available": "Available",
    "dispatched": "Dispatched",
    "en_route": "En route",
    "on_scene": "On scene",
    "transporting": "Transporting",
    "out_of_service": "Out of service",
}

_UNIT_NEXT: dict[str, frozenset[str]] = {
    "available": frozenset({"dispatched", "out_of_service"}),
    "dispatched": frozenset({"en_route", "on_scene", "available", "out_of_service"}),
    "en_route": frozenset({"on_scene", "available", "out_of_service"}),
    "on_scene": frozenset({"transporting", "available", "out_of_service"}),
    "transporting": frozenset({"available", "out_of_service"}),
    "out_of_service": frozenset({"available"}),
}


class IllegalTransition(ValueError):
    """A status change the lifecycle does not allow; the message names both statuses."""


def _check(kind: str, table: dict[str, frozenset[str]], current: str, target: str) -> None:
    if current not in table:
        raise IllegalTransition(f"{kind} status {current!r} is unknown")
    if target not in table:
        raise IllegalTransition(
            f"{kind} status {target!r} is unknown; expected one of {', '.join(table)}"
        )
    if target not in table[current]:
        allowed = ", ".join(sorted(table[current])) or "nothing (it is final)"
        raise IllegalTransition(
            f"{kind} cannot go from {current!r} to {target!r}; from {current!r} it may go to {allowed}"
        )


def allowed_incident_targets(current: str) -> frozenset[str]:
    """The statuses an incident may move to from ``current`` (empty when unknown or final)."""
    return _INCIDENT_NEXT.get(current, frozenset())


def check_incident_transition(current: str, target: str) -> None:
    _check("an incident", _INCIDENT_NEXT, current, target)


def check_unit_transition(current: str, target: str) -> None:
    _check("a unit", _UNIT_NEXT, current, target)


def lead_of_tier(tier: int | None) -> str | None:
    """Tiers 1-2 are led by civilians, 3-4 by police; tier 0 (virtual) has no field lead."""
    if tier is None or tier == 0:
        return None
    return "civilian" if tier <= 2 else "police"


def tier_change_kind(old: int | None, new: int) -> str | None:
    """ "escalation" when the tier rises (civilian -> co-response -> police), "de-escalation"
    when it falls, None when it is unchanged or was unknown (report ~1434, ~1450)."""
    if old is None or old == new:
        return None
    return "escalation" if new > old else "de-escalation"


def crosses_to_police(old: int | None, new: int | None) -> bool:
    """A civilian tier (0-2) became police-led (3-4): the report's "originating as civilian
    response but ultimately resulting in ... police response" (~1434)."""
    return old is not None and new is not None and old <= 2 < new


def crosses_to_civilian(old: int | None, new: int | None) -> bool:
    return old is not None and new is not None and new <= 2 < old


# Incident status -> the timestamp (and actor) field it sets the first time it is reached
# (``<stamp>_at`` / ``<stamp>_by``): the one vocabulary of status times.
_STAMP_OF_STATUS: dict[str, str] = {
    "dispatched": "dispatched",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "cleared": "cleared",
    "closed": "closed",
}
# Incident status -> the status its assigned units follow to.
_UNIT_STATUS_OF_INCIDENT: dict[str, str] = {
    "dispatched": "dispatched",
    "en_route": "en_route",
    "on_scene": "on_scene",
    "transporting": "transporting",
}
# Reaching one of these frees the incident's units.
_RELEASES_UNITS = frozenset({"cleared", "waiting", "closed"})


def stamp_of_status(status: str) -> str | None:
    """The time field (``<name>_at``) an incident's first arrival at ``status`` sets."""
    return _STAMP_OF_STATUS.get(status)


def unit_status_of_incident(status: str) -> str | None:
    """The status the incident's units take when it reaches ``status`` (None: unchanged)."""
    return _UNIT_STATUS_OF_INCIDENT.get(status)


def releases_units(status: str) -> bool:
    return status in _RELEASES_UNITS


def priority_of(tier: int | None, risk_score: int | None) -> int:
    """1 most urgent .. 5 least: from the risk score (likelihood x consequence, report
    ~1130) when there is one, else from the tier."""
    if risk_score is not None:
        for floor, priority in ((15, 1), (10, 2), (5, 3), (3, 4)):
            if risk_score >= floor:
                return priority
        return 5
    return {4: 2, 3: 2, 2: 3, 1: 4, 0: 5}.get(tier if tier is not None else 2, 3)


def programs_after_tier_change(programs: list[str], tier: int) -> list[str]:
    """A police-led tier (3-4) always includes a police response among the programs."""
    out = list(programs)
    if tier >= 3 and "police" not in out:
        out.append("police")
    return out
