"""Demo calls: a few realistic calls across tiers, triaged by the active protocol.

Idempotent: calls are recognised by their narrative, so seeding twice adds nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.intake.services import call_intake

from .models import Call
from .services import CallDetails

# call type, answers, channel, area, address, narrative, minutes ago
DEMO_CALLS: list[tuple[str, dict[str, str], str, str, str, str, int]] = [
    ("behavioral_crisis", {"weapon": "no", "violence": "no", "threat_to_life": "no",
     "medical_emergency": "no", "substance_escalating": "no"}, "911", "Precinct 1",
     "Loring Park, north entrance", "Man in distress talking to himself; caller knows him from the shelter.", 95),
    ("behavioral_crisis", {"threat_to_life": "no"}, "911", "Precinct 3",
     "Lake St & 27th Ave", "Person shouting at traffic; caller does not know him.", 80),
    ("welfare_check", {"medical_emergency": "no", "weapon": "no", "violence": "no",
     "substance_escalating": "no"}, "311", "Precinct 5", "2400 Harriet Ave",
     "Neighbour not seen for three days.", 70),
    ("property_crime_report", {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no",
     "injury": "no", "firearm_or_vehicle_involved": "no"}, "911", "Precinct 2", "900 Hennepin Ave",
     "Bike stolen from rack overnight.", 60),
    ("domestic_violence", {}, "911", "Precinct 4", "3100 Penn Ave N",
     "Caller hears shouting next door, cannot see anyone.", 45),
    ("overdose", {"weapon": "no", "violence": "no"}, "911", "Precinct 1", "Nicollet Mall & 8th St",
     "Man unresponsive on bench, friend says he used.", 30),
    ("shots_fired", {}, "911", "Precinct 4", "Broadway & Emerson", "Several shots heard.", 20),
    ("bias_based_complaint", {"crime_in_progress": "no", "weapon": "no", "violence": "no",
     "threat_to_life": "no", "victim_in_danger": "no"}, "911", "Precinct 5", "Linden Hills Park",
     "Caller reports a young man 'looking suspicious' sitting in the park.", 10),
]  # fmt: skip


def seed(stdout: Any) -> None:
    agency = Agency.objects.filter(slug="metro-911").first()
    if agency is None:
        stdout.write("  no metro-911 agency: run the accounts demo first")
        return
    user = User.objects.filter(username="calltaker").first()
    now = timezone.now()
    added = 0
    for call_type, answers, channel, area, address, narrative, minutes in DEMO_CALLS:
        if Call.objects.filter(narrative=narrative).exists():
            continue
        call_intake(
            user=user,
            agency=agency,
            call_type=call_type,
            answers=answers,
            details=CallDetails(
                channel=channel,
                area=area,
                address=address,
                narrative=narrative,
                caller_name="Demo caller",
                received_at=now - timedelta(minutes=minutes),
            ),
        )
        added += 1
    stdout.write(f"  {added} demo calls triaged")
