"""Pure dispatch logic: which unit to send, which status may follow which, how long things
took, and the NENA EIDD mapping. No Django, no database (checked by mypy --strict)."""

from __future__ import annotations

from .briefing import (
    SAFETY_QUESTIONS,
    WAIT_TARGET_MINUTES,
    SafetyAnswer,
    age_band,
    field_next_statuses,
    plain_status_refusal,
    safety_answers,
)
from .eidd import EiddError, eidd_from_incident, incident_from_eidd
from .geo import haversine_km, point_in_polygon, travel_minutes
from .hours import HoursError, ServiceHours, parse_hours
from .intervals import INCIDENT_INTERVALS, derived_intervals
from .recommend import (
    FALLBACK_CHAIN,
    PROGRAM_KINDS,
    Candidate,
    IncidentNeed,
    Recommendation,
    UnitChoice,
    UnitInfo,
    recommend,
    unit_choices,
    why_not_recommended,
)
from .status import (
    INCIDENT_STATUSES,
    UNIT_STATUSES,
    IllegalTransition,
    allowed_incident_targets,
    check_incident_transition,
    check_unit_transition,
    crosses_to_civilian,
    crosses_to_police,
    lead_of_tier,
    priority_of,
    programs_after_tier_change,
    releases_units,
    stamp_of_status,
    tier_change_kind,
    unit_status_of_incident,
)

__all__ = [
    "priority_of",
    "programs_after_tier_change",
    "releases_units",
    "stamp_of_status",
    "unit_status_of_incident",
    "WAIT_TARGET_MINUTES",
    "age_band",
    "SAFETY_QUESTIONS",
    "SafetyAnswer",
    "allowed_incident_targets",
    "field_next_statuses",
    "plain_status_refusal",
    "safety_answers",
    "FALLBACK_CHAIN",
    "INCIDENT_STATUSES",
    "INCIDENT_INTERVALS",
    "PROGRAM_KINDS",
    "UNIT_STATUSES",
    "Candidate",
    "EiddError",
    "HoursError",
    "IllegalTransition",
    "IncidentNeed",
    "Recommendation",
    "ServiceHours",
    "UnitChoice",
    "UnitInfo",
    "check_incident_transition",
    "check_unit_transition",
    "crosses_to_civilian",
    "crosses_to_police",
    "derived_intervals",
    "eidd_from_incident",
    "haversine_km",
    "incident_from_eidd",
    "lead_of_tier",
    "parse_hours",
    "point_in_polygon",
    "recommend",
    "tier_change_kind",
    "travel_minutes",
    "unit_choices",
    "why_not_recommended",
]
