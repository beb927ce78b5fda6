"""A unit is never on two active incidents, under real concurrency (threads, each with
its own database connection), on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from rightresponse.dispatch import services
from rightresponse.dispatch.errors import Conflict
from rightresponse.dispatch.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def _race(work: Any, count: int) -> list[str]:
    barrier = threading.Barrier(count)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcome = work(i)
        except (Conflict, IntegrityError) as exc:
            outcome = f"refused: {type(exc).__name__}"
        except OperationalError as exc:  # SQLite's lock wait ran out: also a refusal
            outcome = f"refused: {exc}"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_assignments_of_one_unit_leave_exactly_one_active(
    make_incident: Any, units: dict, users: dict
) -> None:
    incidents = [make_incident() for _ in range(THREADS)]
    unit = units["PD-2"]

    def assign(i: int) -> str:
        services.incident_assign(incidents[i].pk, unit.pk, users["dispatcher"], "race test")
        return "assigned"

    results = _race(assign, THREADS)
    assert results.count("assigned") == 1, results
    assert Assignment.objects.filter(unit=unit, active=True).count() == 1


def test_the_database_itself_refuses_concurrent_raw_inserts(
    make_incident: Any, units: dict
) -> None:
    """Even code that skips the service's checks cannot double-assign: the partial unique
    index refuses it."""
    incidents = [make_incident() for _ in range(THREADS)]
    unit = units["PD-1"]

    def insert(i: int) -> str:
        with transaction.atomic():
            Assignment.objects.create(incident=incidents[i], unit=unit, assigned_at=timezone.now())
        return "inserted"

    results = _race(insert, THREADS)
    assert results.count("inserted") == 1, results
    assert Assignment.objects.filter(unit=unit, active=True).count() == 1
