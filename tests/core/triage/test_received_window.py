"""The one rule for when a call may say it was received (core/triage/received.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from rightresponse.core.triage.received import ReceivedWindow, received_at_problem

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
WINDOW = ReceivedWindow(past=timedelta(days=7), future=timedelta(minutes=5))


@pytest.mark.parametrize(
    "received_at",
    [NOW, NOW - timedelta(days=6, hours=23), NOW + timedelta(minutes=4),
     datetime(2026, 12, 6, 10, 0, tzinfo=timezone(timedelta(hours=-6)))],
)  # fmt: skip
def test_inside_the_window_is_accepted(received_at: datetime) -> None:
    assert received_at_problem(received_at, NOW, WINDOW) is None


@pytest.mark.parametrize(
    ("received_at", "words"),
    [
        (NOW - timedelta(days=8), "before now"),
        (NOW + timedelta(minutes=6), "after now"),
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "before now"),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "after now"),
        (datetime(2026, 12, 6, 17, 0), "time zone"),
    ],
)
def test_outside_the_window_says_why(received_at: datetime, words: str) -> None:
    problem = received_at_problem(received_at, NOW, WINDOW)
    assert problem is not None and problem.startswith("received_at:") and words in problem
