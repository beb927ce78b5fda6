"""Derived intervals of an incident, in seconds (report ~1423-1460: dispatch, response and
call-completion times)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

# name -> (from timestamp, to timestamp)
INTERVALS: dict[str, tuple[str, str]] = {
    "time_to_answer": ("received_at", "answered_at"),
    "time_to_dispatch": ("received_at", "dispatched_at"),
    "time_to_en_route": ("dispatched_at", "en_route_at"),
    "travel_time": ("en_route_at", "on_scene_at"),
    "time_to_scene": ("received_at", "on_scene_at"),
    "time_on_scene": ("on_scene_at", "cleared_at"),
    "time_to_closure": ("received_at", "closed_at"),
}


def derived_intervals(stamps: Mapping[str, datetime | None]) -> dict[str, float | None]:
    """Seconds between the timestamps of each interval; None when either end is missing or
    the clock runs backwards (a data error is not a negative duration)."""
    result: dict[str, float | None] = {}
    for name, (start_key, end_key) in INTERVALS.items():
        start, end = stamps.get(start_key), stamps.get(end_key)
        if start is None or end is None or end < start:
            result[name] = None
        else:
            result[name] = (end - start).total_seconds()
    return result
