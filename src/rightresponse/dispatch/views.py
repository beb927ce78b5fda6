"""The live dispatch board and the responder's phone view.

Both poll a partial every second with HTMX (the board "updates within a second without
reloading"); actions are plain forms that also work without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.core.charts import point_map
from rightresponse.core.dispatch import INCIDENT_STATUSES, UNIT_STATUSES
from rightresponse.ecosystem.sharing import SCREEN_AUDIT_WINDOW, incident_people_views

from . import protocol as proto
from . import selectors, services
from .access import incident_access_for, incident_for, incidents_visible
from .errors import DispatchError
from .models import OUTCOMES

MAP_LEGEND = {
    "unit-available": "available unit",
    "unit-busy": "busy unit",
    "incident": "waiting incident",
}


def _elapsed(since: Any) -> str:
    seconds = max(0, int((timezone.now() - since).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _board_context(user: Any) -> dict[str, Any]:
    # Only the incidents the user's agency may see (core.visibility, via dispatch.access).
    visible = incidents_visible(user)
    waiting = list(selectors.incidents_waiting(visible)[:50])
    active = list(selectors.incidents_open(visible)[:50])
    units = selectors.units_list()
    by_status: dict[str, list[Any]] = {s: [] for s in UNIT_STATUSES}
    for unit in units:
        by_status.setdefault(unit.status, []).append(unit)
    labels = proto.call_types()
    points = [
        (u.latitude, u.longitude, u.call_sign,
         "unit-available" if u.status == "available" else "unit-busy")
        for u in units if u.latitude is not None and u.longitude is not None
    ] + [
        (i.latitude, i.longitude, f"#{i.pk} {labels.get(i.call_type, i.call_type)}", "incident")
        for i in waiting if i.latitude is not None and i.longitude is not None
    ]  # fmt: skip
    services.incidents_refresh_recommendations(waiting[:20])
    for incident in waiting[:20]:
        # Flags only (report ~1680): hazard details are for supervisors, through the API.
        incident.hazard_flags = [  # type: ignore[attr-defined]
            h.flag for h in selectors.location_hazards(incident.latitude, incident.longitude)
        ]
        incident.history_count = len(  # type: ignore[attr-defined]
            selectors.location_history(
                incident.latitude, incident.longitude, exclude_id=incident.pk, within=visible
            )
        )
    for incident in waiting + active:
        incident.elapsed = _elapsed(incident.received_at)  # type: ignore[attr-defined]
        incident.label = labels.get(incident.call_type, incident.call_type)  # type: ignore[attr-defined]
    return {
        "waiting": waiting,
        "active": active,
        "units_by_status": [(UNIT_STATUSES[s], s, us) for s, us in by_status.items() if us],
        "unit_count": len(units),
        "map_svg": point_map(points, title="Units and waiting incidents", legend=MAP_LEGEND),
        "now": timezone.now(),
    }


@role_required(r.DISPATCHER, r.SUPERVISOR)
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "dispatch/board.html", _board_context(request.user))


@role_required(r.DISPATCHER, r.SUPERVISOR)
def board_live(request: HttpRequest) -> HttpResponse:
    return render(request, "dispatch/board.html#live", _board_context(request.user))


@require_POST
@role_required(r.DISPATCHER, r.SUPERVISOR)
def board_assign(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        unit_id = int(request.POST.get("unit_id", ""))
    except ValueError:
        messages.error(request, "Choose a unit to assign.")
        return redirect("dispatch:board")
    incident = incident_for(request.user, incident_id)
    if incident is None or not incident_access_for(request.user, incident).may_dispatch:
        messages.error(request, f"Incident {incident_id}: not found.")
        return redirect("dispatch:board")
    try:
        services.incident_assign(
            incident_id, unit_id, request.user, request.POST.get("override_reason", "")[:300]
        )
        messages.success(request, f"Incident {incident_id}: unit assigned.")
    except DispatchError as exc:
        messages.error(request, f"Incident {incident_id}: {exc}")
    return redirect("dispatch:board")


def _responder_context(
    request: HttpRequest, audit_window: timedelta | None = None
) -> dict[str, Any]:
    unit, assignment = selectors.responder_assignment(request.user)
    context: dict[str, Any] = {"unit": unit, "assignment": assignment, "incident": None}
    if assignment is None or incident_for(request.user, assignment.incident_id) is None:
        return context  # the one rule decides, also for a unit's own screen
    incident = assignment.incident
    # Least information (report ~1674-1676): what the one rule (core.visibility) lets a
    # responder on this incident see; a refresh within the window writes no new audit row.
    people = [
        {"role": link.get_role_display(), "first_name": view.fields.get("given_name", ""),
         "flags": view.fields.get("behavioural_flags", []),
         "what_works": view.fields.get("what_works", ""),
         "language": view.fields.get("preferred_language", "")}
        for link, view in incident_people_views(request.user, incident, audit_window=audit_window)
    ]  # fmt: skip
    context.update(
        incident=incident,
        elapsed=_elapsed(incident.received_at),
        people=people,
        hazards=[h.flag for h in selectors.location_hazards(incident.latitude, incident.longitude)],
        history_count=len(
            selectors.location_history(
                incident.latitude,
                incident.longitude,
                exclude_id=incident.pk,
                within=incidents_visible(request.user),
            )
        ),
        next_statuses=[
            (s, INCIDENT_STATUSES[s])
            for s in ("en_route", "on_scene", "transporting", "cleared")
            if s != incident.status
        ],
        outcomes=OUTCOMES,
        tiers=[(t, label) for t, label in TIER_LABELS.items() if t != incident.tier],
        call_type_label=proto.call_types().get(incident.call_type, incident.call_type),
    )
    return context


TIER_LABELS = {
    1: "1 · civilian only",
    2: "2 · co-response, civilian lead",
    3: "3 · co-response, police lead",
    4: "4 · police only",
}


@role_required(r.RESPONDER, r.SUPERVISOR)
def responder(request: HttpRequest) -> HttpResponse:
    return render(request, "dispatch/responder.html", _responder_context(request))


@role_required(r.RESPONDER, r.SUPERVISOR)
def responder_live(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dispatch/responder.html#assignment",
        _responder_context(request, audit_window=SCREEN_AUDIT_WINDOW),
    )


def _int(value: str | None, default: int = 0) -> int:
    try:
        return max(0, min(1000, int(value or default)))
    except ValueError:
        return default


@require_POST
@role_required(r.RESPONDER, r.SUPERVISOR)
def responder_action(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = incident_for(request.user, incident_id)
    if incident is None or not incident_access_for(request.user, incident).may_act:
        messages.error(request, f"Incident {incident_id} is not yours to update.")
        return redirect("dispatch:responder")
    action = request.POST.get("action", "")
    post = request.POST
    try:
        if action == "status":
            services.incident_set_status(incident_id, post.get("status", ""), request.user)
            messages.success(
                request, f"Status: {INCIDENT_STATUSES.get(post.get('status', ''), '?')}."
            )
        elif action == "backup":
            services.incident_request_backup(incident_id, request.user, post.get("reason", ""))
            messages.success(request, "Backup requested; the dispatcher sees it now.")
        elif action == "escalate":
            services.incident_change_tier(
                incident_id, _int(post.get("tier"), incident.tier or 1), request.user,
                post.get("reason", ""),
            )  # fmt: skip
            messages.success(request, "Tier changed; the dispatcher sees it now.")
        elif action == "close":
            force = None
            if post.get("use_of_force") == "yes":
                force = {"force_type": post.get("force_type", ""),
                         "narrative": post.get("force_narrative", "")}  # fmt: skip
            services.incident_close(
                incident_id, request.user, disposition=post.get("disposition", ""),
                outcome=post.get("outcome", ""), referrals_made=_int(post.get("referrals_made")),
                service_connections=_int(post.get("service_connections")), use_of_force=force,
            )  # fmt: skip
            messages.success(request, f"Incident {incident_id} closed.")
        else:
            messages.error(request, "Unknown action.")
    except DispatchError as exc:
        messages.error(request, str(exc))
    return redirect("dispatch:responder")
