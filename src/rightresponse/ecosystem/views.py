"""Pages of the ecosystem pillar: directory search (and its HTMX partial), referrals,
the provider inbox, the navigator's page, a person's consent and access log, and
community healing plans."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.selectors import (
    audit_alerts_for,
    audit_events_for_person,
    user_agency,
    user_has_role,
)
from rightresponse.accounts.visibility import viewer_of
from rightresponse.core.ecosystem.referrals import (
    ACTION_VERBS,
    OUTCOME_REASONS,
    TransitionError,
    allowed_targets,
)
from rightresponse.core.visibility import (
    BASIS_RATE_LIMITED,
    EMERGENCY_PURPOSE,
    may_update_healing_plan,
)
from rightresponse.people.models import Person

from . import config, selectors, services
from .forms import (
    CapacityForm,
    ConsentForm,
    ContactForm,
    HealingPlanForm,
    ReferralForm,
    TransitionForm,
)
from .models import Consent, HealingAction, HealingPlan, Service
from .sharing import (
    emergency_incident,
    may_record_consent,
    may_view_person_record,
    person_view,
    referral_person_view,
)

DIRECTORY_ROLES = (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SERVICE_PROVIDER, r.SUPERVISOR)
REFERRAL_ROLES = DIRECTORY_ROLES
INBOX_ROLES = (r.SERVICE_PROVIDER, r.RESPONDER, r.SUPERVISOR)
HEALING_ROLES = (r.SUPERVISOR, r.SERVICE_PROVIDER, r.RESPONDER, r.ANALYST)
EMERGENCY_ROLES = (r.CALL_TAKER, r.DISPATCHER, r.RESPONDER, r.SUPERVISOR)
NO_PERSON = "No such person record."


def _person_emergency(request: HttpRequest, person_id: int) -> HttpResponse:
    """Another agency's person, without consent, during an emergency: only for a person
    linked to an open incident the user is assigned to or dispatching (core.visibility),
    only what a responder needs, at most a few looks an hour; each look is flagged to
    supervisors. Anything else answers exactly as a missing person (no existence oracle).
    """
    person = Person.objects.filter(pk=person_id).first()
    incident = emergency_incident(request.user, person) if person is not None else None
    if person is None or incident is None:
        raise Http404(NO_PERSON)
    view = person_view(
        request.user,
        person,
        purpose=EMERGENCY_PURPOSE,
        incident=incident,
        emergency_look=True,
    )
    status = 429 if view.access.basis == BASIS_RATE_LIMITED else 200
    return render(
        request,
        "ecosystem/person_emergency.html",
        {"view": view, "incident": incident},
        status=status,
    )


def _param(request: HttpRequest, name: str, limit: int) -> str:
    # NUL cannot reach the database (PostgreSQL refuses it); it is never meaningful here.
    return request.GET.get(name, "").replace("\x00", "")[:limit]


def _criteria(request: HttpRequest) -> selectors.SearchCriteria:
    q = request.GET
    age_text = q.get("age", "").strip()
    age = int(age_text) if age_text.isdigit() and int(age_text) <= 130 else None
    category = q.get("category", "")
    # Opened from an incident: its need preselected from the incident's category.
    need = _param(request, "need", 40) or config.INCIDENT_NEEDS.get(q.get("category", ""), "")
    return selectors.SearchCriteria(
        need=need,
        area=_param(request, "area", 60),
        language=_param(request, "language", 10),
        open_now=q.get("open_now") in ("1", "on", "true"),
        age=age,
        category=category if category in config.taxonomy().categories else "",
        has_capacity=q.get("has_capacity") in ("1", "on", "true"),
        text=_param(request, "q", 100),
    )


def _search_context(request: HttpRequest) -> dict[str, Any]:
    criteria = _criteria(request)
    hits = selectors.services_search(criteria)
    for hit in hits:
        service = getattr(hit, "service", hit)
        service.language_names = [selectors.language_name(c) for c in service.languages or []]
    return {
        "criteria": criteria,
        "hits": hits,
        "refer_query": _refer_query(request),
        "taxonomy": config.taxonomy(),
    }


def _refer_query(request: HttpRequest) -> str:
    """Carry the incident or call being worked on into the referral form."""
    keep = {
        k: request.GET[k]
        for k in ("incident_id", "call_type", "category", "call_id", "parent")
        if request.GET.get(k)
    }
    return "&".join(f"{k}={v}" for k, v in keep.items() if str(v).replace("_", "").isalnum())


@role_required(*DIRECTORY_ROLES)
def directory(request: HttpRequest) -> HttpResponse:
    """Find a service by need, area, language, open now, age and capacity. The filters are
    the page's URL (the search form pushes it), so a reload or a shared link keeps them;
    an HTMX request gets only the results."""
    context = _search_context(request)
    if request.headers.get("HX-Request") == "true":
        return render(request, "ecosystem/_results.html", context)
    context.update(
        areas=selectors.known_areas(),
        languages=[(code, selectors.language_name(code)) for code in selectors.known_languages()],
        # The incident, call or referral being worked on rides along with every search.
        carried=[
            (k, request.GET.get(k, ""))
            for k in ("incident_id", "call_type", "category", "call_id", "parent")
        ],
    )
    return render(request, "ecosystem/directory.html", context)


@role_required(*DIRECTORY_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    """The results as an HTML fragment, for HTMX on this and other pillars' pages:
    ``hx-get="{% url 'ecosystem:search' %}?need=shelter&open_now=1"``."""
    return render(request, "ecosystem/_results.html", _search_context(request))


@role_required(*REFERRAL_ROLES)
def referrals(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sent = list(selectors.referrals_sent_by(request.user)[:200])
    inbox = list(selectors.referrals_inbox(request.user)[:200])
    for ref in sent + inbox:
        ref.overdue = selectors.referral_overdue(ref, now)  # type: ignore[attr-defined]
    # No link to a page this user cannot open (issue 16: three links answered 403).
    return render(request, "ecosystem/referrals.html", {
        "sent": sent, "inbox": inbox,
        "may_inbox": user_has_role(request.user, *INBOX_ROLES),
        "may_heal": user_has_role(request.user, *HEALING_ROLES),
    })  # fmt: skip


@role_required(*INBOX_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    """The provider's inbox: only referrals sent to the user's own agency."""
    now = timezone.now()
    rows = list(
        selectors.referrals_inbox(request.user, open_only=request.GET.get("all") != "1")[:300]
    )
    for ref in rows:
        ref.overdue = selectors.referral_overdue(ref, now)  # type: ignore[attr-defined]
        ref.provider_targets = [  # type: ignore[attr-defined]
            (t, ACTION_VERBS.get(t, t)) for t in sorted(allowed_targets(ref.status, "provider"))
        ]
        # The person as far as consent lets this agency see them (audited), else the family.
        ref.who = (  # type: ignore[attr-defined]
            person_view(request.user, ref.person, purpose="referral", object_type="referral",
                        object_id=ref.pk).display_name
            if ref.person is not None
            else (ref.family_name or "Household (no name given)")
        )  # fmt: skip
    agency = user_agency(request.user)
    own_services = (
        Service.objects.filter(organization__agency=agency) if agency else Service.objects.none()
    )
    return render(
        request,
        "ecosystem/inbox.html",
        {"rows": rows, "own_services": own_services, "reasons": OUTCOME_REASONS},
    )


@role_required(*INBOX_ROLES)
def navigator(request: HttpRequest) -> HttpResponse:
    """A navigator's day: second-response follow-ups due, overdue referrals, a search."""
    now = timezone.now()
    open_rows = list(selectors.referrals_inbox(request.user, open_only=True)[:300])
    for ref in open_rows:
        ref.overdue = selectors.referral_overdue(ref, now)  # type: ignore[attr-defined]
    follow_ups = [ref for ref in open_rows if ref.is_second_response]
    overdue = [ref for ref in open_rows if ref.overdue]  # type: ignore[attr-defined]
    plans = HealingPlan.objects.prefetch_related("actions")[:5]
    return render(
        request,
        "ecosystem/navigator.html",
        {
            "follow_ups": follow_ups,
            "overdue": overdue,
            "plans": plans,
            "taxonomy": config.taxonomy(),
        },
    )


