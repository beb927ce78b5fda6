"""Reads of the intake app: virtual cases the reader may see, the phone-report queue, and
the figures of the virtual channels (issue 13 item 4), over this app's own tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from rightresponse.accounts.models import Agency
from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.accounts.selectors import user_agency_id, user_roles
from rightresponse.core import intake as core
from rightresponse.triage.selectors import calls_visible_to

from .models import HotlineTransfer, VirtualCase

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
