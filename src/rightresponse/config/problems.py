"""One error shape for the whole API: RFC 9457 problem details (issue 20).

Every error the API answers is ``application/problem+json``::

    {"type": "urn:rightresponse:problem:validation-error", "title": "Unprocessable Content",
     "status": 422, "detail": "1 field is invalid: body.call_id (Input should be ...)",
     "errors": [{"location": "body", "field": "call_id", "reason": "Input should be ..."}]}

``install(api)`` registers the handlers on the one NinjaAPI; ``document(schema, api)``
adds the error responses each operation can return to the OpenAPI document, so every
operation lists its codes without 48 hand-written declarations. A client reads ``status``
and ``type``; ``detail`` is for people. A last-resort handler logs the exception and
answers a 500 problem without a traceback.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.parser import Parser

logger = logging.getLogger("rightresponse.api")

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:rightresponse:problem:"
# Seconds a client should wait before retrying a write that found the database busy.
RETRY_AFTER_BUSY = 2

# The problem type of each status the API answers (docs/api.md lists them).
TYPES: dict[int, str] = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    415: "unsupported-media-type",
    422: "validation-error",
    429: "too-many-requests",
    500: "server-error",
    503: "unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem-details response; ``errors`` lists invalid fields (location, field, reason)."""
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + TYPES.get(status, "error"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    if status in (429, 503) and not (headers and "Retry-After" in headers):
        response["Retry-After"] = str(RETRY_AFTER_BUSY)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# ------------------------------------------------------------------ request bodies


class UnsupportedMediaType(ValueError):
    """A JSON body sent with another Content-Type (``text/plain`` once created a call)."""


def is_json_media_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JsonBodyParser(Parser):
    """Ninja's JSON parser, refusing a body that does not say it is JSON."""

    def parse_body(self, request: HttpRequest) -> Any:
        if not is_json_media_type(request.content_type or ""):
            raise UnsupportedMediaType(
                f"Content-Type {request.content_type or '(none)'}: send application/json"
            )
        return super().parse_body(request)


# ------------------------------------------------------------------ handlers


def _location_and_field(loc: list[Any] | tuple[Any, ...]) -> tuple[str, str]:
    """ninja's ``("body", "payload", "call_id")`` -> ``("body", "call_id")``."""
    parts = [str(p) for p in loc]
    if not parts:
        return "body", ""
    location, rest = parts[0], parts[1:]
    # The handler's parameter name (payload, filters) is not part of the request.
    if location == "body" and rest:
        rest = rest[1:]
    if location == "query" and len(rest) > 1:
        rest = rest[1:]
    return location, ".".join(rest)


def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location, field = _location_and_field(error.get("loc", ()))
        reason = str(error.get("msg", "invalid"))
        errors.append({"location": location, "field": field, "reason": reason})
    named = "; ".join(f"{e['location']}.{e['field']}: {e['reason']}" for e in errors[:5])
    count = len(errors)
    detail = f"{count} invalid field{'s' if count != 1 else ''}: {named}"
    return problem(422, detail, errors=errors)


def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaType):
        # ninja wraps any body-parsing failure in a 400; this one is a 415.
        return problem(415, str(exc.__cause__), headers={"Accept-Post": "application/json"})
    if str(exc).startswith("Cannot parse request body"):  # ninja's words, no reason given
        return problem(400, f"body: not valid JSON ({exc.__cause__})")
    headers: dict[str, str] = {}
    if isinstance(exc, AuthenticationError):
        headers["WWW-Authenticate"] = "Bearer"
        detail = "Send a valid token: Authorization: Bearer <token> (POST /api/auth/token)."
        return problem(401, detail, headers=headers)
    if isinstance(exc, Throttled) and exc.wait:
        headers["Retry-After"] = str(max(1, int(exc.wait)))
    status = exc.status_code if exc.status_code in TYPES else 400
    return problem(status, str(exc), headers=headers)


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(404, "Not found.")


def on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(403, str(exc) or "Your role may not do this.")


def on_operational_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if "locked" in str(exc) or "busy" in str(exc):
        # SQLite's write lock stayed taken past the busy timeout: retry later, not a 500.
        logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
        return problem(503, "The database is busy; retry shortly.")
    return on_unexpected(request, exc)


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "Unexpected server error; it has been logged.")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(OperationalError, on_operational_error)
    api.add_exception_handler(Exception, on_unexpected)


# ------------------------------------------------------------------ OpenAPI


def responses(*codes: int) -> dict[str, Any]:
    """``openapi_extra`` for an operation that answers a code the generic rules below do not
    foresee (the token endpoint's 401 for a wrong password)."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        "responses": {
            str(code): {"description": DESCRIPTIONS[code], "content": {MEDIA_TYPE: {"schema": ref}}}
            for code in codes
        }
    }


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists invalid fields (422).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "urn:rightresponse:problem:<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["location", "field", "reason"],
                "properties": {
                    "location": {"type": "string", "description": "body, query, path, ..."},
                    "field": {"type": "string", "description": "dotted path in that location"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}

DESCRIPTIONS = {
    400: "Malformed request (a body that is not JSON, a parameter out of its rule)",
    401: "No valid token or session",
    403: "Your role or agency may not do this",
    404: "No such record (or not visible to you)",
    409: "The request is valid but conflicts with the record's state",
    415: "The body is not sent as application/json",
    422: "A field breaks a rule of the schema or of the domain (see `errors`)",
    429: "Too many requests; retry after Retry-After seconds",
    500: "Unexpected server error (logged; never a traceback)",
    503: "The database is busy or the protocol cannot be loaded; retry after Retry-After",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
# openapi_extra flag for a read whose answer depends on the record's state (409).
MAY_CONFLICT = "x-may-conflict"


def _codes(method: str, operation: dict[str, Any], throttled: bool) -> list[int]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    codes = {500, 503}
    if parameters or has_body:
        codes |= {400, 422}
    if operation.get("security"):
        codes |= {401, 403}
    if has_body or parameters:  # a path, query or body value can name a missing record
        codes.add(404)
    # A read can conflict too: replaying a version whose text does not validate.
    if method in WRITE_METHODS or operation.get(MAY_CONFLICT):
        codes.add(409)
    if has_body and "application/json" in operation["requestBody"].get("content", {}):
        codes.add(415)
    if throttled:
        codes.add(429)
    return sorted(codes)


def _throttled_operation_ids(api: NinjaAPI) -> set[str]:
    found = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.throttle_objects:
                    found.add(api.get_openapi_operation_id(operation))
    return found


def document(schema: dict[str, Any], api: NinjaAPI) -> dict[str, Any]:
    """Add the Problem schema and each operation's error responses to ``schema``."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    retry = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    throttled = _throttled_operation_ids(api)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(method, operation, operation.get("operationId") in throttled):
                response: dict[str, Any] = {
                    "description": DESCRIPTIONS[code],
                    "content": {MEDIA_TYPE: {"schema": ref}},
                }
                if code in (429, 503):
                    response["headers"] = retry
                if code not in responses and str(code) not in responses:
                    responses[str(code)] = response
    return schema