@role_required(*REFERRAL_ROLES)
def incident_referrals(request: HttpRequest, incident_id: int) -> HttpResponse:
    """HTML fragment for an incident's page: the referrals made from it that the user's
    agency sent or received, with status, and a link to refer again."""
    agency = user_agency(request.user)
    rows = [
        ref
        for ref in selectors.referrals_for_incident(incident_id)
        if agency is not None and agency.pk in (ref.from_agency_id, ref.to_agency_id)
    ]
    return render(
        request, "ecosystem/_incident_referrals.html", {"rows": rows, "incident_id": incident_id}
    )


@role_required(*REFERRAL_ROLES)
def refer(request: HttpRequest) -> HttpResponse:
    """Create a referral; opened from an incident, a call, the directory or the inbox."""
    initial = {
        "service": request.GET.get("service") or None,
        "incident_id": request.GET.get("incident_id") or None,
        "incident_call_type": request.GET.get("call_type", ""),
        "incident_category": request.GET.get("category", ""),
        "call_id": request.GET.get("call_id") or None,
        "parent_id": request.GET.get("parent") or None,
        "source": "provider"
        if request.GET.get("parent")
        else "incident"
        if request.GET.get("incident_id")
        else ("hotline" if request.GET.get("call_id") else "navigator"),
    }
    form = ReferralForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = (
            selectors.referral_for(request.user, data["parent_id"]) if data["parent_id"] else None
        )
        if data["parent_id"] and parent is None:
            form.add_error(None, "The referral this one follows is not your agency's.")
        else:
            try:
                # What the referral names, as far as the user may see it: a person, call
                # or incident of another agency answers as a missing one.
                refs = services.referral_references(
                    request.user,
                    person_id=data["person_id"],
                    call_id=data["call_id"],
                    incident_id=data["incident_id"],
                    incident_category=data["incident_category"],
                    incident_call_type=data["incident_call_type"],
                    parent=parent,
                )
                with transaction.atomic():
                    person = refs.person
                    if person is None and data["person_name"].strip():
                        # Named on scene: the user's agency's record with this name and
                        # phone, or a new one of that agency (tenancy: nothing else is
                        # searched); what the provider then sees follows consent.
                        person = services.person_find_or_create(
                            user=request.user, name=data["person_name"],
                            phone=data["person_phone"],
                        )  # fmt: skip
                    if data["consent_share"] and person is not None:
                        _consent_for_referral(request, person, data)
                    ref = services.referral_create(
                        user=request.user,
                        source=data["source"],
                        service=data["service"],
                        person=person,
                        family_name=data["family_name"],
                        family_size=data["family_size"],
                        reason=data["reason"],
                        incident_id=data["incident_id"],
                        incident_category=refs.incident_category,
                        incident_call_type=refs.incident_call_type,
                        call=refs.call,
                        parent=parent,
                    )
            except PermissionDenied as exc:
                form.add_error("consent_share", str(exc))
            except services.InvalidInput as exc:
                form.add_error(None, str(exc))
            else:
                if selectors.referral_for(request.user, ref.pk) is None:
                    # Merged into the provider's open referral for this incident, which another
                    # agency sent: say so, and stay on pages this user can open.
                    messages.success(request, f"Added to the open referral to {ref.to_agency.name} "
                                     "for this incident (one referral per provider).")  # fmt: skip
                    if data["incident_id"] and user_has_role(request.user, r.RESPONDER):
                        return redirect("dispatch:responder")
                    return redirect("ecosystem:referrals")
                messages.success(request, f"Referral {ref.pk} sent to {ref.to_agency.name}.")
                return redirect("ecosystem:referral", referral_id=ref.pk)
    return render(
        request, "ecosystem/refer.html", {"form": form}, status=422 if form.errors else 200
    )


