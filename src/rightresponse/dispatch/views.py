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
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.services import audit_record
from rightresponse.core.dispatch import (
    INCIDENT_STATUSES,
    UNIT_STATUSES,
    WAIT_TARGET_MINUTES,
    age_band,
    field_next_statuses,
    plain_status_refusal,
    safety_answers,
)
from rightresponse.core.geo import MapPoint
from rightresponse.ecosystem.sharing import SCREEN_AUDIT_WINDOW, incident_people_views
from rightresponse.geo.selectors import city_map_svg

from . import protocol as proto
from . import selectors, services
from .access import incident_access_for, incident_for, incidents_visible
from .errors import DispatchError
from .models import OUTCOMES, Incident


def _elapsed(since: Any) -> str:
    seconds = max(0, int((timezone.now() - since).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _age(incident: Incident) -> str:
    """The timer's colour band against the incident's wait target (by priority)."""
    seconds = (timezone.now() - incident.received_at).total_seconds()
    target = WAIT_TARGET_MINUTES.get(incident.priority, max(WAIT_TARGET_MINUTES.values()))
    return age_band(seconds, target)


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
        MapPoint(u.latitude, u.longitude, u.call_sign,
                 "unit-available" if u.status == "available" else "unit-busy")
        for u in units if u.latitude is not None and u.longitude is not None
    ] + [
        MapPoint(i.latitude, i.longitude, f"#{i.pk}", "incident")
        for i in waiting if i.latitude is not None and i.longitude is not None
    ]  # fmt: skip
    services.incidents_refresh_recommendations(waiting[:20])
    for incident in waiting[20:]:  # beyond the first twenty: assign from the incident page
        incident.unit_choices = None  # type: ignore[attr-defined]
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
        incident.age = _age(incident)  # type: ignore[attr-defined]
        incident.label = labels.get(incident.call_type, incident.call_type)  # type: ignore[attr-defined]
    return {
        "waiting": waiting,
        "active": active,
        "units_by_status": [(UNIT_STATUSES[s], s, us) for s, us in by_status.items() if us],
        "unit_count": len(units),
        "map_svg": city_map_svg(points, title="Units and waiting incidents on the precinct map"),
        "call_types": sorted(labels.items(), key=lambda item: item[1]),
        "tiers": list(TIER_LABELS.items()),
        "targets": WAIT_TARGET_MINUTES,
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
        return _back(request)
    incident = incident_for(request.user, incident_id)
    if incident is None or not incident_access_for(request.user, incident).may_dispatch:
        messages.error(request, f"Incident #{incident_id}: not found.")
        return redirect("dispatch:board")
    try:
        services.incident_assign(
            incident_id, unit_id, request.user, request.POST.get("override_reason", "")[:300]
        )
        messages.success(request, f"Incident #{incident_id}: unit assigned.")
    except DispatchError as exc:
        messages.error(request, f"Incident #{incident_id}: {exc}")
    return _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the board or the incident page the form was on (never another host)."""
    target = request.POST.get("next", "")
    if target.startswith("/dispatch/") and "//" not in target:
        return redirect(target)
    return redirect("dispatch:board")


@require_POST
@role_required(r.DISPATCHER, r.SUPERVISOR)
def board_reclassify(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Reclassify and/or change the tier (escalate, de-escalate) with the reason."""
    post = request.POST
    tier = _tier(post.get("tier"))
    incident = incident_for(request.user, incident_id)
    if incident is None or not incident_access_for(request.user, incident).may_dispatch:
        messages.error(request, f"Incident #{incident_id}: not found.")
        return redirect("dispatch:board")
    try:
        call_type = post.get("call_type") or incident.call_type
        if call_type == incident.call_type and (tier is None or tier == incident.tier):
            raise DispatchError("nothing changed: choose another call type or tier")
        services.incident_reclassify(incident_id, call_type, request.user, post.get("reason", ""),
                                     tier=tier)  # fmt: skip
        messages.success(request, f"Incident #{incident_id} reclassified.")
    except DispatchError as exc:
        messages.error(request, f"Incident #{incident_id}: {exc}")
    return _back(request)


def _tier(value: str | None) -> int | None:
    try:
        tier = int(value or "")
    except ValueError:
        return None
    return tier if 0 <= tier <= 4 else None


@role_required(r.DISPATCHER, r.SUPERVISOR, r.CALL_TAKER, r.RESPONDER)
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The incident page: what is known, the units, and the full timeline (who and when)."""
    # The one visibility rule (core.visibility): one the user may not see is "not found".
    incident = incident_for(request.user, incident_id)
    if incident is None:
        return render(request, "404.html", status=404)
    dispatching = incident_access_for(request.user, incident).may_dispatch
    context = _briefing(request, incident)
    assignments = list(incident.assignments.select_related("unit", "assigned_by"))
    context.update(
        assignments=assignments,
        timeline=selectors.incident_timeline(incident),
        dispatching=dispatching,
        call_types=sorted(proto.call_types().items(), key=lambda item: item[1]),
        tiers=list(TIER_LABELS.items()),
        referrals=selectors.referral_count(incident.pk),
        reassessments=selectors.incident_reassessments(incident),
    )
    if dispatching and incident.status not in ("closed", "cleared"):
        incident.active_assignments = [a for a in assignments if a.active]  # type: ignore[attr-defined]
        services.incidents_refresh_recommendations([incident])
    return render(request, "dispatch/incident.html", context)


@role_required(r.SUPERVISOR, r.DISPATCHER)
def supervisor(request: HttpRequest) -> HttpResponse:
    """The supervisor's queue: calls past target, units out of service, utilisation."""
    queue = selectors.supervisor_queue(WAIT_TARGET_MINUTES, incidents_visible(request.user))
    labels = proto.call_types()
    for row in queue["late"]:
        row["label"] = labels.get(row["incident"].call_type, row["incident"].call_type)
        row["elapsed"] = _elapsed(row["incident"].received_at)
    return render(request, "dispatch/supervisor.html", {**queue, "targets": WAIT_TARGET_MINUTES})


def _briefing(
    request: HttpRequest, incident: Incident, audit_window: timedelta | None = None
) -> dict[str, Any]:
    """What a responder (and the incident page) shows: safety answers, narrative, callback
    number, hazards, flags and what works (least information: report ~1674-1680), earlier
    calls at the place, a map and a navigation link."""
    call = incident.call
    protocol = proto.protocol()
    texts = {q: spec.text for q, spec in protocol.questions.items()} if protocol else {}
    # Least information (report ~1674-1676): what the one rule (core.visibility) lets this
    # user see of each person; a refresh within the window writes no new audit row.
    people = [
        {"role": link.get_role_display(), "first_name": view.fields.get("given_name", ""),
         "flags": view.fields.get("behavioural_flags", []),
         "what_works": view.fields.get("what_works", ""),
         "language": view.fields.get("preferred_language", "")}
        for link, view in incident_people_views(request.user, incident, audit_window=audit_window)
    ]  # fmt: skip
    callback = call.caller_phone if call is not None else ""
    if callback:
        audit_record(request.user, "read", "call", call.pk, person_id=call.person_id,  # type: ignore[union-attr]
                     purpose=f"callback number, incident {incident.pk}")  # fmt: skip
    located = incident.latitude is not None and incident.longitude is not None
    history = selectors.location_history(
        incident.latitude, incident.longitude, exclude_id=incident.pk, limit=5,
        within=incidents_visible(request.user),
    )  # fmt: skip
    labels = proto.call_types()
    for row in history:
        row["label"] = labels.get(row["call_type"], row["call_type"])
    return {
        "incident": incident,
        "call_type_label": labels.get(incident.call_type, incident.call_type),
        "elapsed": _elapsed(incident.received_at),
        "safety": safety_answers(call.answers if call else {}, texts),
        "narrative": call.narrative if call else "",
        "callback": callback,
        "people": people,
        "hazards": [h.flag for h in selectors.location_hazards(incident.latitude, incident.longitude)],
        "history": history,
        "map_svg": city_map_svg(
            [MapPoint(incident.latitude, incident.longitude, f"#{incident.pk}", "incident")],  # type: ignore[arg-type]
            title=f"Where incident #{incident.pk} is", width=360, height=300,
        ) if located else "",
        "geo_uri": f"geo:{incident.latitude:.6f},{incident.longitude:.6f}?q={incident.latitude:.6f},{incident.longitude:.6f}" if located else "",
        "maps_url": (
            "https://www.openstreetmap.org/directions?route=%3B"
            f"{incident.latitude:.6f}%2C{incident.longitude:.6f}"
        ) if located else "",
    }  # fmt: skip


def _responder_context(
    request: HttpRequest, audit_window: timedelta | None = None
) -> dict[str, Any]:
    unit, assignment = selectors.responder_assignment(request.user)
    context: dict[str, Any] = {"unit": unit, "assignment": assignment, "incident": None,
                               "closeouts": []}  # fmt: skip
    if unit is None:
        return context
    # Cleared but not closed out: the close-out stays in front of the unit until it is sent.
    closeouts = selectors.closeouts_pending(unit)
    context["closeouts"] = closeouts
    if assignment is not None:
        incident = assignment.incident
    elif closeouts:
        incident = closeouts[0]
    else:
        return context
    if incident_for(request.user, incident.pk) is None:
        return context  # the one rule decides, also for a unit's own screen
    context.update(_briefing(request, incident, audit_window))
    context.update(
        next_statuses=[(s, INCIDENT_STATUSES[s]) for s in field_next_statuses(incident.status)],
        closing=incident.status == "cleared",
        outcomes=OUTCOMES,
        tiers=[(t, label) for t, label in TIER_LABELS.items() if t != incident.tier],
        referrals=selectors.referral_count(incident.pk),
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
            target = post.get("status", "")
            if target not in field_next_statuses(incident.status):
                # A stale page (the status moved on): say so plainly, never a raw error.
                messages.error(request, plain_status_refusal(incident.status, target))
                return redirect("dispatch:responder")
            services.incident_set_status(incident_id, target, request.user)
            if target == "cleared":
                messages.success(request, f"Incident #{incident_id} cleared. Now fill in the "
                                 "close-out: it stays here until you send it.")  # fmt: skip
                return redirect(f"{reverse('dispatch:responder')}#close-h")
            messages.success(request, f"Status: {INCIDENT_STATUSES[target]}.")
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
                outcome=post.get("outcome", ""),
                service_connections=_int(post.get("service_connections")), use_of_force=force,
            )  # fmt: skip
            messages.success(request, f"Incident #{incident_id} closed out.")
        else:
            messages.error(request, "Unknown action.")
    except DispatchError as exc:
        messages.error(request, str(exc))
    return redirect("dispatch:responder")
