"""The SQLite backend queues writers on a lock file (config/sqlite/base.py).

Each scenario runs two writers, in two threads with their own connections, on one
database file. SQLite's own busy wait is cut to 50 ms (enough for its brief internal
locks, such as the checkpoint when a connection closes), far less than the 200 ms the
first writer still holds the database, so a writer that finds it taken fails unless the
queue made it wait for its turn."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from django.db import OperationalError, connections, transaction
from django.db.utils import ConnectionHandler

ENGINE = "rightresponse.config.sqlite"
STOCK = "django.db.backends.sqlite3"


def wrappers(path: Path, engine: str, **options: Any) -> ConnectionHandler:
    config = {
        "ENGINE": engine,
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05, **options},
    }
    handler = ConnectionHandler(
        {"default": dict(config), "first": dict(config), "second": dict(config)}
    )
    with handler["first"].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE IF NOT EXISTS log (writer TEXT, at REAL)")
    handler["first"].close()
    return handler


def write(handler: ConnectionHandler, alias: str, hold: float, out: dict[str, Any]) -> None:
    """One transaction: insert a row, keep the database ``hold`` seconds, commit."""
    connection = handler[alias]
    connections[alias] = connection  # atomic() finds it by alias (per thread)
    try:
        with transaction.atomic(using=alias):
            out[f"{alias} began"] = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO log VALUES (%s, %s)", [alias, time.monotonic()])
            time.sleep(hold)
        out[f"{alias} committed"] = time.monotonic()
    except OperationalError as error:
        out[f"{alias} failed"] = str(error)
    finally:
        connection.close()
        del connections[alias]


def race(handler: ConnectionHandler) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first = threading.Thread(target=write, args=(handler, "first", 0.3, out))
    second = threading.Thread(target=write, args=(handler, "second", 0.0, out))
    first.start()
    time.sleep(0.1)  # the first writer holds the database now
    second.start()
    first.join()
    second.join()
    return out


def rows(path: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return [writer for (writer,) in db.execute("SELECT writer FROM log ORDER BY rowid")]


def test_a_second_writer_waits_its_turn_instead_of_failing(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    path = tmp_path / "queue.sqlite3"
    with django_db_blocker.unblock():
        out = race(wrappers(path, ENGINE, write_queue_timeout=10))
    assert "second failed" not in out, out
    assert out["second began"] >= out["first committed"], out
    assert rows(path) == ["first", "second"]


def test_without_the_queue_the_second_writer_finds_the_database_locked(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    """The control: Django's stock backend with the same settings fails the second writer."""
    path = tmp_path / "stock.sqlite3"
    with django_db_blocker.unblock():
        out = race(wrappers(path, STOCK))
    assert "locked" in out.get("second failed", ""), out
    assert rows(path) == ["first"]


def test_the_wait_is_bounded_and_a_closed_connection_gives_its_turn_back(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    path = tmp_path / "bounded.sqlite3"
    with django_db_blocker.unblock():
        handler = wrappers(path, ENGINE, write_queue_timeout=0.02)
        out = race(handler)  # the first holds 0.3 s, longer than the second may queue
        assert "locked" in out.get("second failed", ""), out
        # A connection closed in the middle of a transaction does not keep the turn.
        stuck = handler["first"]
        stuck.ensure_connection()
        stuck._start_transaction_under_autocommit()
        stuck.close()
        out = {}
        write(handler, "second", 0.0, out)
    assert "second committed" in out, out
