"""Demo units, members and hazards for the demo agencies, a year of closed incidents for the
metrics (demo_history.py), and ``demo_stream()``: a simulated stream of calls so the live board moves."""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import close_old_connections
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.triage.models import Call

from . import calibration, demo_history, services
from . import protocol as proto
from .models import (
    Incident,
    LocationHazard,
    Unit,
    UnitMember,
)

log = logging.getLogger(__name__)

# The report's city: Minneapolis, five police precincts (approximate middles), matching the
# areas the triage demo uses.
AREAS = {
    "Precinct 1": (44.976, -93.272),
    "Precinct 2": (45.005, -93.245),
    "Precinct 3": (44.935, -93.245),
    "Precinct 4": (45.010, -93.300),
    "Precinct 5": (44.935, -93.305),
}
STAR_PILOT_HOURS = "Mon-Fri 10:00-18:00"  # Denver STAR's pilot hours (report ~1243)

# call sign, agency, program, kind, capabilities, areas, hours, home area
UNITS = [
    *[(f"PD-{a[-1]}{'AB'[n - 1]}", "metro-pd", "police", "police",
       ["CIT"] if n == 1 else [], [a], "24/7", a) for a in AREAS for n in (1, 2)],
    ("CIT-1", "metro-pd", "cit_co_response", "co_response", ["CIT", "clinician"], [], "Mon-Sun 08:00-24:00", "Precinct 1"),
    ("CIT-2", "metro-pd", "cit_co_response", "co_response", ["CIT", "clinician"], [], "Mon-Sun 12:00-24:00", "Precinct 3"),
    ("CARE-1", "care-team", "community_responder", "civilian", ["EMT", "clinician"], ["Precinct 1", "Precinct 4", "Precinct 2"], "Mon-Sun 07:00-23:00", "Precinct 1"),
    ("CARE-2", "care-team", "community_responder", "civilian", ["EMT", "clinician"], ["Precinct 3", "Precinct 5", "Precinct 1"], "Mon-Sun 07:00-23:00", "Precinct 3"),
    ("CARE-3", "care-team", "community_responder", "civilian", ["EMT", "peer_support"], ["Precinct 4", "Precinct 2"], STAR_PILOT_HOURS, "Precinct 4"),
    ("CARE-4", "care-team", "community_responder", "civilian", ["EMT", "lang:es"], ["Precinct 3", "Precinct 5"], STAR_PILOT_HOURS, "Precinct 5"),
    ("BCT-1", "county-bh", "behavioral_crisis_team", "civilian", ["clinician", "peer_support"], [], "Mon-Sun 08:00-22:00", "Precinct 1"),
    ("BCT-2", "county-bh", "behavioral_crisis_team", "civilian", ["clinician", "lang:es"], ["Precinct 3", "Precinct 5"], "Mon-Fri 10:00-20:00", "Precinct 3"),
    ("M-1", "metro-fire", "ems", "medical", ["EMT", "paramedic", "naloxone"], [], "24/7", "Precinct 1"),
    ("M-2", "metro-fire", "ems", "medical", ["EMT", "paramedic", "naloxone"], [], "24/7", "Precinct 4"),
    ("M-3", "metro-fire", "ems", "medical", ["EMT", "naloxone"], [], "24/7", "Precinct 3"),
    ("E-1", "metro-fire", "fire", "fire", ["EMT"], [], "24/7", "Precinct 2"),
    ("DV-1", "safe-harbor", "dv_advocate", "civilian", ["DV_advocate", "lang:es"], [], "Mon-Fri 09:00-21:00", "Precinct 2"),
    ("VI-1", "city-ops", "violence_interrupters", "civilian", ["peer_support"], ["Precinct 3", "Precinct 2"], "Mon-Sun 16:00-23:59", "Precinct 3"),
]  # fmt: skip
FIRST = ["Alex", "Blair", "Carmen", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivan", "June", "Kai",
         "Lena", "Marco", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sol", "Tariq", "Uma", "Vic"]  # fmt: skip
LAST = ["Ahmed", "Baker", "Chen", "Diaz", "Evans", "Fox", "Garcia", "Hill", "Ito", "Jones", "Kim",
        "Lopez", "Mills", "Nguyen", "Ortiz", "Patel", "Reyes", "Singh", "Tran", "Wong"]  # fmt: skip
DEMO_USERS = {"officer": "PD-1A", "responder": "CARE-1", "clinician": "BCT-1"}

# Call-type mix, channels and the hour-of-week pattern measured on real Seattle calls
# (calibration.py explains how; demo_calibration.json holds the figures).
CALIBRATION = calibration.load()
CALL_MIX: dict[str, float] = CALIBRATION["call_type_mix"]
HOUR_OF_WEEK: list[float] = CALIBRATION["hour_of_week"]
HOTSPOT_SHARE = 0.12
# The samples have 911 and the non-emergency line only; the 988 and walk-up shares are the
# demo's own, so those channels show up on the pages.
CHANNEL_MIX = {**{c: share * 0.92 for c, share in CALIBRATION["channel_mix"].items()},
               "988": 0.05, "direct": 0.03}  # fmt: skip
QUESTIONS = ["weapon", "violence", "medical_emergency", "substance_escalating", "threat_to_life",
             "crime_in_progress", "suspect_on_scene", "victim_in_danger", "injury",
             "firearm_or_vehicle_involved", "caller_requests_police"]  # fmt: skip
STREETS = ["Hennepin Ave", "Lake St", "Nicollet Ave", "W Broadway Ave", "Franklin Ave",
           "Chicago Ave", "Lyndale Ave", "Central Ave NE", "Penn Ave N", "Cedar Ave",
           "Portland Ave", "Bloomington Ave"]  # fmt: skip


def _hotspots(count: int = 40) -> list[tuple[str, str, float, float]]:
    rng = random.Random(99)
    spots = []
    for _ in range(count):
        area = rng.choice(list(AREAS))
        lat, lon = _near(area, rng, 0.025)
        spots.append((area, f"{rng.randint(1, 45) * 100} {rng.choice(STREETS)}", lat, lon))
    return spots


def _near(area: str, rng: random.Random, spread: float = 0.012) -> tuple[float, float]:
    lat, lon = AREAS[area]
    return lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread)


