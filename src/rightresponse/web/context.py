"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from rightresponse.accounts.selectors import user_agency, user_has_role, user_roles

from .navigation import NAVIGATION


def visible_navigation(request: HttpRequest) -> list[dict[str, str]]:
    entries = []
    for entry in NAVIGATION:
        if entry.roles and not user_has_role(request.user, *entry.roles):
            continue
        if entry.url_name.startswith("admin:") and not getattr(request.user, "is_staff", False):
            continue  # the admin site opens for staff only: never a link that cannot open
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": entry.label, "url": url, "description": entry.description})
    return entries


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_entries": []}
    return {
        "nav_entries": visible_navigation(request),
        "user_agency": user_agency(request.user),
        "user_role_names": sorted(user_roles(request.user)),
    }
