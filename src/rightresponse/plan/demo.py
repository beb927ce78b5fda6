"""A realistic state of the plan about a year after adoption: the Launch List under way,
committees owning their sections' Phase One steps, a few Phase Two steps started, one
pilot with monthly figures, CitiStat items tied to steps, and public comments (idempotent:
a step that already has history is left alone)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User

from rightresponse.core.plan.progress import (
    DONE,
    DROPPED,
    IN_PROGRESS,
    NOT_STARTED,
    PILOTING,
    PLANNING,
)

from . import services
from .models import PilotArm, Step, StepChange

COMMITTEES = {
    "governance": (
        "Executive Steering Committee",
        "Commissioner of Community Safety",
        "Office of Community Safety",
    ),
    "preventive": (
        "Preventive Services Committee",
        "Director of Neighborhood Safety",
        "Department of Neighborhood Safety",
    ),
    "responsive": (
        "Alternative Responses Committee",
        "Commissioner of Community Safety",
        "Office of Performance and Innovation",
    ),
    "911": (
        "911, Communications and Technology Committee",
        "Director of 911",
        "Minneapolis 911 (MECC)",
    ),
    "restorative": (
        "Restorative Services Committee",
        "Director of Neighborhood Safety",
        "Neighborhood and Community Relations",
    ),
}
# Phase One statuses by area, most advanced first (governance moves first, report 508).
P1_MIX = {
    "governance": [DONE] * 7 + [IN_PROGRESS] * 7 + [PLANNING] * 4 + [NOT_STARTED] * 2,
    "preventive": [DONE] * 2 + [IN_PROGRESS] * 3 + [PLANNING] * 3 + [NOT_STARTED],
    "responsive": [PILOTING, IN_PROGRESS, PLANNING, IN_PROGRESS, DONE, PLANNING],
    "911": [DONE, IN_PROGRESS, PLANNING, IN_PROGRESS, IN_PROGRESS],
    "restorative": [IN_PROGRESS] * 4 + [PLANNING] * 5 + [NOT_STARTED] * 4 + [DROPPED],
}


def seed(out: Any) -> None:
    user = (
        User.objects.filter(username="analyst").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if user is None:
        out.write("  no analyst user: plan left as loaded")
        return
    if StepChange.objects.exists():
        out.write("  plan already has history: left alone")
        return
    rng = random.Random(12)
    adopted = date.today() - timedelta(days=380)
    steps = list(Step.objects.filter(in_plan_file=True).order_by("code"))
    for area, mix in P1_MIX.items():
        committee, sponsor, agency = COMMITTEES[area]
        mine = [s for s in steps if s.area == area and s.phase == "P1"]
        for s, status in zip(mine, mix, strict=False):
            start = adopted + timedelta(days=rng.randint(0, 120))
            changes: dict[str, Any] = {
                "committee": committee,
                "executive_sponsor": sponsor,
                "agency": agency,
                "start_on": start,
                "due_on": start + timedelta(days=rng.choice([180, 270, 365, 540])),
            }
            if status != NOT_STARTED:
                changes["status"] = status
            if status == DONE:
                changes["done_on"] = start + timedelta(days=rng.randint(90, 240))
            services.step_update(
                s, user, note="Assigned at the committee's first meeting", **changes
            )
            if status in (IN_PROGRESS, PILOTING, PLANNING):
                services.milestone_add(
                    s, user, "Draft for committee review", start + timedelta(days=90)
                )
                m = services.milestone_add(
                    s, user, "Public engagement session", start + timedelta(days=200)
                )
                if status != PLANNING:
                    services.milestone_complete(m, user, start + timedelta(days=190))
    for s in steps:
        if s.phase == "P2" and s.area in ("responsive", "911"):
            committee, sponsor, agency = COMMITTEES[s.area]
            services.step_update(
                s,
                user,
                committee=committee,
                executive_sponsor=sponsor,
                agency=agency,
                status=PLANNING,
            )
    by_code = {s.code: s for s in steps}
    services.evidence_add(
        by_code["P1-GOV-07"],
        user,
        "Phased implementation and funding plan (adopted)",
        "https://www.minneapolismn.gov/government/departments/ocs/",
    )
    services.evidence_add(
        by_code["P1-GOV-11"],
        user,
        "This progress dashboard",
        "https://www.minneapolismn.gov/progress/",
    )
    # The Launch List's dashboard item is done: the dashboard is live.
    services.step_update(
        by_code["P1-GOV-11"], user, status=DONE, public_note="The dashboard you are reading."
    )
    _pilot(by_code["P1-RSP-01"], user, adopted, rng)
    _citistat(by_code, user)
    _comments(by_code)


def _pilot(step: Step, user: Any, adopted: date, rng: random.Random) -> None:
    start = adopted + timedelta(days=150)
    pilot = services.pilot_create(
        step,
        user,
        name="Behavioural crisis response in the 3rd precinct, evenings",
        hypothesis="Sending civilian crisis teams to welfare and mental-health calls in the evening raises the share of those calls answered without a police lead.",
        start_on=start,
        end_on=start + timedelta(days=240),
        metric_id="civilian_response_share",
        arms=[
            {
                "role": PilotArm.PILOT,
                "areas": "3rd precinct",
                "hours": "14:00-24:00 daily",
                "call_types": "welfare check; mental health crisis",
            },
            {
                "role": PilotArm.COMPARISON,
                "areas": "2nd and 5th precincts",
                "hours": "14:00-24:00 daily",
                "call_types": "welfare check; mental health crisis",
            },
        ],
    )
    for arm in pilot.arms.all():
        values = []
        for month in range(-6, 8):
            index = start.year * 12 + start.month - 1 + month
            period = date(index // 12, index % 12 + 1, 1)
            base = 8.0 if arm.role == PilotArm.PILOT else 9.0
            lift = 14.0 if arm.role == PilotArm.PILOT and period >= start else 0.0
            drift = 1.0 if period >= start else 0.0
            values.append((period, round(base + lift + drift + rng.gauss(0, 1.5), 1)))
        services.pilot_observations_set(arm, user, values)


def _citistat(by_code: dict[str, Step], user: Any) -> None:
    from rightresponse.performance.models import ActionItem

    targets = ["P1-RSP-01", "P1-911-04", "P1-RSP-05", "P1-GOV-09"]
    for item, code in zip(ActionItem.objects.order_by("id")[: len(targets)], targets, strict=False):
        services.citistat_link(by_code[code], item.pk, user)


def _comments(by_code: dict[str, Step]) -> None:
    moderator = User.objects.filter(username="supervisor").first()
    texts = [
        (
            "Jordan",
            "Glad to see the crisis teams in the 3rd precinct. Will they cover weekends too?",
            "P1-RSP-01",
            True,
        ),
        ("", "Please translate the dashboard into Somali and Spanish.", "P1-GOV-10", True),
        (
            "Ana",
            "When will the community advisory board hold its first open meeting?",
            "P1-GOV-05",
            False,
        ),
    ]
    for i, (name, body, code, approve) in enumerate(texts):
        c = services.comment_submit(address=f"demo-{i}", body=body, name=name, step_code=code)
        if approve and moderator is not None:
            services.comment_moderate(c, moderator, approve=True)
