"""Fixtures of the performance tests: synthetic fact rows in the contract shapes, written
to the database as operational records (calls, incidents, units, dispositions, referrals
...), which the metrics read back through the engine (performance.engine), as in
production. The engine reads what is committed: the records are committed once per module
(each test's own writes are rolled back as usual, the module's records deleted after it);
tests that write and then read metrics are transactional."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from rightresponse.core.metrics import synthetic
from rightresponse.performance.synthetic_records import seed_facts


def _window() -> tuple[datetime, datetime]:
    today = timezone.localdate()
    end = timezone.make_aware(datetime.combine(today, time.min))
    return end - timedelta(days=400), end


@pytest.fixture(scope="session")
def fact_rows() -> dict[str, list[dict[str, Any]]]:
    start, end = _window()
    incidents = synthetic.incidents(1500, start, end, seed=5)
    return {"incidents": incidents, "referrals": synthetic.referrals(incidents, seed=6)}


def _delete_records() -> None:
    from django.apps import apps

    for label in ("ecosystem", "dispatch", "triage", "people"):
        for model in reversed(list(apps.get_app_config(label).get_models())):
            model.objects.all().delete()


@pytest.fixture(scope="module")
def seeded_module(
    django_db_setup: Any, django_db_blocker: Any, fact_rows: dict[str, list[dict[str, Any]]]
) -> Any:
    with django_db_blocker.unblock():
        seed_facts(fact_rows["incidents"], fact_rows["referrals"])
    yield
    with django_db_blocker.unblock():
        _delete_records()


@pytest.fixture
def facts(
    seeded_module: None, db: Any, fact_rows: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The synthetic rows, committed as records for this module."""
    return fact_rows


@pytest.fixture
def seeded_facts(
    transactional_db: Any, fact_rows: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The synthetic rows written as records in a transactional test (flushed after it)."""
    seed_facts(fact_rows["incidents"], fact_rows["referrals"])
    return fact_rows


@pytest.fixture
def no_facts(db: Any) -> None:
    """No incident or referral has been recorded: the module's records, if any, are
    deleted inside this test's transaction (rolled back after it)."""
    _delete_records()
