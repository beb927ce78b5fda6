"""Reads of the intake app: virtual cases the reader may see, the phone-report queue, and
the figures of the virtual channels (issue 13 item 4), over this app's own tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from rightresponse.accounts.models import Agency
from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.accounts.selectors import user_agency_id, user_roles
from rightresponse.core import intake as core
from rightresponse.triage.models import Call
from rightresponse.triage.selectors import calls_visible_to

from .models import HotlineTransfer, OnlineReport, VirtualCase

User = AbstractBaseUser | AnonymousUser


def cases_visible_to(user: Any) -> QuerySet[VirtualCase]:
    """A virtual case is seen by whoever sees its call (the call's agency rule)."""
    return VirtualCase.objects.filter(call__in=calls_visible_to(user).values("pk"))


def report_queue(user: Any, limit: int = 100) -> list[VirtualCase]:
    """Open virtual cases, oldest first (first come, first served), without caller data."""
    return list(
        cases_visible_to(user)
        .filter(status="initiated")
        .select_related("call")
        .only(
            "id",
            "channel",
            "status",
            "opened_at",
            "taken_at",
            "call__call_type",
            "call__area",
            "call__tier",
        )  # fmt: skip
        .order_by("opened_at")[:limit]
    )


def online_report_agency() -> Agency | None:
    """Who receives online reports: ``RIGHTRESPONSE_ONLINE_REPORT_AGENCY`` (a slug), else
    the first emergency communications center."""
    slug = getattr(settings, "RIGHTRESPONSE_ONLINE_REPORT_AGENCY", "")
    agencies = Agency.objects.order_by("pk")
    if slug:
        return agencies.filter(slug=slug).first()
    return agencies.filter(kind="emergency_communications").first()


def transfers_visible_to(user: Any) -> QuerySet[HotlineTransfer]:
    """A transfer is seen by its two parties (the 911 center that sent it, the hotline that
    received it) and by administrators; nobody else."""
    if ADMINISTRATOR in user_roles(user):
        return HotlineTransfer.objects.all()
    agency_id = user_agency_id(user)
    if agency_id is None:
        return HotlineTransfer.objects.none()
    return HotlineTransfer.objects.filter(Q(from_agency_id=agency_id) | Q(to_agency_id=agency_id))


def virtual_reporting_figures(
    agency_ids: list[int] | None, start: datetime, end: datetime
) -> dict[str, float | int | None]:
    """The virtual-reporting figures for cases opened in [start, end) (all agencies when
    ``agency_ids`` is None); no personal data is read."""
    cases = VirtualCase.objects.filter(opened_at__gte=start, opened_at__lt=end)
    if agency_ids is not None:
        cases = cases.filter(agency_id__in=agency_ids)
    fields = ("channel", "status", "opened_at", "taken_at", "closed_at", "advised_direct")
    return core.virtual_reporting_figures(
        [core.CaseRow(*row) for row in cases.values_list(*fields)]
    )


def hotline_figures(
    agency_ids: list[int] | None, start: datetime, end: datetime
) -> dict[str, float | int | None]:
    """Hotline transfer figures for transfers requested in [start, end), by sending agency."""
    rows = HotlineTransfer.objects.filter(requested_at__gte=start, requested_at__lt=end)
    if agency_ids is not None:
        rows = rows.filter(from_agency_id__in=agency_ids)
    fields = ("hotline", "status", "requested_at", "answered_at", "outcome")
    return core.hotline_figures([core.TransferRow(*row) for row in rows.values_list(*fields)])


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())[-10:]


def call_flags(user: Any, details: Any) -> list[tuple[str, str]]:
    """The flags the protocol's flag rules may act on (report lines 1596, 1620-1632):
    each behavioural flag of a known person with the callback number whom the user may
    see (an audited read, as on the page), and each hazard flag near the place. Only the
    flag's wording leaves here (least information: no detail, no name)."""
    from rightresponse.dispatch.selectors import location_hazards
    from rightresponse.geo.selectors import location_resolve

    flags: list[tuple[str, str]] = []
    if user is not None and getattr(user, "is_authenticated", False) and details.caller_phone:
        for person in caller_matches(user, details.caller_phone):
            flags += [("person", str(f)) for f in person.get("behavioural_flags") or []]
    if details.address or details.latitude is not None:
        place = location_resolve(details.address, details.latitude, details.longitude)
        if place.resolved:
            flags += [("place", h.flag) for h in location_hazards(place.latitude, place.longitude)]
    return list(dict.fromkeys(flags))


