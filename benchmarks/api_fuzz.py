"""The API contract under a longer fuzz (issue 20): Schemathesis ``--checks all`` for each role
against a live server, with the coverage phase (every boundary of every field) and more
examples than `make test` runs. Prints pytest's summary; exits non-zero on any failure.

``--quick``: the `make test` size (3 examples, no coverage phase).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    env = dict(os.environ)
    if not quick:
        env.setdefault("RIGHTRESPONSE_FUZZ_EXAMPLES", "20")
        env.setdefault("RIGHTRESPONSE_FUZZ_PHASES", "examples,coverage,fuzzing")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/api/test_fuzz_every_role.py"]  # fmt: skip
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
