"""A page that needs the protocol when the protocol file cannot be loaded (a bad edit, a
file saved in another encoding, a path to a device) answers 503 with the loader's message
naming the file, the place and the reason, instead of a server error. The API does the
same in its own handlers (triage/api.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rightresponse.core.triage import ProtocolError


class ProtocolUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ProtocolError):
            return None
        return render(
            request, "triage/protocol_unavailable.html", {"problem": str(exception)}, status=503
        )
