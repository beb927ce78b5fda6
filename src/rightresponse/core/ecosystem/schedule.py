"""Open-now evaluation of HSDS weekly schedules (RFC 5545 BYDAY with opens/closes times)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

DAYS: Final[tuple[str, ...]] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class WeeklyHours:
    """Open on ``days`` from ``opens`` to ``closes`` (local time). ``closes`` at or before
    ``opens`` means the span runs past midnight; opens == closes == 00:00 means all day."""

    days: frozenset[str]
    opens: time
    closes: time

    @classmethod
    def parse(cls, byday: str, opens_at: str, closes_at: str) -> WeeklyHours:
        days = frozenset(d.strip().upper() for d in byday.split(",") if d.strip())
        bad = sorted(days - set(DAYS))
        if not days or bad:
            raise ScheduleError(f"byday '{byday}': use two-letter days such as MO,TU")
        return cls(days, _parse_time(opens_at, "opens_at"), _parse_time(closes_at, "closes_at"))

    def open_at(self, at: datetime) -> bool:
        today = DAYS[at.weekday()]
        yesterday = DAYS[(at - timedelta(days=1)).weekday()]
        now = at.time().replace(tzinfo=None)
        if self.opens == self.closes:
            return today in self.days
        if self.opens < self.closes:
            return today in self.days and self.opens <= now < self.closes
        # Overnight: the evening part today, or the early-morning tail of yesterday's span.
        return (today in self.days and now >= self.opens) or (
            yesterday in self.days and now < self.closes
        )


def _parse_time(value: str, field: str) -> time:
    text = value.strip().rstrip("Z")
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text[:8] if fmt == "%H:%M:%S" else text[:5], fmt).time()
        except ValueError:
            continue
    raise ScheduleError(f"{field} '{value}': use HH:MM")


def open_now(hours: Iterable[WeeklyHours], at: datetime) -> bool:
    return any(h.open_at(at) for h in hours)
