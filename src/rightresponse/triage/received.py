"""The configured window for when a call can have been received (the rule is in
core/triage/received.py; settings RIGHTRESPONSE_CALLS_PAST_DAYS and
RIGHTRESPONSE_CALLS_FUTURE_HOURS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from rightresponse.core.triage.received import ReceivedWindow


def received_window() -> ReceivedWindow:
    return ReceivedWindow(
        past=timedelta(days=settings.CALLS_RECEIVED_PAST_DAYS),
        future=timedelta(hours=settings.CALLS_RECEIVED_FUTURE_HOURS),
    )


def received_bounds_utc() -> tuple[datetime, datetime]:
    """The window now, as naive UTC times (how imported calls are compared)."""
    lo, hi = received_window().bounds(timezone.now())
    return lo.astimezone(UTC).replace(tzinfo=None), hi.astimezone(UTC).replace(tzinfo=None)