def caller_matches(user: Any, phone: str, limit: int = 3) -> list[dict[str, Any]]:
    """People known to the caller's number (report lines 1596, 1620-1632), for the call
    taker: only people the user may see (core.visibility, through ecosystem.sharing), and of
    them only what a responder needs (name, language, behaviour to expect, what works).
    Every match shown is an audited read. Fewer than 7 digits matches nobody."""
    from rightresponse.core.visibility import EMERGENCY_PURPOSE
    from rightresponse.ecosystem.sharing import people_visible, person_view

    digits = _digits(phone)
    if len(digits) < 7:
        return []
    candidates = people_visible(user).filter(phone__contains=digits[-4:]).order_by("pk")[:50]
    out = []
    for person in candidates:
        if _digits(person.phone) != digits:
            continue
        view = person_view(user, person, purpose=EMERGENCY_PURPOSE,
                           object_type="person", audit_window=None)  # fmt: skip
        if not view.access.allowed:
            continue
        out.append({"person_id": person.pk, **view.fields})
        if len(out) >= limit:
            break
    return out


# ------------------------------------------------ metric facts (issue 13 item 1, issue 17)
# The virtual-reporting and hotline metrics read these records on request: small tables,
# so there is no snapshot, stamp or receiver, and a record is in the next request's
# figures. One row per report or contact, with the keys of core.metrics.facts.FACT_FIELDS.
HOTLINE_CHANNELS = ("988", "hotline")


