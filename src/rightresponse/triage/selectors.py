"""Reads about calls, scoped to the reader's agency (administrators see every agency)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.accounts.selectors import user_agency, user_roles
from rightresponse.accounts.services import audit_record

from .models import Call


def calls_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Call]:
    if ADMINISTRATOR in user_roles(user):
        return Call.objects.all()
    agency = user_agency(user)
    if agency is None:
        return Call.objects.none()
    return Call.objects.filter(agency=agency)


def call_get(user: AbstractBaseUser | AnonymousUser, call_id: int, *, purpose: str) -> Call | None:
    """One call with its caller's personal data; the read is audited."""
    call = calls_visible_to(user).filter(pk=call_id).first()
    if call is not None:
        audit_record(user, "read", "call", call.pk, person_id=call.person_id, purpose=purpose)
    return call


def calls_recent(user: AbstractBaseUser | AnonymousUser, limit: int = 50) -> list[Call]:
    """Recent calls without reading personal data (the list shows no caller details)."""
    return list(
        calls_visible_to(user)
        .only(
            "id",
            "received_at",
            "call_type",
            "tier",
            "lead",
            "risk_band",
            "screened_out",
            "channel",
            "area",
            "protocol_version",
        )
        .order_by("-received_at")[:limit]
    )
