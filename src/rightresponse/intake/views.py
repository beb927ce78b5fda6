"""Pages of the intake app: the public online report form (report lines 1153, 1168-1172)
and the phone-report queue where report takers work Tier 0 virtual cases."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rightresponse.accounts.network import TooMany, client_address
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.roles import EMERGENCY_COMMUNICATIONS
from rightresponse.core.triage import UnknownIdError
from rightresponse.triage.protocols import active_protocol
from rightresponse.triage.services import CallDetails, InvalidCall

from . import selectors, services
from .forms import CaseCloseForm, CaseElevateForm, OnlineReportForm

# What to tell a person about reporting directly (shown on the confirmation and to the
# report taker as the line to read): the city's own wording belongs in settings later.
DIRECT_REPORT_HINT = (
    "Next time, you can report this kind of thing yourself, any time, on this page "
    "(/report/) or by calling 311. Call 911 only when someone is in danger or a crime is "
    "happening now."
)


def _report_types() -> list[Any]:
    """The kinds of report the public may file online: call types whose protocol tier is 0."""
    protocol = active_protocol()
    return [ct for ct in protocol.call_types.values() if ct.tier == 0]


def _answers(request: HttpRequest, question_ids: Any) -> dict[str, str]:
    out = {}
    for qid in question_ids:
        value = request.POST.get(f"answer-{qid}")
        if value in ("yes", "no", "unknown"):
            out[qid] = value
    return out


_START_SALT = "intake.online-report-start"


def _started_report(token: str) -> int | None:
    """The started report this form belongs to (a signed id, so nobody can finish another
    person's start); None when absent or tampered with."""
    try:
        return int(signing.loads(token, salt=_START_SALT)) if token else None
    except (signing.BadSignature, TypeError, ValueError):
        return None


@require_POST
def online_report_start(request: HttpRequest) -> HttpResponse:
    """Public: the person chose what to report; the report is counted as started (report
    lines 1387-1389) with no personal data, then the form opens."""
    call_type = request.POST.get("call_type", "")
    try:
        report = services.online_report_start(
            sender_address=client_address(request), call_type=call_type
        )
    except (services.ReportRefused, TooMany) as exc:
        context = {"types": _report_types(), "spec": None, "form": OnlineReportForm(),
                   "urgent": False, "error": str(exc).split(": ", 1)[-1]}  # fmt: skip
        return render(request, "intake/report.html", context,
                      status=429 if isinstance(exc, TooMany) else 400)  # fmt: skip
    query = urlencode({"type": call_type, "started": signing.dumps(report.pk, salt=_START_SALT)})
    return redirect(f"{reverse('report:form')}?{query}")


def online_report(request: HttpRequest) -> HttpResponse:
    """Public: choose the kind of report, answer the safety questions, describe it."""
    protocol = active_protocol()
    types = _report_types()
    chosen = request.POST.get("call_type") or request.GET.get("type", "")
    spec = next((ct for ct in types if ct.id == chosen), None)
    form = OnlineReportForm(request.POST or None)
    started = request.POST.get("started") or request.GET.get("started", "")
    context: dict[str, Any] = {"types": types, "spec": spec, "form": form, "urgent": False,
                               "error": "", "started": started}  # fmt: skip
    if spec is not None:
        context["questions"] = [
            {"id": q, "text": protocol.questions[q].text,
             "answer": request.POST.get(f"answer-{q}", "")}
            for q in spec.questions
        ]  # fmt: skip
    status = 200
    if request.method == "POST":
        status = 400
        if spec is None:
            context["error"] = "Choose what you want to report."
        elif form.is_valid():
            data = form.cleaned_data
            details = CallDetails(
                address=data["address"], caller_phone=data["contact"],
                narrative=data["description"],
            )  # fmt: skip
            try:
                result = services.online_report_submit(
                    sender_address=client_address(request), call_type=spec.id,
                    answers=_answers(request, spec.questions), details=details,
                    trap=data["website"], report_id=_started_report(started),
                )  # fmt: skip
            except services.NeedsResponseNow:
                context["urgent"] = True
                status = 200
            except (services.ReportRefused, TooMany, UnknownIdError, InvalidCall) as exc:
                context["error"] = str(exc).split(": ", 1)[-1]
                status = 429 if isinstance(exc, TooMany) else 400
            except services.IntakeFailed:
                context["error"] = "Your report could not be saved. Please try again or call 311."
                status = 503
            else:
                return render(
                    request, "intake/report_done.html",
                    {"reference": result.case.pk if result.case else None,
                     "hint": DIRECT_REPORT_HINT},
                )  # fmt: skip
    return render(request, "intake/report.html", context, status=status)


@role_required(*EMERGENCY_COMMUNICATIONS)
def report_queue(request: HttpRequest) -> HttpResponse:
    """The phone-report queue: Tier 0 cases waiting for a report taker, oldest first."""
    protocol = active_protocol()
    field_types = [ct for ct in protocol.call_types.values() if ct.tier >= 1]
    cases = selectors.report_queue(request.user)
    for case in cases:
        spec = protocol.call_types.get(case.call.call_type)
        case.type_label = spec.label if spec else case.call.call_type  # type: ignore[attr-defined]
    return render(
        request, "intake/queue.html",
        {"cases": cases, "hint": DIRECT_REPORT_HINT, "field_types": field_types},
    )  # fmt: skip


@require_POST
@role_required(*EMERGENCY_COMMUNICATIONS)
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """Take, close (completed / abandoned) or elevate a case; refusals come back as a
    message naming why."""
    try:
        if action == "take":
            services.virtual_case_take(case_id, request.user)
            messages.success(request, f"Case {case_id} is yours.")
        elif action == "close":
            form = CaseCloseForm(request.POST)
            if not form.is_valid():
                raise services.CaseConflict("choose completed or abandoned")
            d = form.cleaned_data
            services.virtual_case_close(case_id, d["status"], request.user, d["note"],
                                        advised_direct=d["advised_direct"])  # fmt: skip
            messages.success(request, f"Case {case_id} {d['status']}.")
        elif action == "elevate":
            form = CaseElevateForm(request.POST)
            if not form.is_valid():
                raise services.CaseConflict("choose a call type and give a reason")
            d = form.cleaned_data
            result = services.virtual_case_elevate(
                case_id, request.user, call_type=d["call_type"], answers={}, reason=d["reason"]
            )
            incident = result.incident.pk if result.incident else "?"
            messages.success(request, f"Case {case_id} elevated: incident #{incident}.")
        else:
            raise services.CaseConflict(f"unknown action {action!r}")
    except (services.CaseConflict, UnknownIdError, services.IntakeFailed) as exc:
        messages.error(request, str(exc))
    except LookupError:
        messages.error(request, f"No case {case_id}.")
    return redirect("intake:queue")
