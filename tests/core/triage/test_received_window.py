"""The received-time window (core/triage/received.py): one rule for when a call can have
been received."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rightresponse.core.triage.received import ReceivedWindow

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)


def test_year_1_and_2099_are_outside_the_default_window() -> None:
    window = ReceivedWindow()
    problem = window.problem(datetime(1, 1, 1, tzinfo=UTC), NOW)
    assert problem is not None and "0001-01-01 outside the accepted window" in problem
    assert window.problem(datetime(2099, 6, 1, tzinfo=UTC), NOW) is not None


def test_history_and_a_little_clock_skew_are_inside() -> None:
    window = ReceivedWindow()
    assert window.problem(datetime(1990, 1, 1, tzinfo=UTC), NOW) is None
    assert window.problem(NOW + timedelta(hours=23), NOW) is None
    assert window.problem(NOW + timedelta(hours=25), NOW) is not None


def test_the_window_is_configurable() -> None:
    window = ReceivedWindow(past=timedelta(days=30), future=timedelta(minutes=5))
    assert window.bounds(NOW) == (NOW - timedelta(days=30), NOW + timedelta(minutes=5))
    assert window.problem(NOW - timedelta(days=31), NOW) is not None


def test_a_time_before_year_1_in_utc_is_refused_not_an_overflow() -> None:
    from datetime import timezone

    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    assert ReceivedWindow().problem(early, NOW) is not None
