"""Which address a request comes from: one rule for the sign-in lock-out (django-axes) and
the API throttles (django-ninja, through NINJA_NUM_PROXIES, which applies the same rule);
and how the public forms count one sender's submissions."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless ``TRUSTED_PROXY_COUNT`` reverse proxies are declared: then the
    address the outermost of them saw, the N-th entry from the right of X-Forwarded-For
    (entries further left were written by the client and prove nothing). Without a
    declared proxy the header is ignored, so it cannot be used to look like a new client."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(count, len(hops))]


# ---- throttles of the public forms (online reports, plan comments): one rule
class TooMany(ValueError):
    """Too many submissions from one sender in a window: the message is for the person
    (which form, what to do instead); pages answer 429."""


def sender_key(address: str, purpose: str) -> str:
    """A salted one-way hash of the sender's address for ``purpose``: enough to count one
    sender's submissions, never to identify them (nothing else about the sender is kept)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{purpose}:{address}".encode()).hexdigest()


def refuse_when_too_many(recent: QuerySet[Any], limit: int, message: str) -> None:
    """Raise TooMany when the sender's ``recent`` submissions (already filtered to the
    window) reach ``limit``."""
    if recent.count() >= limit:
        raise TooMany(message)
