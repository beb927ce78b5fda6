"""The site's navigation: one entry per page family, shown to the roles that may use it.

Entries whose URL name is not registered are left out, so a pillar appears in the menu
as soon as its pages exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from rightresponse.accounts import roles as r


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple[str, ...]
    description: str


NAVIGATION: tuple[NavEntry, ...] = (
    NavEntry(
        "Call taking",
        "triage:call_taker",
        r.EMERGENCY_COMMUNICATIONS,
        "Answer the questions; see the recommended response and why.",
    ),
    NavEntry(
        "Report queue",
        "intake:queue",
        r.EMERGENCY_COMMUNICATIONS,
        "Tier 0 reports by phone and online: take, complete, or elevate.",
    ),
    NavEntry(
        "Dispatch board",
        "dispatch:board",
        (r.DISPATCHER, r.SUPERVISOR),
        "Waiting incidents, recommendations and units, live.",
    ),
    NavEntry(
        "Supervisor's queue",
        "dispatch:supervisor",
        (r.SUPERVISOR,),
        "Calls past target, units out of service, utilisation by program.",
    ),
    NavEntry(
        "My assignment",
        "dispatch:responder",
        (r.RESPONDER, r.SUPERVISOR),
        "Your current incident, status and close-out.",
    ),
    NavEntry(
        "Services",
        "ecosystem:directory",
        (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SERVICE_PROVIDER, r.SUPERVISOR),
        "Find a service by need, area, language and capacity.",
    ),
    NavEntry(
        "Referrals",
        "ecosystem:referrals",
        (r.SERVICE_PROVIDER, r.RESPONDER, r.DISPATCHER, r.SUPERVISOR),
        "Closed-loop referrals and second-response follow-up.",
    ),
    NavEntry(
        "Access alerts",
        "ecosystem:access_alerts",
        (r.SUPERVISOR,),
        "Emergency looks at people's records without consent, to review.",
    ),
    NavEntry(
        "Analytics",
        "analytics:index",
        (r.ANALYST, r.SUPERVISOR),
        "The landscape of need from calls-for-service data.",
    ),
    NavEntry(
        "Performance",
        "performance:dashboard",
        (r.ANALYST, r.SUPERVISOR),
        "Every metric in the report, scorecards and CitiStat.",
    ),
    NavEntry(
        "Action plan",
        "plan:index",
        (r.ANALYST, r.SUPERVISOR),
        "The report's 103 action steps: owners, status, pilots; staffing simulation.",
    ),
    NavEntry(
        "Protocol studio",
        "studio:index",
        (r.PROTOCOL_AUTHOR, r.PROTOCOL_APPROVER),
        "Draft, compare, preview and publish changes to the triage protocol.",
    ),
    NavEntry("Public dashboard", "public:dashboard", (), "What the public sees: aggregates only."),
    NavEntry(
        "Plan progress", "plan_public:dashboard", (), "The action plan's progress, in public."
    ),
    NavEntry("Admin site", "admin:index", (), "Users, agencies, units, places (staff only)."),
)