HOTSPOTS = _hotspots()


def seed(stdout: Any) -> None:
    rng = random.Random(2026)
    agencies = {a.slug: a for a in Agency.objects.all()}
    for sign, agency, program, kind, caps, areas, hours, home in UNITS:
        lat, lon = _near(home, rng, 0.006)
        unit, made = Unit.objects.get_or_create(
            call_sign=sign,
            defaults={
                "agency": agencies[agency],
                "program": program,
                "kind": kind,
                "capabilities": caps,
                "areas": areas,
                "service_hours": hours,
                "latitude": lat,
                "longitude": lon,
            },  # fmt: skip
        )
        if made:
            for i in range(2):
                UnitMember.objects.create(
                    agency=unit.agency, unit=unit, employee_id=f"{sign}-{i + 1}",
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", capabilities=caps,
                    shift=hours if hours != "24/7" else rng.choice(
                        ["Mon-Sun 06:00-18:00", "Mon-Sun 18:00-06:00"]),
                )  # fmt: skip
    for username, sign in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        unit = Unit.objects.get(call_sign=sign)
        if user is not None and not UnitMember.objects.filter(user=user).exists():
            UnitMember.objects.create(agency=unit.agency, unit=unit, user=user,
                                      employee_id=f"demo-{username}", name=user.get_full_name(),
                                      capabilities=unit.capabilities, shift=unit.service_hours)  # fmt: skip
    if not LocationHazard.objects.exists():
        pd = agencies["metro-pd"]
        LocationHazard.objects.create(agency=pd, address="2700 E Lake St", latitude=44.948,
                                      longitude=-93.232, radius_m=120, flag="violent propensity",
                                      detail="Resident threatened responders with a knife, 2025-06")  # fmt: skip
        LocationHazard.objects.create(agency=pd, address="800 Hennepin Ave", latitude=44.977,
                                      longitude=-93.275, flag="aggressive dog",
                                      detail="Large dog loose in the yard; owner cooperative")  # fmt: skip
    # Calls the triage demo made before any unit existed get their recommendation now.
    for incident in Incident.objects.filter(status="waiting"):
        services.incident_recommend(incident)
    if not Incident.objects.filter(call__narrative__startswith=demo_history.MARKER).exists():
        count = demo_history.seed_history(
            rng, agencies["metro-911"], _call, services.priority_of, (FIRST, LAST)
        )
        stdout.write(
            f"  {count} closed demo incidents over the last {demo_history.HISTORY_DAYS} days"
        )
    stdout.write(f"  {Unit.objects.count()} units, {UnitMember.objects.count()} members")


