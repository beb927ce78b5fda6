"""Writes of the dispatch pillar, one module per concern (Zulip's ``actions/``):

- ``intake``: the incident of a triaged call (called by the intake action,
  ``intake/services.py``), and a call re-triaged before dispatch;
- ``recommendation``: what an incident needs and which units the core recommends;
- ``assignment``: sending units, eligible-but-not-served records, backup;
- ``status``: incident and unit lifecycles;
- ``reclassification``: call type, tier (escalation / de-escalation) and lead changes;
- ``closeout``: disposition, outcome, use of force;
- ``people``, ``eidd_import``, ``idempotency``.

The rules these actions apply (allowed transitions, status times, priority, the
recommendation) are in the core (``core/dispatch/``). Every write runs in one transaction
and records an IncidentEvent saying who, when and why. Callers import this package
(``from rightresponse.dispatch import services``); the names below are its interface.
"""

from rightresponse.core.dispatch import priority_of

from .assignment import incident_assign, incident_request_backup
from .closeout import incident_close
from .eidd_import import incident_import_eidd
from .idempotency import idempotent, request_fingerprint
from .intake import incident_create_from_call, incident_follow_retriage
from .people import incident_link_person
from .reclassification import (
    incident_change_tier,
    incident_reclassify,
    incident_switch_lead,
)
from .recommendation import (
    _unit_infos,
    incident_need,
    incident_recommend,
    incidents_refresh_recommendations,
)
from .status import incident_set_status, unit_set_status

__all__ = [
    "_unit_infos",
    "idempotent",
    "incident_assign",
    "incident_change_tier",
    "incident_close",
    "incident_create_from_call",
    "incident_follow_retriage",
    "incident_import_eidd",
    "incident_link_person",
    "incident_need",
    "incident_recommend",
    "incident_reclassify",
    "incident_request_backup",
    "incident_set_status",
    "incident_switch_lead",
    "incidents_refresh_recommendations",
    "priority_of",
    "request_fingerprint",
    "unit_set_status",
]
