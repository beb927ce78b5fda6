"""The report's age bands for preventive outcomes (0-5, 6-12, 13-17, 18-24, 25+): one rule
(issue 17), read by a person's record (people.Person.age_band), the metrics' facts
snapshot (which bands whole columns of dates of birth) and the synthetic facts of the
benchmarks and tests. A band is computed on the day it is read: it changes with the day.
"""

from __future__ import annotations

from datetime import date

# (highest age in whole years, label), then everyone older.
AGE_BANDS: tuple[tuple[int, str], ...] = ((5, "0-5"), (12, "6-12"), (17, "13-17"), (24, "18-24"))
AGE_OLDEST = "25+"
AGE_UNKNOWN = "unknown"  # no date of birth: shown as such, never guessed
AGE_LABELS: tuple[str, ...] = (AGE_UNKNOWN, *(band for _, band in AGE_BANDS), AGE_OLDEST)


def age_in_years(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_band(born: date | None, today: date) -> str:
    if born is None:
        return AGE_UNKNOWN
    age = age_in_years(born, today)
    return next((band for upper, band in AGE_BANDS if age <= upper), AGE_OLDEST)
