"""Run every benchmark script in this folder (``make bench``) and print their figures.

Each benchmark is a script ``benchmarks/<name>.py`` (not starting with ``_``) that prints
its figures and exits 0. Pass ``--quick`` to ask each for its short version.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    extra = sys.argv[1:]
    failures = []
    for script in sorted(HERE.glob("*.py")):
        if script.name.startswith("_") or script.name == Path(__file__).name:
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        started = time.perf_counter()
        status = subprocess.call([sys.executable, str(script), *extra])
        print(f"({script.stem}: {time.perf_counter() - started:.1f} s, exit {status})", flush=True)
        if status:
            failures.append(script.stem)
    if failures:
        print("Failed:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
