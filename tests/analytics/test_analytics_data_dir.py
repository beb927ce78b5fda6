"""The commands read the documented data folder (RIGHTRESPONSE_VAR, docs/operations.md)
and say clearly when its database is not migrated, instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rightresponse.analytics.selectors import SAMPLES_DIR

SAMPLE = SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"


def _cli(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO"))}
    env["RIGHTRESPONSE_VAR"] = str(var)
    env.pop("RIGHTRESPONSE_SQLITE", None)
    return subprocess.run(
        [sys.executable, "-m", "rightresponse.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_an_unmigrated_database_gets_a_clear_message_and_data_go_to_rightresponse_var(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    done = _cli(var, "import-calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    assert done.returncode == 1
    assert "is not migrated" in done.stderr and "rightresponse migrate" in done.stderr
    assert "Traceback" not in done.stderr
    assert _cli(var, "migrate", "-v", "0").returncode == 0
    done = _cli(var, "import-calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert list((var / "analytics" / "seattle-call-data" / "calls").glob("part-*.parquet"))
    done = _cli(var, "analyze", "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report" / "summary.json").is_file()