def _period(qs: QuerySet[Any], field: str, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def _referred_calls(call_ids: set[int]) -> set[int]:
    """Calls with a referral sent to a service (drafts are not sent)."""
    from rightresponse.ecosystem.models import Referral

    if not call_ids:
        return set()
    return set(
        Referral.objects.filter(call_id__in=call_ids)
        .exclude(status="draft")
        .values_list("call_id", flat=True)
    )


def _category(decision: Any) -> str | None:
    return decision.get("category") or None if isinstance(decision, dict) else None


def virtual_report_facts(start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    """Every telephone or online report opened in [start, end): each virtual case (its
    lifecycle) that is not a hotline contact, and each online report started on the public form (core.intake decides
    abandonment on read). An online report's row runs from starting the form to sending
    it; it has no contact time (nobody spoke with the person)."""
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    # A Tier 0 call on a hotline's line, or one 911 sent on to a hotline, is a hotline
    # contact (hotline_contact_facts), not a report: counted there, not twice.
    reports = (
        VirtualCase.objects.filter(online_report__isnull=True)
        .exclude(channel__in=HOTLINE_CHANNELS)
        .exclude(call__transfers_out__isnull=False)
    )
    cases = _period(reports, "opened_at", start, end).values_list(
        "opened_at", "taken_at", "closed_at", "channel", "status", "call__call_type",
        "call__decision", "call__area", "advised_direct", "call_id")  # fmt: skip
    case_rows = list(cases)
    online = list(
        _period(OnlineReport.objects.all(), "started_at", start, end).values_list(
            "started_at",
            "finished_at",
            "status",
            "call_type",
            "category",
            "case__status",
            "case__call__area",
            "case__call_id",
        )  # fmt: skip
    )
    referred = _referred_calls({r[9] for r in case_rows} | {r[7] for r in online if r[7]})
    for (
        opened,
        taken,
        closed,
        channel,
        status,
        ctype,
        decision,
        area,
        advised,
        call_id,
    ) in case_rows:
        rows.append({
            "received_at": opened, "answered_at": taken, "cleared_at": closed if taken else None,
            "closed_at": closed, "channel": channel,
            "status": status, "call_type": ctype, "category": _category(decision),
            "area": area or None, "advised_direct": advised, "referred": call_id in referred,
        })  # fmt: skip
    for started, finished, stored, ctype, category, case_status, area, call_id in online:
        status = core.online_report_status(stored, started, now)
        if case_status == "elevated":  # the report taker found someone must be sent
            status = "elevated"
        rows.append({
            "received_at": started, "answered_at": None, "cleared_at": None,
            "closed_at": finished, "channel": "online",
            "status": status, "call_type": ctype, "category": category or None,
            "area": area or None, "advised_direct": None, "referred": call_id in referred,
        })  # fmt: skip
    return rows


def _transfer_outcome(status: str, outcome: str) -> str | None:
    return outcome or {"handed_back": "handed_back", "declined": "declined"}.get(status)


def hotline_contact_facts(start: datetime | None, end: datetime | None) -> list[dict[str, Any]]:
    """Every hotline contact received in [start, end): each transfer from 911 (channel
    "911"; answered when the hotline accepted or declined it; reached unless it closed with
    "no contact"; elevated when handed back to 911) and each call taken on a hotline's own
    line that is not a hand-back (answered; elevated when triage sent someone)."""
    from rightresponse.dispatch.selectors import caller_key

    rows: list[dict[str, Any]] = []
    transfers = list(
        _period(HotlineTransfer.objects.all(), "requested_at", start, end).values_list(
            "requested_at",
            "answered_at",
            "closed_at",
            "hotline",
            "handoff",
            "status",
            "outcome",
            "hand_back_call__tier",
            "call__decision",
            "call__area",
            "call__caller_phone",
            "call_id",
            "hand_back_call_id",
        )  # fmt: skip
    )
    direct = list(
        _period(
            Call.objects.filter(channel__in=HOTLINE_CHANNELS, handed_back_from__isnull=True),
            "received_at",
            start,
            end,
        ).values_list(
            "received_at",
            "answered_at",
            "answer_wait_measured",
            "channel",
            "tier",
            "screened_out",
            "decision",
            "area",
            "caller_phone",
            "id",
        )  # fmt: skip
    )
    referred = _referred_calls(
        {t[11] for t in transfers} | {t[12] for t in transfers if t[12]} | {d[9] for d in direct}
    )
    for (requested, answered, closed, hotline, handoff, status, outcome, back_tier, decision,
         area, phone, call_id, back_id) in transfers:  # fmt: skip
        finished = status in ("closed", "handed_back")
        reached = (
            None if status in ("requested", "declined")
            else status != "closed" or outcome != "no_contact"
        )  # fmt: skip
        rows.append({
            "received_at": requested, "answered_at": answered, "cleared_at": closed,
            "hotline": hotline, "channel": "911", "handoff": handoff, "status": status,
            "outcome": _transfer_outcome(status, outcome), "reached": reached,
            "elevated": (status == "handed_back") if finished else None,
            "referred": outcome == "referred" or call_id in referred or back_id in referred,
            "final_tier": back_tier if status == "handed_back" else (0 if finished else None),
            "category": _category(decision), "area": area or None,
            "caller_key": caller_key(phone) or None,
        })  # fmt: skip
    for (
        received,
        answered,
        measured,
        channel,
        tier,
        screened,
        decision,
        area,
        phone,
        call_id,
    ) in direct:
        triaged = tier is not None and not screened
        rows.append({
            "received_at": received, "answered_at": answered if measured else None,
            "cleared_at": None, "hotline": "988" if channel == "988" else "other",
            "channel": channel, "handoff": None, "status": "direct",
            "outcome": ("in_person_response" if tier else "resolved") if triaged else None,
            "reached": True, "elevated": bool(tier) if triaged else None,
            "referred": call_id in referred, "final_tier": tier,
            "category": _category(decision), "area": area or None,
            "caller_key": caller_key(phone) or None,
        })  # fmt: skip
    return rows


def record_facts_exist(facts: str) -> bool:
    """Has this kind of record ever been made? (If not, its metrics are "not yet
    measured", never zero.)"""
    if facts == "virtual_reports":
        return VirtualCase.objects.exists() or OnlineReport.objects.exists()
    return (
        HotlineTransfer.objects.exists()
        or Call.objects.filter(channel__in=HOTLINE_CHANNELS, handed_back_from__isnull=True).exists()
    )


RECORD_FACTS = {"virtual_reports": virtual_report_facts, "hotline_contacts": hotline_contact_facts}
