"""When a call may say it was received: within a window around now (issue 20).

A call dated in year 0001 or 9999 sorts first on every queue and gives negative elapsed
times; one dated a week ahead hides in the future. The API, the call-taker page and the
CLI all create calls through ``triage.services.call_create``, which asks this one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ReceivedWindow:
    """How far back a call may be entered late, and how much clock skew ahead is tolerated."""

    past: timedelta = timedelta(days=7)
    future: timedelta = timedelta(minutes=5)


def received_at_problem(received_at: datetime, now: datetime, window: ReceivedWindow) -> str | None:
    """Why ``received_at`` is not acceptable at ``now`` (both aware), or None if it is."""
    if received_at.tzinfo is None:
        return "received_at: give a time zone offset (e.g. 2026-12-06T10:00:00-06:00)"
    earliest, latest = now - window.past, now + window.future
    try:
        too_early, too_late = received_at < earliest, received_at > latest
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        too_early, too_late = received_at.year < now.year, received_at.year > now.year
    if too_early:
        return f"received_at: more than {window.past} before now ({earliest.isoformat()})"
    if too_late:
        return f"received_at: more than {window.future} after now ({latest.isoformat()})"
    return None
