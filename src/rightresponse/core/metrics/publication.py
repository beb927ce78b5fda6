"""Which periods the public may request: fixed calendar quarters, nothing else.

Why (issue 10, item 7): suppression protects one table against its own totals, but a
reader who can request two tables whose populations overlap can subtract them. With
"the last N months" for every N, ``months=N`` minus ``months=N-1`` is the oldest month
alone, unsuppressed: 411 counts of 1-10 came back that way. If every table the public can
request covers one block of a fixed partition of time, any two requests are either the
same table or cover disjoint records, so there is nothing to subtract. Quarters rather
than months: a quarter carries about three times the events, so fewer cells are small
and less is hidden; rather than years, so a new program shows within three months.
Adding a second granularity (months and quarters, or quarters and years) would make
nested tables again; it needs suppression over the union of the tables first.

A quarter is published once it has ended (settled figures); the public may go back
``PUBLISHED_QUARTERS`` quarters (the same three years "the last 36 months" allowed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

PUBLISHED_QUARTERS = 12
_KEY = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1-4

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        nxt = Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        return nxt.start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.start:%B} – {self.end:%B %Y} (Q{self.number} {self.year})"

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def published_quarters(today: date, count: int = PUBLISHED_QUARTERS) -> list[Quarter]:
    """The quarters the public may request, newest first: the ``count`` quarters that
    ended before ``today``."""
    out = [quarter_of(today).previous()]
    while len(out) < count:
        out.append(out[-1].previous())
    return out


class PeriodError(ValueError):
    """A requested period that is not one of the published ones."""


def published_quarter(key: str | None, today: date) -> Quarter:
    """The quarter a request names (``2026-Q3``), or the latest when it names none.
    Anything else is refused, so no table outside the partition can be requested."""
    choices = published_quarters(today)
    if not key:
        return choices[0]
    match = _KEY.match(key)
    quarter = Quarter(int(match.group(1)), int(match.group(2))) if match else None
    if quarter not in choices:
        raise PeriodError(
            f"period: one of the published quarters {choices[-1].key} to {choices[0].key}, "
            f"e.g. {choices[0].key}"
        )
    assert quarter is not None
    return quarter
