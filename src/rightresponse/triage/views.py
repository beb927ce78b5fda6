"""The call-taker page: pick the call type, answer the questions, watch the recommendation.

The workspace (call type, questions, recommendation) is re-rendered by HTMX on every
change; inputs keep stable ids so htmx puts the keyboard focus back where it was.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.roles import EMERGENCY_COMMUNICATIONS
from rightresponse.accounts.selectors import user_agency
from rightresponse.core.triage import (
    TIER_LABELS,
    TIER_SHORT,
    Decision,
    Protocol,
    UnknownIdError,
    decide,
)
from rightresponse.geo.selectors import city_map_svg, location_resolve
from rightresponse.intake.services import IntakeFailed, call_intake

from .models import Call
from .protocols import active_protocol
from .services import CallDetails, InvalidCall, call_decide


class CallDetailsForm(forms.Form):
    """Location first, then the caller (the order a 911 call goes). There is no area field:
    the area comes from the point (geo), never from typed text."""

    address = forms.CharField(
        max_length=200, required=False, label="Location (address, place or lat, lon)",
        widget=forms.TextInput(attrs={"autocomplete": "off", "accesskey": "l"}),
    )  # fmt: skip
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    # Checked as it is typed against known people (intake.selectors.caller_matches).
    caller_phone = forms.CharField(
        max_length=40, required=False, label="Callback number",
        widget=forms.TextInput(attrs={
            "hx-post": "/triage/caller/", "hx-trigger": "input changed delay:500ms",
            "hx-target": "#caller-result", "hx-swap": "outerHTML",
            "hx-include": "#id_caller_phone", "autocomplete": "off",
        }),
    )  # fmt: skip
    caller_name = forms.CharField(max_length=120, required=False, label="Caller name")
    channel = forms.ChoiceField(choices=Call.CHANNELS, initial="911")
    narrative = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Measured by the page itself: the server's time when the page opened for this call
    # (the answer), and how long after that the call taker first chose a call type
    # (triage start, milliseconds on the browser's monotonic clock, so its own clock's
    # setting does not matter). Triage ends when the call is stored.
    answered_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    triage_started_ms = forms.IntegerField(
        required=False, min_value=0, max_value=2 * 3600 * 1000, widget=forms.HiddenInput
    )

    def details(self) -> CallDetails:
        data = dict(self.cleaned_data)
        answered = data.pop("answered_at", None)
        started_ms = data.pop("triage_started_ms", None)
        now = timezone.now()
        # The call's clock starts when the page was opened for it (the call timer), if that
        # is plausible; never in the future, never hours ago.
        if answered is None or not (now - timedelta(hours=2) <= answered <= now):
            answered, started_ms = None, None
        started = None
        if answered is not None and started_ms is not None:
            started = min(answered + timedelta(milliseconds=started_ms), now)
        # No phone system tells the page when the call rang: received_at stays unknown
        # (the time to answer is then not measurable, rather than a made-up 0).
        return CallDetails(**data, answered_at=answered, triage_started_at=started)


def _answers(protocol: Protocol, data: Any) -> dict[str, str]:
    answers = {}
    for qid in protocol.questions:
        value = data.get(f"answer-{qid}")
        if value in ("yes", "no", "unknown"):
            answers[qid] = value
    return answers


def _workspace_context(
    protocol: Protocol, call_type: str, answers: dict[str, str], area: str = ""
) -> dict[str, Any]:
    groups: dict[str, list[Any]] = {}
    for ct in protocol.call_types.values():
        groups.setdefault(protocol.categories[ct.category].label, []).append(ct)
    context: dict[str, Any] = {
        "protocol": protocol,
        "call_type_groups": groups,
        "call_type": call_type,
        "decision": None,
        "error": "",
        "questions": [],
    }
    if not call_type:
        return context
    try:
        # Now and where the call is: the programs open to it (hours, areas).
        decision: Decision = call_decide(protocol, call_type, answers, received_at=None, area=area)
    except UnknownIdError as exc:
        context["error"] = str(exc)
        return context
    spec = protocol.call_types[call_type]
    # A stable order per call type (the ask_next order with nothing answered), so the
    # page does not move under the call taker; the live ask_next rank is shown beside it.
    first = decide(protocol, call_type, {}).ask_next
    order = list(first) + [q for q in spec.questions if q not in first]
    rank = {q: i for i, q in enumerate(decision.ask_next, 1)}
    context["questions"] = [
        {
            "id": q,
            "text": protocol.questions[q].text,
            "help": protocol.questions[q].help,
            "answer": answers.get(q, "unknown"),
            "rank": rank.get(q),
        }
        for q in order
    ]
    matrix = protocol.risk_matrix
    context.update(
        decision=decision,
        tier_label=TIER_LABELS[decision.tier],
        tier_short=TIER_SHORT[decision.tier],
        programs=[protocol.programs[p] for p in decision.programs],
        ask_next=[protocol.questions[q] for q in decision.ask_next],
        band_label=matrix.band(decision.risk.likelihood, decision.risk.consequence).label,
        matrix_rows=[
            {
                "likelihood": likelihood,
                "label": matrix.likelihood_labels[likelihood - 1],
                "cells": [
                    {
                        "band": matrix.band(likelihood, c).id,
                        "text": f"{matrix.band(likelihood, c).label} {matrix.score(likelihood, c)}",
                        "current": (likelihood, c)
                        == (decision.risk.likelihood, decision.risk.consequence),
                    }
                    for c in range(1, 6)
                ],
            }
            for likelihood in range(5, 0, -1)
        ],
        consequence_labels=[f"{label} {i}" for i, label in enumerate(matrix.consequence_labels, 1)],
    )
    return context


@role_required(*EMERGENCY_COMMUNICATIONS)
def call_taker(request: HttpRequest) -> HttpResponse:
    protocol = active_protocol()
    call_type = request.GET.get("call_type", "")
    if call_type not in protocol.call_types:
        call_type = ""
    context = _workspace_context(protocol, call_type, {})
    now = timezone.now()
    context["form"] = CallDetailsForm(initial={"answered_at": now})
    context["answered_start"] = now
    context.update(_page_context(request))
    return render(request, "triage/call_taker.html", context)


SHORTCUTS = [
    ("Alt+L", "location"),
    ("Alt+T", "call type"),
    ("Alt+Y / Alt+N", "answer the marked question yes / no"),
    ("Alt+C", "create the call"),
]


def _page_context(request: HttpRequest) -> dict[str, Any]:
    created = None
    try:
        created_id = int(request.GET.get("created", ""))
    except ValueError:
        created_id = 0
    if created_id:
        from rightresponse.dispatch.models import Incident

        created = Incident.objects.filter(pk=created_id).only("id", "call_type", "tier").first()
    return {
        "map_svg": city_map_svg([], title="Click the map to place the call", css="map pick-map"),
        "shortcuts": SHORTCUTS,
        "created": created,
    }


@require_POST
@role_required(*EMERGENCY_COMMUNICATIONS)
def location_check(request: HttpRequest) -> HttpResponse:
    """The HTMX partial under the location field: what the typed address or map click
    resolves to, and the precinct from the city's boundaries."""
    form = CallDetailsForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    location = location_resolve(
        data.get("address", "") or "", data.get("latitude"), data.get("longitude")
    )
    context: dict[str, Any] = {"location": location, "hazards": [], "earlier": 0}
    if location.resolved:
        # What is known about the place, as the call is typed: hazard flags (never their
        # details) and how many calls came from within 150 m (report ~1672).
        from rightresponse.dispatch import selectors as dispatch_selectors
        from rightresponse.dispatch.access import incidents_visible

        context["hazards"] = [
            h.flag
            for h in dispatch_selectors.location_hazards(location.latitude, location.longitude)
        ]
        context["earlier"] = len(
            dispatch_selectors.location_history(
                location.latitude, location.longitude, within=incidents_visible(request.user)
            )
        )
    return render(request, "triage/_location.html", context)


