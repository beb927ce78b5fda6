"""Writes about users, tokens and the audit log."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, User
from django.db import transaction
from django.utils import timezone

from .models import Agency, ApiToken, AuditEvent, Profile, token_digest
from .roles import ROLES


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    agency: Agency,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    is_staff: bool = False,
) -> User:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown role(s): {', '.join(unknown)}")
    user = User.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_staff=is_staff,
    )
    Profile.objects.create(user=user, agency=agency, title=title)
    user.groups.set([Group.objects.get_or_create(name=r)[0] for r in roles])
    return user


def token_create(user: AbstractBaseUser, name: str = "api") -> str:
    """Create a token and return its key. Only the digest is stored."""
    return token_issue(user, name)[0]


def token_issue(user: AbstractBaseUser, name: str = "api") -> tuple[str, ApiToken]:
    """Create a token; returns its key (shown once: only the digest is stored) and the
    token, which expires ``settings.API_TOKEN_LIFETIME`` from now."""
    key = "rr_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=token_digest(key),
        prefix=key[:8],
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    return key, token


def token_user(key: str) -> AbstractBaseUser | None:
    token = (
        # The profile rides along: the API's next question is the user's agency.
        ApiToken.objects.select_related("user", "user__profile")
        .filter(digest=token_digest(key), revoked=False, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if token is None or token.expires_at <= now:
        return None
    # Touch last_used at most once a minute: an audit aid that must not cost a write per call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def audit_record(
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: object,
    *,
    person_id: int | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    alert: bool = False,
    dedupe_window: timedelta | None = None,
) -> AuditEvent | None:
    """Write one audit event. Call it on every read or share of personal data.

    ``dedupe_window``: for screens that refresh themselves, write nothing (return None)
    when the same user already has the same read of the same record within the window:
    one row per view, not one per refresh. ``alert``: supervisors are told."""
    actor = user if user is not None and user.is_authenticated else None
    profile = getattr(actor, "profile", None) if actor is not None else None
    if dedupe_window is not None and actor is not None:
        seen = AuditEvent.objects.filter(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            person_id=person_id,
            purpose=purpose[:200],
            at__gte=timezone.now() - dedupe_window,
        ).exists()
        if seen:
            return None
    return AuditEvent.objects.create(
        actor=actor,
        actor_agency=profile.agency if profile is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        person_id=person_id,
        purpose=purpose[:200],
        detail=detail or {},
        alert=alert,
    )
