"""Reads about users: their roles and agency."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .models import Agency, AuditEvent, Profile
from .roles import ADMINISTRATOR

AnyUser = AbstractBaseUser | AnonymousUser


def user_roles(user: AnyUser) -> frozenset[str]:
    """The role names a user holds; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_rr_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        if user.is_superuser:  # type: ignore[attr-defined]
            cached = cached | {ADMINISTRATOR}
        user._rr_roles = cached  # type: ignore[union-attr]
    return cached


def user_has_role(user: AnyUser, *roles: str) -> bool:
    held = user_roles(user)
    return ADMINISTRATOR in held or bool(held.intersection(roles))


def user_agency(user: AnyUser) -> Agency | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    return profile.agency if profile is not None else None


def user_agency_id(user: AnyUser) -> int | None:
    """The id of the user's agency in one small query (the API's hot path needs no more)."""
    if not user.is_authenticated:
        return None
    cache = user._state.fields_cache  # type: ignore[union-attr]
    if "profile" in cache:  # loaded with the user (token authentication): no query
        return cache["profile"].agency_id if cache["profile"] is not None else None
    agency_id: int | None = (
        Profile.objects.filter(user_id=user.pk).values_list("agency_id", flat=True).first()
    )
    return agency_id


def audit_events_for_person(person_id: int, limit: int = 200) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(person_id=person_id)
        .select_related("actor", "actor_agency")
        .order_by("-at")[:limit]
    )


def audit_alerts_for(user: AnyUser, limit: int = 200) -> list[AuditEvent]:
    """Flagged reads (emergency looks without consent) a supervisor reviews: those by
    staff of the supervisor's agency; a 911-center supervisor (who dispatches city-wide)
    and an administrator see all."""
    qs = AuditEvent.objects.filter(alert=True).select_related("actor", "actor_agency")
    agency = user_agency(user)
    if ADMINISTRATOR not in user_roles(user):
        if agency is None:
            return []
        if agency.kind != "emergency_communications":
            qs = qs.filter(actor_agency=agency)
    return list(qs.order_by("-at")[:limit])
