"""Who may call what: one declaration per page and per API endpoint.

Pages use ``@role_required(...)``. API operations pass ``auth=allow(...)`` (or
``auth=PUBLIC`` for the few open endpoints); a test walks every registered operation
and fails if one declares nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from .selectors import user_has_role
from .services import token_user


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Page decorator: log in first, then hold one of ``roles`` (administrators pass)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not user_has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


class allow(HttpBearer):  # noqa: N801 - reads as a declaration: auth=allow(DISPATCHER)
    """API auth: a bearer token or a logged-in session, holding one of ``roles``.

    Session requests must carry the CSRF token (the pages send it with HTMX).
    """

    openapi_description = "Bearer token (see POST /api/auth/token) or a browser session."

    def __init__(self, *roles: str) -> None:
        super().__init__()
        self.roles = roles

    def __call__(self, request: HttpRequest) -> Any:
        user = None
        header = request.headers.get(self.header)
        if header:
            user = super().__call__(request)
            if user is None:
                return None
        elif request.user.is_authenticated:
            if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
                raise HttpError(403, "CSRF check failed; send the X-CSRFToken header.")
            user = request.user
        if user is None:
            return None
        if not user_has_role(user, *self.roles):
            raise HttpError(403, "Your role may not call this endpoint.")
        request.user = user
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_user(token)


# Open endpoints say so explicitly with ``auth=PUBLIC``; the API's default for an
# operation that declares nothing is administrators only (a safe default).
PUBLIC = None
