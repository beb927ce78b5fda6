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
# The protocol studio (issue 19): authors draft protocol changes; a different person with
# the approver role (or an administrator) approves and publishes them (two-person rule).
PROTOCOL_AUTHOR = "protocol_author"
PROTOCOL_APPROVER = "protocol_approver"

ROLES: dict[str, str] = {
    CALL_TAKER: "Call taker",
    DISPATCHER: "Dispatcher",
    RESPONDER: "Field responder",
    SUPERVISOR: "Supervisor",
    ANALYST: "Analyst",
    SERVICE_PROVIDER: "Service provider",
    ADMINISTRATOR: "Administrator",
    PROTOCOL_AUTHOR: "Protocol author",
    PROTOCOL_APPROVER: "Protocol approver",
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
