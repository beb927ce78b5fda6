"""Scorecard logic (Results-Based Accountability, "turn the curve"): a trend line, and
whether a metric is on track against its baseline and target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Status = Literal["not_measured", "no_target", "met", "on_track", "off_track", "watch"]
STATUS_LABELS: dict[str, str] = {
    "not_measured": "Not yet measured",
    "no_target": "No target set",
    "met": "Target met",
    "on_track": "On track",
    "off_track": "Off track",
    "watch": "Watch (no direction of good)",
}


@dataclass(frozen=True)
class Assessment:
    status: Status
    latest: float | None
    slope: float | None  # change per period, least squares
    change_from_baseline: float | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def trend_slope(values: Sequence[float | None]) -> float | None:
    """Least-squares slope per period over the values that exist (None: no data)."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def _better(a: float, b: float, direction: str) -> bool:
    return a > b if direction == "up" else a < b


def assess(
    values: Sequence[float | None],
    direction: str,
    baseline: float | None = None,
    target: float | None = None,
) -> Assessment:
    """Met: the latest value reaches the target. On track: it is better than the
    baseline and the trend moves the right way (or, with a target and no baseline, the
    trend moves toward the target). Off track otherwise. Only a target or a baseline can
    put a metric on or off track (RBA, issue 18): without either it is "no target set",
    never "off track". A metric with no direction of good is only watched."""
    known = [v for v in values if v is not None]
    if not known:
        return Assessment("not_measured", None, None, None)
    latest = known[-1]
    slope = trend_slope(values)
    change = latest - baseline if baseline is not None else None
    if direction not in ("up", "down"):
        return Assessment("watch", latest, slope, change)
    if baseline is None and target is None:
        return Assessment("no_target", latest, slope, change)
    sign = 1 if direction == "up" else -1
    if target is not None and (latest == target or _better(latest, target, direction)):
        return Assessment("met", latest, slope, change)
    improving = slope is not None and slope * sign > 0
    if baseline is not None:
        status: Status = (
            "on_track"
            if _better(latest, baseline, direction) and (slope is None or slope * sign >= 0)
            else "off_track"
        )
    else:
        status = "on_track" if improving else "off_track"
    return Assessment(status, latest, slope, change)


def moved(current: float | None, previous: float | None, threshold: float = 0.10) -> bool:
    """For CitiStat: did a metric move by at least ``threshold`` (relative) since the
    previous period? A metric appearing or disappearing counts as moved."""
    if current is None or previous is None:
        return (current is None) != (previous is None)
    if previous == 0:
        return current != 0
    return abs(current - previous) / abs(previous) >= threshold


def forecast(values: Sequence[float | None], periods: int = 3) -> list[float]:
    """The next ``periods`` values on the least-squares line through the known values
    ("where the curve is heading" in a turn-the-curve chart); empty with fewer than three
    known values, too few to draw a line worth reading."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    slope = trend_slope(values)
    if slope is None or len(points) < 3:
        return []
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return [my + slope * (len(values) + k - mx) for k in range(periods)]


Movement = Literal["better", "worse", "same", "changed", "new", "gone"]
MOVEMENT_LABELS: dict[str, str] = {
    "better": "Better",
    "worse": "Worse",
    "same": "No change",
    "changed": "Changed (no direction of good)",
    "new": "Newly measured",
    "gone": "No longer measured",
}


def movement(current: float | None, previous: float | None, direction: str) -> Movement:
    """For CitiStat: whether a metric moved for the better or the worse, by its direction
    of good (a metric with none only "changed")."""
    if current is None or previous is None:
        return "new" if current is not None else "gone"
    if current == previous:
        return "same"
    if direction not in ("up", "down"):
        return "changed"
    return "better" if _better(current, previous, direction) else "worse"
