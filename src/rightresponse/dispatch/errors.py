"""Errors a dispatch service raises; the API and pages turn them into 4xx with the message."""

from __future__ import annotations


class DispatchError(Exception):
    status_code = 422


class NotFound(DispatchError):
    status_code = 404


class Conflict(DispatchError):
    """The request is valid but the world disagrees: the unit is busy, the incident closed."""

    status_code = 409


class Invalid(DispatchError):
    status_code = 422
