"""What dispatch needs from the triage protocol: program kinds and call-type categories.

The protocol (contract 1) is the one source of truth; the tables below are used only for
ids the protocol does not define (e.g. an imported EIDD document from another system).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from rightresponse.core.dispatch import PROGRAM_KINDS

log = logging.getLogger(__name__)

FALLBACK_CATEGORIES: dict[str, str] = {
    "behavioral_crisis": "behavioral_health",
    "emotional_support": "behavioral_health",
    "suicidal_person": "behavioral_health",
    "welfare_check": "wellness_check",
    "medical": "medical",
    "overdose": "medical",
    "intoxicated_person": "low_acuity_disorder",
    "low_acuity_disorder": "low_acuity_disorder",
    "trespass": "low_acuity_disorder",
    "noise_complaint": "low_acuity_disorder",
    "traffic_collision": "traffic",
    "parking": "parking",
    "property_crime_report": "property_crime",
    "homelessness_assist": "homelessness",
    "domestic_violence": "domestic_violence",
    "sexual_assault": "sexual_assault",
    "animal": "animal",
    "violence_interrupter_request": "violence_interrupters",
    "assault": "police_core",
    "robbery": "police_core",
    "burglary_in_progress": "police_core",
    "shots_fired": "police_core",
    "violent_crime_in_progress": "police_core",
    "fire": "fire",
    "bias_based_complaint": "bias_based",
}
# Call types where a crisis-trained (CIT) responder is preferred when police respond.
CRISIS_CALL_TYPES = frozenset({"behavioral_crisis", "suicidal_person", "intoxicated_person"})


def protocol() -> Any:
    """The live protocol, through triage's cache (reloaded when the file changes)."""
    try:
        from rightresponse.triage.protocols import active_protocol

        return active_protocol()
    except Exception:  # a broken protocol must not stop dispatch; triage reports it
        log.exception("dispatch: cannot load the protocol %s", settings.RIGHTRESPONSE_PROTOCOL)
        return None


def program_kinds() -> dict[str, str]:
    kinds = dict(PROGRAM_KINDS)
    proto = protocol()
    if proto is not None:
        kinds.update({pid: program.kind for pid, program in proto.programs.items()})
    return kinds


def call_types() -> dict[str, str]:
    """Call-type id -> label."""
    proto = protocol()
    if proto is not None:
        return {cid: ct.label for cid, ct in proto.call_types.items()}
    return {cid: cid.replace("_", " ").capitalize() for cid in FALLBACK_CATEGORIES}


def category_of(call_type: str) -> str:
    proto = protocol()
    if proto is not None and call_type in proto.call_types:
        return str(proto.call_types[call_type].category)
    return FALLBACK_CATEGORIES.get(call_type, "other")
