"""Long analytics work started from a page (an import, an analysis, a protocol comparison)
runs in a background thread; its state is a small JSON file under
``var/analytics/jobs/`` that the page polls, so any worker process can answer the poll
and a browser never waits on one long request (issue 18: long work shows progress).

A job that was running when its process stopped is reported as interrupted after
``STALE_AFTER`` without news, never as running forever.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import close_old_connections

from .selectors import store_root

STALE_AFTER = 30 * 60  # seconds without news: the process that ran it has stopped
Report = Callable[[str, int, int], None]  # (what is happening, step, of steps)


def jobs_dir() -> Path:
    return store_root() / "jobs"


def _path(job_id: str) -> Path:
    if not job_id.isalnum():
        raise KeyError(job_id)
    return jobs_dir() / f"{job_id}.json"


def _write(job_id: str, state: dict[str, Any]) -> None:
    path = _path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, default=str), encoding="utf-8")
    os.replace(temporary, path)  # atomic: a poll never reads half a file


def job_get(job_id: str) -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(_path(job_id).read_text(encoding="utf-8"))
    except (KeyError, FileNotFoundError, json.JSONDecodeError):
        return None
    if state["status"] == "running":
        updated = datetime.fromisoformat(state["updated_at"])
        if (datetime.now(UTC) - updated).total_seconds() > STALE_AFTER:
            state["status"] = "failed"
            state["error"] = "The work was interrupted (the server restarted); start it again."
    return state


def job_start(
    kind: str, title: str, user_id: int | None, work: Callable[[Report], dict[str, Any]]
) -> str:
    """Run ``work(report)`` in a thread; ``work`` returns what the page shows when done
    (JSON-able) or raises ValueError (its message is shown as the reason)."""
    job_id = secrets.token_hex(8)
    now = datetime.now(UTC).isoformat()
    state: dict[str, Any] = {
        "id": job_id,
        "kind": kind,
        "title": title,
        "user_id": user_id,
        "status": "running",
        "stage": "Starting",
        "step": 0,
        "steps": 1,
        "started_at": now,
        "updated_at": now,
        "result": None,
        "error": "",
    }
    _write(job_id, state)

    def report(stage: str, step: int, steps: int) -> None:
        state.update(stage=stage, step=step, steps=steps, updated_at=datetime.now(UTC).isoformat())
        _write(job_id, state)

    def run() -> None:
        try:
            state["result"] = work(report)
            state["status"] = "done"
        except ValueError as exc:  # bad input: the message names the place and the reason
            state["status"], state["error"] = "failed", str(exc)
        except Exception:  # noqa: BLE001 - shown as a failure, logged in full
            traceback.print_exc()
            state["status"] = "failed"
            state["error"] = "The work failed unexpectedly; the server log has the details."
        finally:
            state["updated_at"] = datetime.now(UTC).isoformat()
            _write(job_id, state)
            close_old_connections()

    threading.Thread(target=run, name=f"analytics-{kind}-{job_id}", daemon=True).start()
    return job_id
