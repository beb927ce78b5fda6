"""A year of closed demo incidents written in bulk, so every metrics page (the public
dashboard suppresses cells under 11, report ~374-379) has real numbers from the first start.

The services stamp "now" and do one incident at a time; here every timestamp is computed
first and the rows go in with ``bulk_create``, keeping what the services guarantee: a unit
is on one incident at a time (its assignments never overlap), timestamps follow the status
order, every closed incident has a disposition with an outcome, escalation and lead-switch
events match the incident's flags. tests/dispatch/test_dispatch_demo_history.py checks it.

Calibration: call types, channels and the hour-of-week pattern from the Seattle samples
(``calibration.py``); interval lengths by priority from the DECC CAD export measured by the
analytics generator (``DEFAULT_TIMINGS``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.core.analytics.generator import DEFAULT_TIMINGS
from rightresponse.people.models import Person
from rightresponse.triage.models import Call

from . import calibration
from .models import (
    Assignment,
    Disposition,
    EligibleNotServed,
    Incident,
    IncidentEvent,
    PersonLink,
    Unit,
    UseOfForceReport,
)

MARKER = "[demo history]"
HISTORY_DAYS = 365
HISTORY_CALLS = 6000  # about three in four become incidents (the rest virtual or screened out)
CIVILIAN_PROGRAMS = ("community_responder", "behavioral_crisis_team", "dv_advocate",
                     "violence_interrupters")  # fmt: skip
# Roughly Minneapolis's census shares (ACS 2020), for the equity breakdowns.
RACE_ETHNICITY = {"White": 58, "Black or African American": 19, "Hispanic or Latino": 10,
                  "Asian": 6, "Two or more races": 5, "American Indian or Alaska Native": 2}  # fmt: skip
GENDER = {"male": 54, "female": 44, "non-binary": 2}
FORCE_TYPES = ["handcuffing", "takedown", "taser", "OC spray", "physical restraint"]


@dataclass
class Plan:
    """One incident's precomputed rows, before any is saved."""

    call: Call
    incident: Incident
    unit: Unit
    events: list[tuple[datetime, str, str, str, str]] = field(default_factory=list)
    outcome: str = ""
    not_served: str = ""
    force: bool = False
    person_index: int | None = None


def _lognormal(rng: random.Random, median: float, sd: float, cap: float) -> float:
    return min(cap, max(5.0, median * math.exp(rng.gauss(0, min(sd, 1.2)))))


def _times(rng: random.Random, count: int, now: datetime) -> list[datetime]:
    """Received times over the last year following the calibrated hour-of-week weights,
    with a gentle rise in volume over the year so trends have a direction."""
    weights = calibration.load()["hour_of_week"]
    tz = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localtime(now, tz).date()
    monday = today - timedelta(days=today.weekday())
    out: list[datetime] = []
    while len(out) < count:
        slot = rng.choices(range(168), weights=weights)[0]
        week = rng.randrange(53)
        if rng.random() > 1 - 0.15 * week / 52:
            continue  # volume grows ~15 % over the year, so the trend lines have a direction
        day: date = monday - timedelta(weeks=week) + timedelta(days=slot // 24)
        at = datetime(day.year, day.month, day.day, slot % 24, rng.randrange(60),
                      rng.randrange(60), tzinfo=tz)  # fmt: skip
        if timedelta(hours=3) < now - at < timedelta(days=HISTORY_DAYS):
            out.append(at.astimezone(UTC))  # UTC: wall-clock arithmetic across DST goes backwards
    return sorted(out)


def _within_hours(program: str, at: datetime) -> bool:
    """Civilian teams work days and evenings (the demo units' hours, ~07:00-23:00)."""
    hour = timezone.localtime(at).hour
    return not (program in CIVILIAN_PROGRAMS and (hour >= 23 or hour < 7))


def _outcome(rng: random.Random, lead: str, program: str) -> str:
    if program in ("ems", "fire"):
        weights = {
            "transported": 55,
            "resolved_on_scene": 30,
            "referred": 10,
            "no_action_needed": 5,
        }
    elif lead == "civilian":
        weights = {
            "resolved_on_scene": 45,
            "referred": 30,
            "transported": 8,
            "no_action_needed": 17,
        }
    else:
        weights = {"report_taken": 32, "resolved_on_scene": 24, "no_action_needed": 18,
                   "arrest": 12, "referred": 9, "transported": 5}  # fmt: skip
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _people(
    rng: random.Random, agency: Agency, count: int, first: list[str], last: list[str]
) -> list[Person]:
    today = date.today()
    ages = [(8, 17, 8), (18, 24, 18), (25, 44, 40), (45, 64, 26), (65, 85, 8)]
    people = []
    for _ in range(count):
        low, high, _w = rng.choices(ages, weights=[a[2] for a in ages])[0]
        born = today - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 300))
        people.append(Person(
            owner_agency=agency, given_name=rng.choice(first), family_name=rng.choice(last),
            date_of_birth=born,
            gender=rng.choices(list(GENDER), weights=list(GENDER.values()))[0] if rng.random() < 0.93 else "",
            race_ethnicity=rng.choices(list(RACE_ETHNICITY), weights=list(RACE_ETHNICITY.values()))[0]
            if rng.random() < 0.88 else "",
        ))  # fmt: skip
    return Person.objects.bulk_create(people)


