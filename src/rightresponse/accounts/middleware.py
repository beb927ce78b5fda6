"""Session lifetime: an idle timeout and an absolute limit (Django has only the second, and
it is renewed by every save of the session)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

STARTED = "rr_session_started"
SEEN = "rr_session_seen"
# Write the last-seen time at most this often: a live board polls every few seconds, and a
# session write per poll would cost a database write per request for nothing.
_TOUCH_SECONDS = 60


class SessionTimeoutMiddleware:
    """Signs a user out after ``SESSION_IDLE_TIMEOUT`` without a request, and
    ``SESSION_COOKIE_AGE`` seconds after sign-in whatever they do (one shift)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            started = float(session.get(STARTED, now))
            seen = float(session.get(SEEN, now))
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            if now - seen > idle or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(
                    request,
                    "Your session has ended (inactivity or its time limit): please sign in again.",
                )
            else:
                if STARTED not in session:
                    session[STARTED] = now
                if SEEN not in session or now - seen >= _TOUCH_SECONDS:
                    session[SEEN] = now
        return self.get_response(request)
