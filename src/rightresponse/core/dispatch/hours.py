"""Service hours such as ``Mon-Fri 10:00-18:00`` (Denver STAR's pilot, report ~1243) or ``24/7``.

Several windows are separated by ``;`` (``Mon-Fri 08:00-20:00; Sat 10:00-16:00``). A window
whose end is before its start runs past midnight (``Fri-Sat 22:00-04:00``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(
    r"^\s*(?P<d1>[A-Za-z]{3})(?:\s*-\s*(?P<d2>[A-Za-z]{3}))?\s+"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*$"
)


class HoursError(ValueError):
    """Service hours that cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        day, now = moment.weekday(), moment.time()
        if self.start <= self.end:
            return day in self.days and self.start <= now < self.end
        # Past midnight: the early-morning part belongs to the previous day's window.
        return (day in self.days and now >= self.start) or (
            (day - 1) % 7 in self.days and now < self.end
        )


@dataclass(frozen=True)
class ServiceHours:
    text: str
    windows: tuple[Window, ...]
    always: bool = False

    def open_at(self, moment: datetime) -> bool:
        return self.always or any(w.contains(moment) for w in self.windows)


def _day(name: str, text: str) -> int:
    try:
        return DAYS.index(name.lower())
    except ValueError:
        raise HoursError(f"service hours {text!r}: unknown day {name!r}") from None


def _clock(h: str, m: str, text: str) -> time:
    hour, minute = int(h), int(m)
    if hour == 24 and minute == 0:
        return time(23, 59, 59, 999999)
    if hour > 23 or minute > 59:
        raise HoursError(f"service hours {text!r}: {h}:{m} is not a time of day")
    return time(hour, minute)


def parse_hours(text: str) -> ServiceHours:
    """Read service hours; an empty string or ``24/7`` means always in service."""
    cleaned = text.strip()
    if cleaned.lower() in ("", "24/7", "always"):
        return ServiceHours(text=cleaned or "24/7", windows=(), always=True)
    windows = []
    for part in cleaned.split(";"):
        match = _WINDOW.match(part)
        if match is None:
            raise HoursError(
                f"service hours {text!r}: {part.strip()!r} is not like 'Mon-Fri 10:00-18:00'"
            )
        first = _day(match["d1"], text)
        last = _day(match["d2"], text) if match["d2"] else first
        days = frozenset((first + i) % 7 for i in range((last - first) % 7 + 1))
        start = _clock(match["h1"], match["m1"], text)
        end = _clock(match["h2"], match["m2"], text)
        if start == end:
            raise HoursError(f"service hours {text!r}: {part.strip()!r} starts when it ends")
        windows.append(Window(days=days, start=start, end=end))
    return ServiceHours(text=cleaned, windows=tuple(windows))