def seed_history(
    rng: random.Random,
    agency: Agency,
    make_call: Callable[[random.Random, Agency, datetime, str], Call],
    priority_of: Callable[[int | None, int | None], int],
    names: tuple[list[str], list[str]],
    count: int = HISTORY_CALLS,
) -> int:
    """Write ``count`` calls and the incidents they became; returns the incidents made."""
    now = timezone.now()
    units = list(Unit.objects.order_by("call_sign"))
    by_program: dict[str, list[Unit]] = {}
    for unit in units:
        by_program.setdefault(unit.program, []).append(unit)
    free_at: dict[int, datetime] = {
        unit.pk: now - timedelta(days=HISTORY_DAYS + 1) for unit in units
    }
    plans: list[Plan] = []
    calls = [make_call(rng, agency, at, MARKER) for at in _times(rng, count, now)]
    with transaction.atomic():
        Call.objects.bulk_create(calls, batch_size=500)  # no post_save: incidents follow
        people = _people(rng, agency, max(50, count // 8), *names)
        for call in calls:
            plan = _plan(rng, call, agency, now, by_program, free_at, priority_of)
            if plan is not None:
                if rng.random() < 0.4:
                    # Repeat contacts: a third of linked people account for most links.
                    pool = len(people) // 3 if rng.random() < 0.6 else len(people)
                    plan.person_index = rng.randrange(pool)
                plans.append(plan)
        Incident.objects.bulk_create([p.incident for p in plans], batch_size=500)
        Assignment.objects.bulk_create(
            [Assignment(incident=p.incident, unit=p.unit, active=False, primary=True,
                        assigned_at=p.incident.dispatched_at, released_at=p.incident.cleared_at)
             for p in plans], batch_size=1000)  # fmt: skip
        IncidentEvent.objects.bulk_create(
            [IncidentEvent(incident=p.incident, at=at, kind=kind, from_value=old, to_value=new,
                           reason=reason, unit=p.unit if kind == "assign" else None)
             for p in plans for at, kind, old, new, reason in p.events], batch_size=2000)  # fmt: skip
        Disposition.objects.bulk_create(
            [Disposition(incident=p.incident, disposition=p.outcome.replace("_", " "),
                         outcome=p.outcome,
                         referrals_made=(1 + rng.randint(0, 1)) if p.outcome == "referred"
                         else int(rng.random() < 0.1),
                         service_connections=int(p.outcome in ("referred", "transported")))
             for p in plans], batch_size=1000)  # fmt: skip
        EligibleNotServed.objects.bulk_create(
            [EligibleNotServed(incident=p.incident, program=p.incident.programs[0],
                               reason=p.not_served, area=p.incident.area,
                               recorded_at=p.incident.dispatched_at)
             for p in plans if p.not_served], batch_size=1000)  # fmt: skip
        UseOfForceReport.objects.bulk_create(
            [UseOfForceReport(incident=p.incident, unit=p.unit,
                              reported_at=p.incident.cleared_at, force_type=rng.choice(FORCE_TYPES),
                              subject_injured=rng.random() < 0.2, responder_injured=rng.random() < 0.1,
                              narrative="Subject resisted; force used to restrain (demo record).")
             for p in plans if p.force])  # fmt: skip
        PersonLink.objects.bulk_create(
            [PersonLink(incident=p.incident, person=people[p.person_index], role="subject",
                        linked_at=p.incident.on_scene_at)
             for p in plans if p.person_index is not None], batch_size=1000)  # fmt: skip
    return len(plans)


def _plan(
    rng: random.Random,
    call: Call,
    agency: Agency,
    now: datetime,
    by_program: dict[str, list[Unit]],
    free_at: dict[int, datetime],
    priority_of: Callable[[int | None, int | None], int],
) -> Plan | None:
    if call.tier in (None, 0) or call.screened_out or call.triaged_at is None:
        return None  # virtual responses and screened-out calls never become incidents
    decision = call.decision
    programs = [p for p in decision.get("programs", []) if p in by_program]
    if not programs:
        return None
    program, not_served = programs[0], ""
    if program in CIVILIAN_PROGRAMS:
        # Capacity grows over the year (more teams hired), so "not served" falls: a trend.
        age = (now - call.received_at).days / HISTORY_DAYS
        if not _within_hours(program, call.received_at):
            not_served = "off_hours"
        elif rng.random() < 0.04 + 0.16 * age:
            not_served = rng.choice(["none_available", "none_available", "out_of_area"])
        if not_served:
            program = next(
                (p for p in programs[1:] if p in by_program and p not in CIVILIAN_PROGRAMS),
                "police",
            )
    tier = call.tier
    priority = priority_of(tier, call.risk_score)
    timing = DEFAULT_TIMINGS[str(min(priority, 4))]
    ready = call.triaged_at + timedelta(seconds=_lognormal(rng, *timing["dispatch"], cap=3600) / 3)
    unit = min(by_program[program], key=lambda u: free_at[u.pk])
    dispatched = max(ready, free_at[unit.pk] + timedelta(seconds=rng.randint(30, 240)))
    en_route = dispatched + timedelta(seconds=_lognormal(rng, 30, 0.8, cap=300))
    on_scene = en_route + timedelta(seconds=_lognormal(rng, *timing["travel"], cap=2700))
    cleared = on_scene + timedelta(seconds=_lognormal(rng, *timing["on_scene"], cap=4 * 3600))
    closed = cleared + timedelta(seconds=rng.randint(30, 900))
    if closed > now:
        return None  # still going: the live stream makes current incidents
    free_at[unit.pk] = cleared
    final_tier = tier
    if tier <= 2 and rng.random() < 0.06:
        final_tier = rng.choice([3, 4])
    elif tier >= 3 and rng.random() < 0.09:
        final_tier = rng.choice([1, 2])
    lead = decision.get("lead") or ("civilian" if tier <= 2 else "police")
    if not_served:
        lead = "police"
    final_lead = lead if final_tier == tier else ("civilian" if final_tier <= 2 else "police")
    incident = Incident(
        call=call, agency=agency, status="closed", channel=call.channel,
        call_type=call.call_type, initial_call_type=call.call_type,
        category=decision.get("category", ""), initial_category=decision.get("category", ""),
        tier=final_tier, initial_tier=tier, lead=final_lead, initial_lead=lead,
        priority=priority, programs=decision.get("programs", []),
        escalated=tier <= 2 < final_tier, deescalated=final_tier <= 2 < tier,
        lead_switches=int(lead != final_lead), address=call.address, latitude=call.latitude,
        longitude=call.longitude, area=call.area, received_at=call.received_at,
        answered_at=call.answered_at, triaged_at=call.triaged_at, dispatched_at=dispatched,
        en_route_at=en_route, on_scene_at=on_scene, cleared_at=cleared, closed_at=closed,
    )  # fmt: skip
    plan = Plan(call=call, incident=incident, unit=unit)
    plan.events = [
        (call.triaged_at, "created", "", "waiting", ""),
        (dispatched, "assign", "", unit.call_sign, ""),
        (dispatched, "status", "waiting", "dispatched", ""),
        (en_route, "status", "dispatched", "en_route", ""),
        (on_scene, "status", "en_route", "on_scene", ""),
    ]
    if final_tier != tier:
        at = on_scene + (cleared - on_scene) / 4
        kind = "escalation" if final_tier > tier else "de-escalation"
        why = "weapon seen on scene" if final_tier > tier else "no threat found on scene"
        plan.events.append((at, kind, f"tier {tier}", f"tier {final_tier}", why))
        if lead != final_lead:
            plan.events.append((at, "lead_switch", lead, final_lead, why))
    plan.events += [(cleared, "status", "on_scene", "cleared", ""),
                    (closed, "status", "cleared", "closed", "")]  # fmt: skip
    plan.outcome = _outcome(rng, final_lead, program)
    plan.not_served = not_served
    plan.force = (
        final_lead == "police"
        and (rng.random() < (0.05 if plan.outcome == "arrest" else 0.006))
        or (final_lead == "civilian" and rng.random() < 0.001)
    )
    return plan