def _consent_for_referral(request: HttpRequest, person: Person, data: dict[str, Any]) -> None:
    """Consent captured with the referral: to this provider, for this purpose, this data."""
    until = data["consent_until"]
    services.consent_grant(
        user=request.user,
        person=person,
        organisations=[data["service"].organization.agency],
        purposes=["referral"],
        data_categories=["identity", "contact", "needs"],
        valid_until=timezone.make_aware(datetime.combine(until, time(23, 59))) if until else None,
        informed=True,
        written=data["consent_written"],
        person_present=data["consent_person_present"],
        method="written" if data["consent_written"] else "verbal",
        note="Captured with a referral.",
    )


@role_required(*REFERRAL_ROLES)
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise Http404("No such referral for your agency.")
    view = referral_person_view(request.user, ref)
    side = services.referral_side(request.user, ref)
    return render(
        request,
        "ecosystem/referral.html",
        {
            "ref": ref,
            "view": view,
            "side": side,
            "targets": [
                (t, ACTION_VERBS.get(t, t)) for t in sorted(allowed_targets(ref.status, side))
            ],
            "events": ref.events.select_related("actor", "actor_agency"),
            "overdue": selectors.referral_overdue(ref),
            "reasons": OUTCOME_REASONS,
            "show_reason": view is None or view.may("needs"),
            "may_open_person": ref.person is not None
            and may_view_person_record(request.user, ref.person),
        },
    )


