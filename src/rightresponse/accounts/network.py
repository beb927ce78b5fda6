"""Which address a request comes from: one rule for the sign-in lock-out (django-axes) and
the API throttles (django-ninja, through NINJA_NUM_PROXIES, which applies the same rule)."""

from __future__ import annotations

from django.conf import settings
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
