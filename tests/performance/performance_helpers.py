"""Helpers shared by the performance tests (a module with a unique name: several
conftest.py files exist, so ``from conftest import ...`` would be ambiguous)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone


def rows_between(
    rows: list[dict[str, Any]], start: date, end: date, moment: str = "received_at"
) -> list[dict[str, Any]]:
    lo = timezone.make_aware(datetime.combine(start, time.min))
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return [r for r in rows if lo <= r[moment] < hi]