@require_POST
@role_required(*REFERRAL_ROLES)
def referral_transition(request: HttpRequest, referral_id: int) -> HttpResponse:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise Http404("No such referral for your agency.")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
    else:
        try:
            services.referral_transition(
                ref,
                request.user,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"] or None,
                note=form.cleaned_data["note"],
            )
            messages.success(request, f"Referral {ref.pk} is now {form.cleaned_data['status']}.")
        except TransitionError as exc:
            messages.error(request, f"Not changed: {exc}.")
    if request.POST.get("next") == "inbox":
        return redirect("ecosystem:inbox")
    return redirect("ecosystem:referral", referral_id=ref.pk)


@require_POST
@role_required(*INBOX_ROLES)
def referral_contact(request: HttpRequest, referral_id: int) -> HttpResponse:
    ref = selectors.referral_for(request.user, referral_id)
    if ref is None:
        raise Http404("No such referral for your agency.")
    form = ContactForm(request.POST)
    if form.is_valid():
        connected_text = form.cleaned_data["connected"]
        try:
            services.referral_record_contact(
                ref,
                request.user,
                reached=form.cleaned_data["reached"],
                connected=None if connected_text == "" else connected_text == "yes",
                note=form.cleaned_data["note"],
            )
            messages.success(request, "Contact recorded.")
        except services.InvalidInput as exc:
            messages.error(request, f"Not recorded: {exc}.")
    else:
        messages.error(request, "Say whether the person was reached.")
    return redirect("ecosystem:referral", referral_id=ref.pk)


