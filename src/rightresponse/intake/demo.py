"""Demo data of the intake app: a 988 crisis line (its own agency and a counselor login,
so a hotline's side of a transfer can be tried) and a few Tier 0 reports in the queue."""

from __future__ import annotations

from typing import Any

from rightresponse.accounts import roles as r
from rightresponse.accounts.demo import DEMO_PASSWORD
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import user_create
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

from .services import call_intake

SAFE = {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no", "injury": "no",
        "firearm_or_vehicle_involved": "no"}  # fmt: skip
REPORTS = [
    ("online", "Bike taken from the rack outside the library overnight."),
    ("311", "Car window smashed in the lot, nothing taken."),
    ("911", "Package stolen from the porch this afternoon."),
]


def seed(stdout: Any) -> None:
    hotline, _ = Agency.objects.get_or_create(
        slug="crisis-988", defaults={"name": "988 Crisis Line", "kind": "county"}
    )
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username="counselor").exists():
        user_create(username="counselor", password=DEMO_PASSWORD, agency=hotline,
                    roles=[r.CALL_TAKER], first_name="Morgan", last_name="Lee",
                    title="Crisis counselor")  # fmt: skip
    center = Agency.objects.filter(slug="metro-911").first()
    if center is None:
        return
    added = 0
    for channel, narrative in REPORTS:
        if Call.objects.filter(narrative=narrative).exists():
            continue
        call_intake(user=None, agency=center, call_type="property_crime_report", answers=SAFE,
                    details=CallDetails(channel=channel, narrative=narrative))  # fmt: skip
        added += 1
    stdout.write(f"  988 crisis line and its counselor; {added} reports in the queue")
