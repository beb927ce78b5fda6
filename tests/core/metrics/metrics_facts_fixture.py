"""A small fact data set whose metric values are worked out by hand in test_compute.py.

Eleven incidents in March 2026 (plus one in April, outside the period) and seven
referrals, in the shapes of contracts 3 (incident facts) and 4 (referral facts).
Times are seconds after the call was received.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

MARCH = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
JANUARY = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))

BH, VIOLENT, DISORDER, PROPERTY = "behavioral_health", "violent", "disorder", "property"

# fmt: off
# id channel  initial_type            call_type               init_cat  category  area
#    it ft  initial_lead final_lead  responder               esc    desc   sw outcome
#    force  refs ens    reason       location caller  race       age      answered dispatched scene cleared closed
INCIDENTS = [
    (1, "911", "behavioral_crisis", "behavioral_crisis", BH, BH, "north",
     1, 1, "civilian", "civilian", "community_responder", False, False, 0, "resolved_on_scene",
     False, 1, False, None, "L1", "C1", "black", "26+", 60, 120, 600, 1800, 2400),
    (2, "911", "welfare_check", "welfare_check", BH, BH, "north",
     1, 3, "civilian", "police", "cit_co_response", True, False, 1, "transported",
     False, 0, False, None, "L1", "C2", "white", "26+", 30, 300, 900, 3600, 3600),
    (3, "911", "assault", "assault", VIOLENT, VIOLENT, "south",
     4, 4, "police", "police", "police", False, False, 0, "arrest",
     True, 0, False, None, "L2", "C3", "black", "21-26", 10, 60, 300, 1200, 1800),
    (4, "911", "trespass", "low_acuity_disorder", PROPERTY, DISORDER, "south",
     4, 2, "police", "civilian", "community_responder", False, True, 1, "referred",
     False, 2, False, None, "L3", "C1", "unknown", "unknown", 20, 240, 1200, 2400, 3000),
    (5, "online", "property_crime_report", "property_crime_report", PROPERTY, PROPERTY, "north",
     0, 0, None, None, "online_report", False, False, 0, "report_taken",
     False, 0, False, None, "", "", "white", "26+", 0, None, None, 600, 900),
    (6, "911", "property_crime_report", "property_crime_report", PROPERTY, PROPERTY, "south",
     0, 0, None, None, "phone_report", False, False, 0, None,
     False, 0, False, None, "L4", "C4", "black", "26+", 45, None, None, None, None),
    (7, "hotline", "behavioral_crisis", "behavioral_crisis", BH, BH, "north",
     0, 0, None, None, "crisis_line_988", False, False, 0, "referred",
     False, 1, False, None, "", "C5", "white", "12-21", 15, None, None, 1500, 1500),
    (8, "hotline", "suicidal_person", "suicidal_person", BH, BH, "south",
     0, 1, None, "civilian", "behavioral_crisis_team", False, False, 0, "transported",
     False, 0, False, None, "L5", "C5", "black", "12-21", 25, 400, 1500, 3000, 3300),
    (9, "hotline", "behavioral_crisis", "behavioral_crisis", BH, BH, "north",
     0, 0, None, None, "crisis_line_988", False, False, 0, "no_action_needed",
     False, 0, False, None, "", "C6", "unknown", "unknown", None, None, None, None, 100),
    (10, "911", "noise_complaint", "noise_complaint", DISORDER, DISORDER, "north",
     2, 2, "civilian", "civilian", "community_responder", False, False, 0, "resolved_on_scene",
     False, 0, False, None, "L1", "C7", "white", "26+", 50, 200, 1000, 2000, 2000),
    (11, "911", "behavioral_crisis", "behavioral_crisis", BH, BH, "south",
     1, 4, "civilian", "police", "police", False, False, 0, "resolved_on_scene",
     False, 0, True, "off_hours", "L6", "C8", "black", "26+", 40, 500, 1300, 2500, 2600),
    # Outside March: must never count.
    (12, "911", "assault", "assault", VIOLENT, VIOLENT, "north",
     4, 4, "police", "police", "police", False, False, 0, "arrest",
     True, 0, False, None, "L2", "C3", "black", "21-26", 10, 60, 300, 1200, 1800),
]

# id incident source           category  service_category status        connected reached second
REFERRALS = [
    (1, 1, "incident", BH, "responsive", "completed", True, True, False),
    (2, 4, "incident", DISORDER, "restorative", "completed", True, True, False),
    (3, 4, "incident", DISORDER, "preventive", "rejected", False, True, False),
    (4, 7, "hotline", BH, "responsive", "requested", None, None, False),
    (5, 2, "second_response", BH, "restorative", "in-progress", None, False, True),
    (6, None, "navigator", None, "preventive", "draft", None, None, False),
    (7, 3, "second_response", VIOLENT, "restorative", "completed", True, True, True),
    # A completed referral that is not a second response: connected is left null.
    (8, 10, "incident", DISORDER, "responsive", "completed", None, None, False),
]
# fmt: on

FIELDS = [
    "incident_id",
    "channel",
    "initial_call_type",
    "call_type",
    "initial_category",
    "category",
    "area",
    "initial_tier",
    "final_tier",
    "initial_lead",
    "final_lead",
    "responder_type",
    "escalated",
    "deescalated",
    "lead_switches",
    "outcome",
    "use_of_force",
    "referrals_made",
    "eligible_not_served",
    "eligible_not_served_reason",
    "location_key",
    "caller_key",
    "race_ethnicity",
    "age_band",
]
OFFSETS = ("answered_at", "dispatched_at", "on_scene_at", "cleared_at", "closed_at")


def incident_rows() -> list[dict[str, Any]]:
    rows = []
    for spec in INCIDENTS:
        row = dict(zip(FIELDS, spec[: len(FIELDS)], strict=True))
        n = row["incident_id"]
        received = (
            datetime(2026, 4, 5, tzinfo=UTC) if n == 12 else datetime(2026, 3, 2, tzinfo=UTC)
        ) + timedelta(hours=n)
        row["call_id"] = 100 + n
        row["received_at"] = received
        row["en_route_at"] = None
        for name, seconds in zip(OFFSETS, spec[len(FIELDS) :], strict=True):
            row[name] = None if seconds is None else received + timedelta(seconds=seconds)
        row["disposition"] = row["outcome"] or ""
        row["gender"] = "unknown"
        rows.append(row)
    return rows


def referral_rows() -> list[dict[str, Any]]:
    created = datetime(2026, 3, 3, 12, tzinfo=UTC)
    return [
        {
            "referral_id": rid,
            "incident_id": incident,
            "source": source,
            "incident_category": category,
            "service_id": f"svc-{rid}",
            "service_category": service_category,
            "subcategory": "",
            "created_at": created + timedelta(hours=rid),
            "accepted_at": None,
            "first_contact_at": None,
            "completed_at": None,
            "status": status,
            "outcome_reason": None,
            "is_second_response": second,
            "reached": reached,
            "connected": connected,
        }
        for rid, incident, source, category, service_category, status, connected, reached, second in REFERRALS
    ]


# Telephone and online reports (issue 13): times are seconds after the report was opened.
# fmt: off
# id channel  status       taken closed category  area     advised referred
VIRTUAL_REPORTS = [
    (1, "online", "completed", None, 600, PROPERTY, "north", None, False),
    (2, "911", "completed", 300, 900, PROPERTY, "south", True, True),
    (3, "311", "abandoned", 120, 240, PROPERTY, "north", False, False),
    (4, "online", "abandoned", None, None, PROPERTY, None, None, False),  # never sent
    (5, "911", "initiated", None, None, BH, "south", False, False),  # still open
    (6, "online", "elevated", None, 180, PROPERTY, None, None, False),  # told to call 911
    (7, "911", "completed", 60, 120, PROPERTY, "south", True, False),  # April
]
# Hotline contacts: seconds after the transfer (or the ring).
# id channel hotline handoff status   outcome    answered closed reached elevated referred
#    tier  category area caller
HOTLINE_CONTACTS = [
    (1, "911", "988", "warm", "closed", "resolved", 30, 1230, True, False, False,
     0, BH, "north", "C5"),
    (2, "911", "988", "cold", "handed_back", "handed_back", 60, 960, True, True, False,
     2, BH, "south", "C5"),
    (3, "911", "988", "warm", "closed", "no_contact", 90, 390, False, False, False,
     0, BH, "north", "C6"),
    (4, "911", "311", "cold", "declined", "declined", 20, 20, None, None, False,
     None, PROPERTY, "south", "C7"),
    (5, "988", "988", None, "direct", "resolved", 15, None, True, False, True,
     0, BH, "north", "C8"),  # on the hotline's own line
    (6, "911", "988", "warm", "requested", None, None, None, None, None, False,
     None, BH, "south", "C9"),  # not answered yet
    (7, "911", "988", "warm", "closed", "resolved", 40, 400, True, False, False,
     0, BH, "north", "C5"),  # April
]
# fmt: on


def virtual_report_rows() -> list[dict[str, Any]]:
    rows = []
    for n, channel, status, taken, closed, category, area, advised, referred in VIRTUAL_REPORTS:
        opened = datetime(2026, 4, 6, tzinfo=UTC) if n == 7 else datetime(2026, 3, 10, tzinfo=UTC)
        opened += timedelta(hours=n)
        closed_at = None if closed is None else opened + timedelta(seconds=closed)
        rows.append({
            "received_at": opened, "channel": channel, "status": status,
            "answered_at": None if taken is None else opened + timedelta(seconds=taken),
            "cleared_at": None if taken is None else closed_at, "closed_at": closed_at,
            "call_type": "property_crime_report", "category": category, "area": area,
            "advised_direct": advised, "referred": referred,
        })  # fmt: skip
    return rows


def hotline_contact_rows() -> list[dict[str, Any]]:
    rows = []
    for (n, channel, hotline, handoff, status, outcome, answered, closed, reached, elevated,
         referred, tier, category, area, caller) in HOTLINE_CONTACTS:  # fmt: skip
        received = datetime(2026, 4, 6, tzinfo=UTC) if n == 7 else datetime(2026, 3, 12, tzinfo=UTC)
        received += timedelta(hours=n)
        rows.append({
            "received_at": received, "channel": channel, "hotline": hotline, "handoff": handoff,
            "status": status, "outcome": outcome,
            "answered_at": None if answered is None else received + timedelta(seconds=answered),
            "cleared_at": None if closed is None else received + timedelta(seconds=closed),
            "reached": reached, "elevated": elevated, "referred": referred, "final_tier": tier,
            "category": category, "area": area, "caller_key": caller,
        })  # fmt: skip
    return rows
