"""Demo agencies and one login per role. Password for every demo login: see DEMO_PASSWORD."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from . import roles as r
from .models import Agency
from .services import user_create

# Demo only; `make demo` prints it. Never used outside the demo database.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105

AGENCIES = [
    ("metro-911", "Metro Emergency Communications Center", "emergency_communications"),
    ("metro-pd", "Metro Police Department", "police"),
    ("metro-fire", "Metro Fire and EMS", "fire_ems"),
    ("care-team", "Community Assistance and Response Team", "civilian_response"),
    ("county-bh", "County Behavioral Health", "county"),
    ("safe-harbor", "Safe Harbor Family Services", "community_org"),
    ("city-ops", "Office of Community Safety", "city"),
]

USERS = [
    # username, agency, roles, first, last, title
    ("admin", "city-ops", [r.ADMINISTRATOR], "Ada", "Admin", "System administrator"),
    ("calltaker", "metro-911", [r.CALL_TAKER], "Casey", "Taylor", "Telecommunicator"),
    ("dispatcher", "metro-911", [r.DISPATCHER], "Dana", "Reyes", "Dispatcher"),
    ("supervisor", "metro-911", [r.SUPERVISOR], "Sam", "Okafor", "Shift supervisor"),
    ("officer", "metro-pd", [r.RESPONDER], "Olivia", "Park", "Patrol officer"),
    ("responder", "care-team", [r.RESPONDER], "Rae", "Nguyen", "Community responder"),
    ("clinician", "county-bh", [r.RESPONDER], "Chris", "Alvarez", "Crisis clinician"),
    ("analyst", "city-ops", [r.ANALYST], "Avery", "Chen", "Performance analyst"),
    ("provider", "safe-harbor", [r.SERVICE_PROVIDER], "Pat", "Morgan", "Intake coordinator"),
    # The protocol studio's two people (docs/protocol.md).
    ("author", "city-ops", [r.PROTOCOL_AUTHOR], "Alex", "Rivera", "Policy analyst"),
    ("approver", "city-ops", [r.PROTOCOL_APPROVER], "Jordan", "Blake", "Deputy director"),
]


def seed(stdout: Any) -> None:
    agencies = {}
    for slug, name, kind in AGENCIES:
        agencies[slug], _ = Agency.objects.get_or_create(
            slug=slug, defaults={"name": name, "kind": kind}
        )
    for username, agency, roles, first, last, title in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = user_create(
            username=username,
            password=DEMO_PASSWORD,
            agency=agencies[agency],
            roles=roles,
            first_name=first,
            last_name=last,
            title=title,
            is_staff=username == "admin",
        )
        if username == "admin":
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