def _pick_call_type(rng: random.Random) -> str:
    types = [t for t in CALL_MIX if t in proto.call_types()]
    return rng.choices(types, weights=[CALL_MIX[t] for t in types])[0]


def _answers(rng: random.Random, call_type: str) -> dict[str, str]:
    risky = call_type in ("assault", "robbery", "shots_fired", "violent_crime_in_progress",
                          "burglary_in_progress", "domestic_violence")  # fmt: skip
    p_yes = 0.4 if risky else 0.015
    answers = {}
    for q in QUESTIONS:
        roll = rng.random()
        answers[q] = "yes" if roll < p_yes else ("unknown" if roll < p_yes + 0.03 else "no")
    return answers


def _triage(call_type: str, answers: dict[str, str], at: datetime, area: str) -> dict[str, Any]:
    protocol = proto.protocol()
    if protocol is None:
        return {"tier": 4, "lead": "police", "programs": ["police"], "screened_out": False,
                "risk": {"score": 9, "band": "high"}, "category": proto.category_of(call_type),
                "protocol_version": "none", "call_type": call_type, "reasons": [], "ask_next": []}  # fmt: skip
    from rightresponse.triage.services import call_decide

    # As live calls are decided: at their time and in their area (programs' hours, areas).
    decision = call_decide(protocol, call_type, answers, received_at=at, area=area)
    return dict(decision.to_dict())


def _call(rng: random.Random, agency: Agency, at: datetime, marker: str = "") -> Call:
    call_type = _pick_call_type(rng)
    answers = _answers(rng, call_type)
    if rng.random() < HOTSPOT_SHARE:
        # A few places call again and again (a shelter, a bar, a transit stop): the
        # location-recurrence measures and the board's "earlier calls here" flag.
        area, address, lat, lon = rng.choice(HOTSPOTS)
    else:
        area = rng.choice(list(AREAS))
        lat, lon = _near(area, rng, 0.03)
        address = f"{rng.randint(100, 4999)} {rng.choice(STREETS)}"
    decision = _triage(call_type, answers, at, area)
    return Call(
        agency=agency, received_at=at, answered_at=at + timedelta(seconds=rng.randint(2, 25)),
        answer_wait_measured=True,
        triaged_at=at + timedelta(seconds=rng.randint(40, 150)),
        channel=rng.choices(list(CHANNEL_MIX), weights=list(CHANNEL_MIX.values()))[0],
        caller_phone=f"612555{rng.randint(0, 9999):04d}",
        address=address, latitude=lat, longitude=lon,
        area=area, call_type=call_type, answers=answers, decision=decision,
        narrative=marker, protocol_version=decision.get("protocol_version", ""),
        tier=decision["tier"], lead=decision.get("lead") or "",
        risk_score=decision["risk"]["score"], risk_band=decision["risk"]["band"],
        screened_out=bool(decision.get("screened_out")),
    )  # fmt: skip


