"""A call's status times and the intervals between them: one vocabulary and one definition
(issue 17), read by every path that times a call.

- the live incident's intervals (``core/dispatch/intervals.py``: the incident page and API),
- the live metrics (``core/metrics``: a catalog metric of kind ``duration`` names an
  interval here, ``performance/catalog/metrics.yaml``),
- the analysis of imported calls (``core/analytics/analysis.py``: the report's response
  intervals),

so that "time to dispatch" is the same stretch of a call on the public dashboard, on an
incident's page and in the analysis of a city's own export. Report lines 1423-1460
(dispatch, response and call-completion times) and 1876-1879 (the public measures:
time to answer, to dispatch, to scene, to closure).

An interval runs from the first of its ``starts`` that a call has to the first of its
``ends``: an export (or an incident) without a queue or an en-route time still gives
dispatch and travel times, from the step before. A missing end, or an end before its
start (a clock error), is no value, never 0 or a negative time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

# The status times, in the order a call goes through them: the live incidents' names
# (dispatch.Incident), the imported calls' columns (core/analytics/profile.py) and the
# metric facts' time fields (core/metrics/facts.py) all use these.
STATUS_TIMES: tuple[str, ...] = (
    "received_at",
    "answered_at",
    "queued_at",
    "dispatched_at",
    "en_route_at",
    "on_scene_at",
    "cleared_at",
    "closed_at",
)
# Names used by imported data before the vocabulary was one (issue 17): a profile naming
# one is told the new name; a dataset stored under them is read under the new ones.
RENAMED: dict[str, str] = {"enroute_at": "en_route_at", "arrived_at": "on_scene_at"}


@dataclass(frozen=True)
class Interval:
    key: str
    starts: tuple[str, ...]  # the first of these a call has starts the interval
    ends: tuple[str, ...]  # the first of these a call has ends it
    label: str  # plain label (core/dictionary.py, docs/data-dictionary.md)
    meaning: str


def _interval(key: str, starts: str, ends: str, label: str, meaning: str) -> Interval:
    return Interval(key, tuple(starts.split()), tuple(ends.split()), label, meaning)


INTERVALS: dict[str, Interval] = {
    i.key: i
    for i in (
        _interval(
            "answer",
            "received_at",
            "answered_at",
            "Answering (received to answered)",
            "From the call reaching the 911 centre to a call taker answering.",
        ),
        _interval(
            "queue",
            "received_at",
            "queued_at",
            "Queue (received to queued)",
            "From the call reaching the centre to its entry in the dispatch queue.",
        ),
        _interval(
            "dispatch",
            "queued_at received_at",
            "dispatched_at",
            "Call processing (received to dispatched)",
            "From the call being received to the first unit being dispatched.",
        ),
        _interval(
            "rollout",
            "dispatched_at",
            "en_route_at",
            "Turnout (dispatched to en route)",
            "From dispatch to the unit starting to move.",
        ),
        _interval(
            "travel",
            "en_route_at dispatched_at",
            "on_scene_at",
            "Travel (en route to arrived)",
            "From the unit moving (or dispatch) to arrival on scene.",
        ),
        _interval(
            "on_scene",
            "on_scene_at",
            "cleared_at closed_at",
            "On scene (arrived to cleared)",
            "From arrival to the unit clearing.",
        ),
        _interval(
            "total",
            "received_at",
            "closed_at cleared_at",
            "Whole call (received to closed)",
            "From the call being received to the call being closed.",
        ),
        _interval(
            "response",
            "received_at",
            "on_scene_at",
            "Response (received to arrived)",
            "From the call being received to the first responder arriving.",
        ),
        _interval(
            "closure",
            "received_at",
            "closed_at",
            "To closure (received to closed)",
            "From the call being received to the call being closed; a call not yet "
            "closed has no value.",
        ),
        _interval(
            "completion",
            "received_at",
            "cleared_at",
            "To completion (received to cleared)",
            "From the call being received to the responders clearing.",
        ),
        _interval(
            "contact",
            "answered_at",
            "cleared_at",
            "Contact (answered to cleared)",
            "From the call being answered to its handling being finished.",
        ),
    )
}
# What the analysis of imported calls reports, in this order (report and summary.json).
ANALYSED: tuple[str, ...] = (
    "answer",
    "queue",
    "dispatch",
    "rollout",
    "travel",
    "on_scene",
    "total",
)


def first_present(stamps: Mapping[str, datetime | None], names: tuple[str, ...]) -> datetime | None:
    return next((stamps[n] for n in names if stamps.get(n) is not None), None)


def interval_seconds(key: str, stamps: Mapping[str, datetime | None]) -> float | None:
    """Seconds of interval ``key`` for one call's status times; None when it has no start
    or no end, or when the clock runs backwards (a data error is not a negative time)."""
    interval = INTERVALS[key]
    start, end = first_present(stamps, interval.starts), first_present(stamps, interval.ends)
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()
