"""The short version of benchmarks/dispatch_load.py: the served app under concurrent
dispatchers, killed with SIGKILL mid-load and restarted, on SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_double_assignment_and_every_acknowledged_write_survives_a_crash() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dispatch_load.py"), "--clients", "4", "--seconds", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["clients"] == 4 and result["seconds"] == 3
    assert result["acknowledged_writes"] >= 8
    assert result["present_after_restart"] == result["acknowledged_writes"]
    assert result["double_assignments"] == 0
    assert result["lost_status_events"] == 0
    assert result["p99_ms"] > 0
