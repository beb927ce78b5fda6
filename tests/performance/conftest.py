"""Fixtures of the performance tests: fact rows in the contract shapes, served through
the adapter in performance/selectors.py in place of the dispatch and ecosystem selectors
(which live on other branches until they are merged)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rightresponse.core.metrics import synthetic
from rightresponse.performance import selectors


def _window() -> tuple[datetime, datetime]:
    today = timezone.localdate()
    end = timezone.make_aware(datetime.combine(today, time.min))
    return end - timedelta(days=400), end


@pytest.fixture(scope="session")
def fact_rows() -> dict[str, list[dict[str, Any]]]:
    start, end = _window()
    incidents = synthetic.incidents(3000, start, end, seed=5)
    return {"incidents": incidents, "referrals": synthetic.referrals(incidents, seed=6)}


def _serve(rows: list[dict[str, Any]], moment: str) -> Any:
    def source(start: datetime | None = None, end: datetime | None = None) -> list[dict[str, Any]]:
        return [
            r
            for r in rows
            if (start is None or r[moment] >= start) and (end is None or r[moment] < end)
        ]

    return source


@pytest.fixture
def facts(
    monkeypatch: pytest.MonkeyPatch, fact_rows: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The dispatch and ecosystem selectors answer with the synthetic rows."""
    sources = {
        "incidents": _serve(fact_rows["incidents"], "received_at"),
        "referrals": _serve(fact_rows["referrals"], "created_at"),
    }
    monkeypatch.setattr(selectors, "_fact_source", lambda facts: sources[facts])
    return fact_rows


@pytest.fixture
def no_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither pillar's selector is installed."""
    monkeypatch.setattr(selectors, "_fact_source", lambda facts: None)
