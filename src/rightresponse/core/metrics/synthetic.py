"""Synthetic fact rows in the shapes of contracts 3 and 4, for benchmarks and tests.

The mix is loosely calibrated on published calls-for-service data: a few categories make
up most calls (report line 989: 23-39% low priority, 18-34% life-threatening), five
precincts (report line 1346) and a small outlying area, long-tailed response times.
Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from rightresponse.core.age_bands import AGE_LABELS, AGE_UNKNOWN

# call type -> (category, weight, initial tier, responder for tiers 0-4)
CALL_TYPES: dict[str, tuple[str, float, int]] = {
    "traffic_collision": ("traffic", 12, 4),
    "parking": ("traffic", 6, 1),
    "noise_complaint": ("disorder", 9, 1),
    "low_acuity_disorder": ("disorder", 8, 1),
    "trespass": ("disorder", 4, 3),
    "property_crime_report": ("property", 10, 0),
    "burglary_in_progress": ("property", 2, 4),
    "welfare_check": ("behavioral_health", 7, 1),
    "behavioral_crisis": ("behavioral_health", 6, 2),
    "suicidal_person": ("behavioral_health", 2, 2),
    "intoxicated_person": ("behavioral_health", 3, 1),
    "homelessness_assist": ("behavioral_health", 3, 1),
    "medical": ("medical", 9, 4),
    "overdose": ("medical", 2, 4),
    "domestic_violence": ("violent", 4, 3),
    "assault": ("violent", 4, 4),
    "robbery": ("violent", 1.5, 4),
    "shots_fired": ("violent", 1, 4),
    "animal": ("other", 2, 0),
    "bias_based_complaint": ("other", 0.3, 3),
}
AREAS = {
    "precinct_1": 22,
    "precinct_2": 20,
    "precinct_3": 25,
    "precinct_4": 18,
    "precinct_5": 14,
    "airport": 1,
}
RESPONDERS = {
    0: ["online_report", "phone_report", "crisis_line_988", "line_311"],
    1: ["community_responder", "behavioral_crisis_team"],
    2: ["behavioral_crisis_team", "cit_co_response"],
    3: ["cit_co_response"],
    4: ["police"],
}
OUTCOMES = [
    "resolved_on_scene",
    "transported",
    "referred",
    "report_taken",
    "arrest",
    "no_action_needed",
]
# The live age bands (core/age_bands.py), as Person.age_band gives them; five labels, as
# before, so the draws that follow are the same (no under-6s: rarely an incident's subject).
AGES = [*AGE_LABELS[2:], AGE_UNKNOWN]
RACES = {"white": 45, "black": 25, "hispanic": 10, "asian": 6, "native_american": 2, "unknown": 12}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def incidents(n: int, start: datetime, end: datetime, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    type_weights = {k: v[1] for k, v in CALL_TYPES.items()}
    type_list = list(type_weights)
    type_w = list(type_weights.values())
    area_list, area_w = list(AREAS), list(AREAS.values())
    race_list, race_w = list(RACES), list(RACES.values())
    locations = max(50, n // 3)
    callers = max(50, n // 2)
    rows = []
    for i in range(n):
        received = start + timedelta(seconds=rng.random() * span)
        call_type = rng.choices(type_list, type_w)[0]
        category, _, tier = CALL_TYPES[call_type]
        initial_type = call_type if rng.random() > 0.12 else rng.choices(type_list, type_w)[0]
        channel = (
            "online"
            if tier == 0 and rng.random() < 0.5
            else rng.choices(
                ["911", "311", "988", "hotline", "direct", "officer"], [80, 8, 3, 3, 3, 3]
            )[0]
        )
        final_tier = tier
        roll = rng.random()
        if tier in (0, 1, 2) and roll < 0.08:
            final_tier = rng.choice([3, 4])
        elif tier in (3, 4) and roll < 0.05:
            final_tier = rng.choice([1, 2])
        lead = {0: None, 1: "civilian", 2: "civilian", 3: "police", 4: "police"}
        responder = rng.choice(RESPONDERS[final_tier])
        answered = (
            received + timedelta(seconds=rng.expovariate(1 / 12)) if rng.random() > 0.02 else None
        )
        in_person = final_tier > 0
        dispatched = (
            received + timedelta(seconds=60 + rng.expovariate(1 / 240))
            if in_person and answered
            else None
        )
        on_scene = dispatched + timedelta(seconds=rng.expovariate(1 / 540)) if dispatched else None
        cleared = (on_scene or answered or received) + timedelta(seconds=rng.expovariate(1 / 1800))
        closed = (
            cleared + timedelta(seconds=rng.expovariate(1 / 600)) if rng.random() > 0.03 else None
        )
        outcome = (
            "report_taken"
            if responder in ("online_report", "phone_report") and rng.random() < 0.8
            else (rng.choice(OUTCOMES) if closed else None)
        )
        eligible_not_served = tier in (1, 2) and final_tier == 4 and rng.random() < 0.5
        rows.append(
            {
                "incident_id": i + 1,
                "call_id": i + 1,
                "received_at": received,
                "answered_at": answered,
                "dispatched_at": dispatched,
                "en_route_at": dispatched,
                "on_scene_at": on_scene,
                "cleared_at": cleared,
                "closed_at": closed,
                "call_type": call_type,
                "initial_call_type": initial_type,
                "category": category,
                "initial_category": CALL_TYPES[initial_type][0],
                "channel": channel,
                "area": rng.choices(area_list, area_w)[0],
                "initial_tier": tier,
                "final_tier": final_tier,
                "initial_lead": lead[tier],
                "final_lead": lead[final_tier],
                "responder_type": responder,
                "escalated": tier <= 2 and final_tier >= 3 and not eligible_not_served,
                "deescalated": tier >= 3 and final_tier <= 2,
                "lead_switches": 1 if lead[tier] != lead[final_tier] and tier and final_tier else 0,
                "disposition": outcome or "",
                "outcome": outcome,
                "use_of_force": final_tier >= 3 and rng.random() < 0.02,
                "referrals_made": rng.choice([0, 0, 0, 1, 2]) if in_person else 0,
                "eligible_not_served": eligible_not_served,
                "eligible_not_served_reason": rng.choice(
                    ["off_hours", "out_of_area", "none_available"]
                )
                if eligible_not_served
                else None,
                "location_key": f"loc-{rng.randrange(locations)}" if rng.random() > 0.1 else "",
                "caller_key": f"caller-{rng.randrange(callers)}" if channel != "officer" else "",
                "age_band": rng.choice(AGES),
                "gender": rng.choice(["female", "male", "nonbinary", "unknown"]),
                "race_ethnicity": rng.choices(race_list, race_w)[0],
            }
        )
    return rows


def referrals(incident_rows: list[dict[str, Any]], seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    statuses = [
        "requested",
        "accepted",
        "in-progress",
        "completed",
        "completed",
        "rejected",
        "failed",
        "draft",
    ]
    for row in incident_rows:
        for _ in range(row["referrals_made"]):
            status = rng.choice(statuses)
            second = rng.random() < 0.2
            out.append(
                {
                    "referral_id": len(out) + 1,
                    "incident_id": row["incident_id"],
                    "source": "second_response" if second else "incident",
                    "incident_category": row["category"],
                    "service_id": f"svc-{rng.randrange(40)}",
                    "service_category": rng.choice(["preventive", "responsive", "restorative"]),
                    "subcategory": "",
                    "created_at": row["received_at"] + timedelta(hours=2),
                    "accepted_at": None,
                    "first_contact_at": None,
                    "completed_at": None,
                    "status": status,
                    "outcome_reason": "got_help" if status == "completed" else None,
                    "is_second_response": second,
                    "reached": None if status == "draft" else rng.random() < 0.7,
                    "connected": status == "completed" or None,
                }
            )
    return out
