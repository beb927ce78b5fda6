"""Triage decisions per second in one process (one core) on the default protocol, and the
speed-up over a naive implementation that re-parses the protocol file for every call.

Targets (issue 2): >= 20,000 decisions/s per core; >= 50x the naive version.
Usage: python benchmarks/triage_decisions.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _triage_calls import random_calls  # noqa: E402

from rightresponse.core.triage import Decision, decide, load_protocol  # noqa: E402

PROTOCOL_FILE = ROOT / "protocols" / "default.yaml"


def naive_decide(path: Path, call_type: str, answers: dict[str, str]) -> Decision:
    """What a straightforward implementation does: read, validate and build the protocol
    for every call, then decide."""
    return decide(load_protocol(path), call_type, answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()
    n_fast, n_naive, rounds = (20_000, 20, 3) if args.quick else (100_000, 100, 5)

    started = time.perf_counter()
    protocol = load_protocol(PROTOCOL_FILE)
    load_ms = (time.perf_counter() - started) * 1000
    calls = random_calls(protocol, n_fast)

    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for call_type, answers in calls:
            decide(protocol, call_type, answers)
        best = min(best, time.perf_counter() - started)
    fast_rate = n_fast / best

    started = time.perf_counter()
    for call_type, answers in calls[:n_naive]:
        naive_decide(PROTOCOL_FILE, call_type, answers)
    naive_rate = n_naive / (time.perf_counter() - started)

    # The two implementations agree (same decisions), so the comparison is fair.
    for call_type, answers in calls[:n_naive]:
        assert naive_decide(PROTOCOL_FILE, call_type, answers) == decide(
            protocol, call_type, answers
        )

    ratio = fast_rate / naive_rate
    print(
        f"protocol {protocol.version}: {len(protocol.call_types)} call types, "
        f"{len(protocol.questions)} questions, {len(protocol.rules)} rules; load+compile {load_ms:.0f} ms"
    )
    print(
        f"compiled decide():  {fast_rate:,.0f} decisions/s (best of {rounds} x {n_fast:,} calls, "
        f"one core)  target >= 20,000: {'met' if fast_rate >= 20_000 else 'NOT met'}"
    )
    print(f"naive re-parse:     {naive_rate:,.1f} decisions/s ({n_naive} calls)")
    print(
        f"speed-up:           {ratio:,.0f}x  target >= 50x: {'met' if ratio >= 50 else 'NOT met'}"
    )
    print(
        f"per decision:       {1e6 / fast_rate:.1f} us (includes ask_next: two tier "
        f"evaluations per open question)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