@require_POST
@role_required(*INBOX_ROLES)
def capacity_update(request: HttpRequest, service_id: str) -> HttpResponse:
    service = get_object_or_404(Service.objects.select_related("organization"), id=service_id)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.service_capacity_update(
                service,
                request.user,
                available=form.cleaned_data["available"],
                maximum=form.cleaned_data["maximum"],
                waitlist=form.cleaned_data["waitlist"],
            )
            messages.success(request, f"Capacity of {service.name} updated.")
        except services.InvalidInput as exc:
            messages.error(request, f"Not updated: {exc}.")
    else:
        messages.error(
            request,
            "Not updated: "
            + "; ".join(
                f"{form.fields[name].label}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ),
        )
    return redirect("ecosystem:inbox")


@role_required(*DIRECTORY_ROLES)
def person_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's consents and the log of who looked at their record, when and why.

    Opens for the owner agency, a consented agency or an administrator; the emergency
    view (``?purpose=emergency_response``) is the one way in for anyone else. Any other
    person answers 404 exactly as a missing one."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None or not may_view_person_record(request.user, person):
        if request.GET.get("purpose") == EMERGENCY_PURPOSE and user_has_role(
            request.user, *EMERGENCY_ROLES
        ):
            return _person_emergency(request, person_id)
        raise Http404(NO_PERSON)
    view = person_view(request.user, person, purpose="care_coordination")
    may_record = may_record_consent(request.user, person)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and not may_record:
        raise PermissionDenied("Only the person's own agency records their consent.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        until = data["valid_until"]
        try:
            services.consent_grant(
                user=request.user,
                person=person,
                organisations=list(data["organisations"]),
                purposes=data["purposes"],
                data_categories=data["data_categories"],
                valid_until=timezone.make_aware(datetime.combine(until, time(23, 59)))
                if until
                else None,
                informed=data["informed"],
                written=data["method"] != "verbal",
                person_present=data["person_present"],
                method=data["method"],
                note=data["note"],
            )
        except services.ConsentInvalid as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Consent recorded.")
            return redirect("ecosystem:person", person_id=person.pk)
    consents = person.consents.prefetch_related("organisations").select_related(
        "captured_by", "captured_agency"
    )
    return render(
        request,
        "ecosystem/person.html",
        {
            "person": person,
            "view": view,
            "consents": consents,
            "form": form,
            "may_record": may_record,
            "events": audit_events_for_person(person.pk),
            "now": timezone.now(),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@role_required(*DIRECTORY_ROLES)
def consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    consent = Consent.objects.select_related("person").filter(pk=consent_id).first()
    if consent is None or not may_view_person_record(request.user, consent.person):
        raise Http404("No such consent for your agency.")
    services.consent_revoke(
        consent,
        request.user,
        request.POST.get("note", "").replace("\x00", "")[:200],
        at_persons_request=request.POST.get("at_persons_request") in ("1", "on", "true"),
    )  # PermissionDenied (403) for an agency that may see but not revoke
    messages.success(request, "Consent revoked: sharing under it has stopped.")
    return redirect("ecosystem:person", person_id=consent.person_id)


@role_required(r.SUPERVISOR)
def access_alerts(request: HttpRequest) -> HttpResponse:
    """Emergency looks at people's records without consent, for supervisors to review
    (issue 10: every use alerts supervisors)."""
    return render(request, "ecosystem/alerts.html", {"events": audit_alerts_for(request.user)})


@role_required(*HEALING_ROLES)
def healing(request: HttpRequest) -> HttpResponse:
    """Community-wide healing plans (report ~1998-2006)."""
    form = HealingPlanForm(request.POST or None)
    may_create = user_has_role(request.user, r.SUPERVISOR, r.SERVICE_PROVIDER, r.RESPONDER)
    if request.method == "POST":
        if not may_create:
            raise PermissionDenied("Analysts read plans; they do not create them.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.healing_plan_create(
                    user=request.user,
                    title=data["title"],
                    event_summary=data["event_summary"],
                    level=data["level"],
                    lead_agency=data["lead_agency"],
                    area=data["area"],
                    incident_id=data["incident_id"],
                    occurred_at=timezone.make_aware(datetime.combine(data["occurred_on"], time(12)))
                    if data["occurred_on"]
                    else None,
                    responsible_departments=_lines(data["responsible_departments"]),
                    trusted_intermediaries=_lines(data["trusted_intermediaries"]),
                    actions=_actions(data["actions"]),
                )
            except ValueError as exc:  # InvalidInput and bad action lines
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Plan created.")
                return redirect(f"{request.path}#plan-{plan.pk}")
    plans = HealingPlan.objects.select_related("lead_agency").prefetch_related("actions")
    return render(
        request,
        "ecosystem/healing.html",
        {
            "plans": plans,
            "form": form,
            "may_create": may_create,
            "statuses": HealingAction.STATUSES,
        },
        status=422 if form.errors else 200,
    )


@require_POST
@role_required(r.SUPERVISOR, r.SERVICE_PROVIDER, r.RESPONDER)
def healing_action_status(request: HttpRequest, action_id: int) -> HttpResponse:
    action = get_object_or_404(
        HealingAction.objects.select_related("plan__created_by"), pk=action_id
    )
    if not _may_update_healing_plan(request.user, action.plan):
        raise Http404("No such action.")  # another agency's plan: the same answer as none
    try:
        services.healing_action_set_status(action, request.POST.get("status", ""))
    except services.InvalidInput as exc:
        messages.error(request, str(exc))
    return redirect(f"/services/healing/#plan-{action.plan_id}")


def _may_update_healing_plan(user: Any, plan: HealingPlan) -> bool:
    author = user_agency(plan.created_by) if plan.created_by else None
    return may_update_healing_plan(
        viewer_of(user),
        lead_agency_id=plan.lead_agency_id,
        author_agency_id=author.pk if author else None,
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _actions(text: str) -> list[tuple[str, str, date | None]]:
    actions = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"actions line {number}: write 'what | who | YYYY-MM-DD'")
        due = None
        if len(parts) > 2 and parts[2]:
            try:
                due = date.fromisoformat(parts[2])
            except ValueError as exc:
                raise ValueError(
                    f"actions line {number}: '{parts[2]}' is not a date (YYYY-MM-DD)"
                ) from exc
        actions.append((parts[0], parts[1], due))
    return actions
