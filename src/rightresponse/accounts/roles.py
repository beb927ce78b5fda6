"""The roles people hold and the kinds of agency that are tenants.

Roles are Django auth groups (created by migration) so that the admin can assign them;
these constants are the one place their names are spelled.
"""

from __future__ import annotations

CALL_TAKER = "call_taker"
DISPATCHER = "dispatcher"
RESPONDER = "responder"
SUPERVISOR = "supervisor"
ANALYST = "analyst"
SERVICE_PROVIDER = "service_provider"
ADMINISTRATOR = "administrator"

ROLES: dict[str, str] = {
    CALL_TAKER: "Call taker",
    DISPATCHER: "Dispatcher",
    RESPONDER: "Field responder",
    SUPERVISOR: "Supervisor",
    ANALYST: "Analyst",
    SERVICE_PROVIDER: "Service provider",
    ADMINISTRATOR: "Administrator",
}

# Everyone who handles live calls: used by triage and dispatch endpoints.
EMERGENCY_COMMUNICATIONS = (CALL_TAKER, DISPATCHER, SUPERVISOR)

AGENCY_KINDS: dict[str, str] = {
    "emergency_communications": "911 / emergency communications center",
    "police": "Police department",
    "fire_ems": "Fire and EMS",
    "civilian_response": "Civilian responder program",
    "county": "County department",
    "community_org": "Community organisation",
    "city": "City department",
}
