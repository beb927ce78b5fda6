"""Derived intervals of an incident, in seconds (report ~1423-1460: dispatch, response and
call-completion times). Each is an interval of core/status_times.py, the one definition
the live metrics and the analysis of imported calls read too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rightresponse.core.status_times import interval_seconds

# The incident's names (its page and API) -> the interval (core/status_times.py).
INCIDENT_INTERVALS: dict[str, str] = {
    "time_to_answer": "answer",
    "time_to_dispatch": "dispatch",
    "time_to_en_route": "rollout",
    "travel_time": "travel",
    "time_to_scene": "response",
    "time_on_scene": "on_scene",
    "time_to_closure": "closure",
}


def derived_intervals(stamps: Mapping[str, datetime | None]) -> dict[str, float | None]:
    """Seconds of each interval; None when an end is missing or the clock runs backwards
    (a data error is not a negative duration)."""
    return {name: interval_seconds(key, stamps) for name, key in INCIDENT_INTERVALS.items()}