@require_POST
@role_required(*EMERGENCY_COMMUNICATIONS)
def caller_check(request: HttpRequest) -> HttpResponse:
    """The HTMX partial under the callback number: known people with this number whom the
    call taker may see, with only their flags and what works (each shown match audited)."""
    from rightresponse.intake.selectors import caller_matches

    phone = request.POST.get("caller_phone", "")[:40]
    return render(
        request, "triage/_caller.html",
        {"people": caller_matches(request.user, phone), "phone": phone},
    )  # fmt: skip


@require_POST
@role_required(*EMERGENCY_COMMUNICATIONS)
def recommend(request: HttpRequest) -> HttpResponse:
    """The HTMX partial: the workspace for the posted call type and answers."""
    protocol = active_protocol()
    call_type = request.POST.get("call_type", "")[:60]
    answers = _answers(protocol, request.POST)
    context = _workspace_context(protocol, call_type, answers, _posted_area(request))
    return render(request, "triage/_workspace.html", context)


def _posted_area(request: HttpRequest) -> str:
    """The area of the location typed or placed so far ("" when not resolved)."""
    form = CallDetailsForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    address = data.get("address", "") or ""
    if not address and data.get("latitude") is None:
        return ""
    return location_resolve(address, data.get("latitude"), data.get("longitude")).area


@require_POST
@role_required(*EMERGENCY_COMMUNICATIONS)
def call_save(request: HttpRequest) -> HttpResponse:
    """Create the call (the "Create call" button); back to an empty page for the next call."""
    protocol = active_protocol()
    call_type = request.POST.get("call_type", "")[:60]
    answers = _answers(protocol, request.POST)
    form = CallDetailsForm(request.POST)
    agency = user_agency(request.user)
    context = _workspace_context(protocol, call_type, answers, _posted_area(request))
    if not call_type:
        context["error"] = "Choose a call type before creating the call."
    elif agency is None:
        context["error"] = "Your account belongs to no agency, so it cannot take calls."
    if form.is_valid() and not context["error"] and agency is not None:
        try:
            intake = call_intake(
                user=request.user,
                agency=agency,
                call_type=call_type,
                answers=answers,
                details=form.details(),
                protocol=protocol,
            )
        except (UnknownIdError, InvalidCall) as exc:
            context["error"] = str(exc)
        except IntakeFailed as exc:  # nothing was stored: the call taker must know at once
            context["intake_failed"] = str(exc)
            context["answered_start"] = form.cleaned_data.get("answered_at")
            context["form"] = form
            context.update(_page_context(request))
            return render(request, "triage/call_taker.html", context, status=503)
        else:
            call = intake.call
            if intake.incident is None:  # tier 0 or screened out: no field response
                case = f" Virtual case {intake.case.pk} opened." if intake.case else ""
                messages.success(
                    request,
                    f"Call recorded: tier {call.tier} ({TIER_SHORT[call.tier or 0]}), "
                    f"no field response needed.{case}",
                )
                return redirect("triage:call_taker")
            # One number for one call everywhere: the incident's (board, responder, pages).
            return redirect(f"{reverse('triage:call_taker')}?created={intake.incident.pk}")
    context["form"] = form
    # The call's clock keeps running from when it was answered, not from the re-render.
    context["answered_start"] = form.cleaned_data.get("answered_at") if form.is_valid() else None
    context.update(_page_context(request))
    return render(request, "triage/call_taker.html", context, status=400)
