"""The answer to a locked-out sign-in (django-axes calls ``locked_out``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with when to try again: a page for people, RFC 9457 problem details for the
    API. It says the same whether or not the username exists."""
    detail = (
        f"Too many failed sign-in attempts for this username from this address. "
        f"Try again in {_minutes()} minutes, or ask an administrator to unlock it."
    )
    retry = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "type": "about:blank",
                "title": "Too Many Requests",
                "status": 429,
                "detail": detail,
            },
            status=429,
            content_type="application/problem+json",
        )
    else:
        response = render(request, "accounts/locked_out.html", {"detail": detail}, status=429)
    response["Retry-After"] = retry
    return response
