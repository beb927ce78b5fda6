"""Demo data of the performance pillar: a year of entered values (HR figures, surveys,
programme reports), baselines and targets with the story behind the curve, and two
CitiStat meetings whose open action items carry forward. Computed metrics come from the
dispatch and ecosystem demo records, seeded before this. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from .models import CitiStatMeeting, EnteredValue
from .selectors import months_back
from .services import action_item_add, citistat_meeting_create, entered_value_record, target_set

# metric id -> (start value, monthly drift, noise)
ENTERED = {
    "percentage_funded_positions_filled": (81.0, 0.6, 1.0),
    "average_time_fill_vacant_positions": (74.0, -1.5, 3.0),
    "employee_retention_rates": (84.0, 0.3, 1.0),
    "employee_satisfaction_surveys": (58.0, 0.8, 2.0),
    "community_satisfaction_response_based_post": (71.0, 0.4, 2.5),
    "mentoring_sessions": (140.0, 4.0, 12.0),
    "number_individuals_engaged": (310.0, 6.0, 20.0),
}
TARGETS = [
    (
        "time_to_dispatch",
        6.5,
        "2025",
        5.0,
        "Dispatch waits longest at the evening peak when civilian teams go off shift; calls queue for police instead.",
        "Extend civilian hours to 22:00 in precincts 3 and 4; add a dispatcher at the peak.",
    ),
    (
        "diverted_share",
        22.0,
        "2025",
        35.0,
        "More calls reach civilian responders since 988 transfers started, but out-of-hours calls still go to police.",
        "Hire two more behavioural crisis teams; publish the eligibility protocol.",
    ),
    (
        "civilian_escalated_share",
        9.0,
        "2025",
        6.0,
        "Escalations cluster around welfare checks with unclear information at intake.",
        "Add two triage questions on weapons and threats for welfare checks.",
    ),
    (
        "percentage_funded_positions_filled",
        80.0,
        "2025 Q4",
        95.0,
        "Vacancies follow the hiring freeze; time to fill is falling.",
        "Continuous recruitment and a referral bonus.",
    ),
    (
        "employee_retention_rates",
        83.0,
        "2025",
        90.0,
        "Exits concentrate in the first year on the job.",
        "Peer mentoring and wellness check-ins in the first year.",
    ),
]


def seed(stdout: Any) -> None:
    analyst = User.objects.filter(username="analyst").first()
    supervisor = User.objects.filter(username="supervisor").first() or analyst
    if analyst is None:
        stdout.write("  performance: no analyst user (seed accounts first); skipped")
        return
    rng = random.Random(2026)
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    added = 0
    for metric_id, (start, drift, noise) in ENTERED.items():
        for i, period in enumerate(months_back(last_month, 12)):
            if EnteredValue.objects.filter(
                metric_id=metric_id, period_start=period.start, period_end=period.end, area=""
            ).exists():
                continue
            value = max(0.0, start + drift * i + rng.gauss(0, noise))
            if metric_id.startswith(("percentage", "employee", "community")):
                value = min(value, 100.0)
            entered_value_record(
                analyst,
                {
                    "metric_id": metric_id,
                    "period_start": period.start.isoformat(),
                    "period_end": period.end.isoformat(),
                    "value": round(value, 1),
                    "note": "demo",
                },
                source="demo data",
            )
            added += 1
    for metric_id, baseline, label, target, story, plan in TARGETS:
        target_set(
            analyst,
            metric_id,
            baseline=baseline,
            baseline_label=label,
            target=target,
            target_date=date(today.year, 12, 31),
            story=story,
            action_plan=plan,
        )
    if not CitiStatMeeting.objects.filter(
        title="CitiStat: alternative responses, last month"
    ).exists():
        first_period = months_back(last_month - timedelta(days=31), 1)[0]
        first = citistat_meeting_create(
            supervisor,
            title="CitiStat: alternative responses, last month",
            committee="alternative_responses",
            held_on=first_period.end + timedelta(days=5),
            period_start=first_period.start,
            period_end=first_period.end,
            notes="Review of diversion and escalation after the 988 transfer pilot.",
        )
        action_item_add(
            first,
            description="Extend civilian team hours to 22:00 in precincts 3 and 4",
            owner="Care team director",
            due_on=today + timedelta(days=20),
            metric_id="eligible_not_served_share",
        )
        action_item_add(
            first,
            description="Add weapon and threat questions for welfare checks",
            owner="911 protocol lead",
            due_on=today + timedelta(days=10),
            metric_id="civilian_escalated_share",
        )
        done = action_item_add(
            first,
            description="Publish the public dashboard",
            owner="Performance analyst",
            due_on=today - timedelta(days=5),
        )
        done.status = "done"
        done.save(update_fields=["status"])
        this_period = months_back(last_month, 1)[0]
        citistat_meeting_create(
            supervisor,
            title="CitiStat: alternative responses, this month",
            committee="alternative_responses",
            held_on=today,
            period_start=this_period.start,
            period_end=this_period.end,
            notes="Follow-up: open items carried from last month.",
        )
    stdout.write(
        f"  performance: {added} entered values, {len(TARGETS)} targets, CitiStat meetings"
    )