# ---------------------------------------------------------------- the live stream


def _stream_step(rng: random.Random) -> None:
    """One tick: maybe a new call, and move some incidents along like a dispatcher and
    responders would."""
    agency = Agency.objects.filter(slug="metro-911").first()
    dispatcher = User.objects.filter(username="dispatcher").first()
    if agency is None:
        return
    now = timezone.now()
    local = timezone.localtime(now)
    slot = local.weekday() * 24 + local.hour
    if rng.random() < 0.15 + 0.45 * HOUR_OF_WEEK[slot] / max(HOUR_OF_WEEK):
        # The same intake action as the call-taker page: call, decision and incident or
        # virtual case in one write.
        from rightresponse.intake.services import call_intake
        from rightresponse.triage.services import CallDetails

        shape = _call(rng, agency, now - timedelta(seconds=rng.randint(60, 150)))
        call_intake(
            user=None, agency=agency, call_type=shape.call_type, answers=shape.answers,
            details=CallDetails(
                channel=shape.channel, caller_phone=shape.caller_phone, address=shape.address,
                latitude=shape.latitude, longitude=shape.longitude, area=shape.area,
                received_at=shape.received_at, answered_at=shape.answered_at,
            ),
        )  # fmt: skip
    for incident in Incident.objects.filter(status="waiting").order_by("priority", "received_at")[
        :3
    ]:
        waited = (now - incident.received_at).total_seconds()
        candidates = services.incident_recommend(incident).to_dict()["candidates"]
        if candidates and waited > rng.uniform(20, 60):
            try:
                services.incident_assign(incident.pk, candidates[0]["unit_id"], dispatcher)
            except Exception:  # a unit taken meanwhile: recommend again next tick
                services.incident_recommend(incident)
    steps = {"dispatched": "en_route", "en_route": "on_scene", "on_scene": "cleared"}
    since = {"dispatched": "dispatched_at", "en_route": "en_route_at", "on_scene": "on_scene_at"}
    for incident in Incident.objects.filter(status__in=list(steps)).order_by("?")[:6]:
        last = getattr(incident, since[incident.status]) or incident.received_at
        # Realistic-looking pace: each stage lasts a little while on the board.
        if (now - last).total_seconds() > rng.uniform(15, 75):
            responder = None
            try:
                if (
                    incident.status == "on_scene"
                    and rng.random() < 0.08
                    and (incident.tier or 0) <= 2
                ):
                    services.incident_change_tier(incident.pk, 3, responder, "weapon seen on scene")
                services.incident_set_status(incident.pk, steps[incident.status], responder)
            except Exception:
                log.debug("demo: could not move incident %s", incident.pk, exc_info=True)
    for incident in Incident.objects.filter(
        status="cleared", cleared_at__lt=now - timedelta(seconds=10)
    )[:3]:
        outcome = rng.choices(["resolved_on_scene", "referred", "transported", "report_taken",
                               "no_action_needed"], weights=[45, 25, 10, 10, 10])[0]  # fmt: skip
        try:
            services.incident_close(incident.pk, None, disposition=outcome.replace("_", " "),
                                    outcome=outcome, referrals_made=int(outcome == "referred"))  # fmt: skip
        except Exception:
            log.debug("demo: could not close incident %s", incident.pk, exc_info=True)


def demo_stream() -> None:
    """Run forever (in a daemon thread started by serve_demo): a new call every several
    seconds from the call-type mix and the hourly pattern, triaged by the protocol."""
    rng = random.Random()
    time.sleep(3)  # let the server start first
    while True:
        try:
            _stream_step(rng)
        except Exception:  # keep the demo alive whatever one tick does
            log.exception("dispatch demo stream")
        finally:
            close_old_connections()
        time.sleep(rng.uniform(3, 7))
