"""When a call can have been received: within a configured window around now.

One rule for every way a call comes in (the import of historical exports, and live intake
wherever it accepts a received time): a call dated year 1 or 2099 is a typing or export
mistake, and would otherwise sit in every period's figures as an outlier, or break date
arithmetic. The window is wide on the past side, so decades of history can be imported,
and narrow on the future side (clock skew between systems)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# About 50 years of history; a day ahead for clocks that disagree.
DEFAULT_PAST = timedelta(days=18262)
DEFAULT_FUTURE = timedelta(days=1)


@dataclass(frozen=True)
class ReceivedWindow:
    past: timedelta = DEFAULT_PAST
    future: timedelta = DEFAULT_FUTURE

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """(earliest, latest) received time accepted at ``now``, in ``now``'s zone (or
        naive when it is naive)."""
        return now - self.past, now + self.future

    def problem(self, received_at: datetime, now: datetime) -> str | None:
        """Why ``received_at`` is refused, or None when it is inside the window."""
        earliest, latest = self.bounds(now)
        try:
            if earliest <= received_at <= latest:
                return None
        except OverflowError:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
            pass
        return (
            f"received time {received_at.date().isoformat()} outside {describe(earliest, latest)}"
        )


def describe(earliest: datetime, latest: datetime) -> str:
    return f"the accepted window {earliest.date().isoformat()} to {latest.date().isoformat()}"
