"""Run the whole test suite: everything on SQLite, then the database-backed tests again on
PostgreSQL when a server is available (scripts/postgres_for_tests.sh finds or starts one).

Extra arguments are passed to pytest. Exits non-zero if either run fails.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pytest(args: list[str], env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "pytest", *args]
    print("$", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT, env=env)


def main() -> int:
    extra = sys.argv[1:]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright beside the live server
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        print("Chromium not found: browser tests will be skipped (apt-get install chromium).")

    print("== Test suite on SQLite ==", flush=True)
    sqlite_status = pytest([*extra], env)

    url = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres_for_tests.sh")],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not url:
        print("PostgreSQL not available: database tests ran on SQLite only.")
        return sqlite_status
    print("== Database tests on PostgreSQL ==", flush=True)
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    pg_env = {**env, "DATABASE_URL": url, "RIGHTRESPONSE_TEST_DB_NAME": f"test_rr_{checkout}"}
    pg_status = pytest(["-m", "not browser", "--ignore=tests/core", *extra], pg_env)
    return sqlite_status or pg_status


if __name__ == "__main__":
    sys.exit(main())
