"""Status of a plan step and what it counts for in the progress bars, in one place.

The report asks for a dashboard that tracks "progress on the development and
implementation of key services" (report 254, 2309, 2489); a step's status is the unit
of progress, and a dropped step leaves the denominator rather than counting as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NOT_STARTED, PLANNING, IN_PROGRESS, PILOTING, DONE, DROPPED = (
    "not_started",
    "planning",
    "in_progress",
    "piloting",
    "done",
    "dropped",
)
STATUSES: dict[str, str] = {
    NOT_STARTED: "Not started",
    PLANNING: "Planning",
    IN_PROGRESS: "In progress",
    PILOTING: "Piloting",
    DONE: "Done",
    DROPPED: "Dropped",
}
# Share of a step's way to done that a status stands for.
WEIGHT: dict[str, float] = {
    NOT_STARTED: 0.0,
    PLANNING: 0.25,
    IN_PROGRESS: 0.5,
    PILOTING: 0.75,
    DONE: 1.0,
}


@dataclass(frozen=True)
class Progress:
    steps: int  # not dropped
    dropped: int
    counts: dict[str, int]
    share: float | None  # None when every step was dropped (nothing to measure)

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


def progress(statuses: Iterable[str]) -> Progress:
    counts = dict.fromkeys(STATUSES, 0)
    for s in statuses:
        if s not in counts:
            raise ValueError(f"unknown status {s!r}")
        counts[s] += 1
    live = sum(n for s, n in counts.items() if s != DROPPED)
    share = sum(WEIGHT[s] * n for s, n in counts.items() if s != DROPPED) / live if live else None
    return Progress(live, counts[DROPPED], counts, share)
