"""Open-now evaluation of weekly HSDS schedules."""

from datetime import datetime

import pytest

from rightresponse.core.ecosystem.schedule import ScheduleError, WeeklyHours, open_now

# 2026-03-02 is a Monday.
MON_10 = datetime(2026, 3, 2, 10, 0)


def test_daytime_hours() -> None:
    weekdays = WeeklyHours.parse("MO,TU,WE,TH,FR", "09:00", "17:00")
    assert weekdays.open_at(MON_10)
    assert not weekdays.open_at(datetime(2026, 3, 2, 17, 0))  # closing time is closed
    assert not weekdays.open_at(datetime(2026, 3, 7, 10, 0))  # Saturday


def test_overnight_span_carries_into_the_next_morning() -> None:
    evenings = WeeklyHours.parse("FR", "20:00", "02:00")
    assert evenings.open_at(datetime(2026, 3, 6, 23, 0))  # Friday night
    assert evenings.open_at(datetime(2026, 3, 7, 1, 30))  # early Saturday
    assert not evenings.open_at(datetime(2026, 3, 7, 2, 30))
    assert not evenings.open_at(datetime(2026, 3, 5, 23, 0))  # Thursday night


def test_all_day_and_several_rows() -> None:
    always = WeeklyHours.parse("MO,TU,WE,TH,FR,SA,SU", "00:00", "00:00")
    assert always.open_at(datetime(2026, 3, 8, 3, 33))
    rows = [
        WeeklyHours.parse("TU", "09:00", "12:00"),
        WeeklyHours.parse("MO", "09:00:00", "11:00Z"),
    ]
    assert open_now(rows, MON_10)
    assert not open_now(rows, datetime(2026, 3, 2, 11, 30))
    assert not open_now([], MON_10)


@pytest.mark.parametrize(
    ("byday", "opens", "message"), [("XX", "09:00", "byday"), ("MO", "9am", "opens_at")]
)
def test_bad_schedules_are_named(byday, opens, message) -> None:
    with pytest.raises(ScheduleError, match=message):
        WeeklyHours.parse(byday, opens, "17:00")
