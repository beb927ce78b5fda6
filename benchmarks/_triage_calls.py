"""Random but reproducible calls over a protocol, shared by the triage benchmarks."""

from __future__ import annotations

import random

from rightresponse.core.triage import Protocol


def random_calls(protocol: Protocol, n: int, seed: int = 7) -> list[tuple[str, dict[str, str]]]:
    """Each call: a call type and answers to about 60% of the questions it asks."""
    rng = random.Random(seed)
    call_types = sorted(protocol.call_types)
    calls = []
    for _ in range(n):
        call_type = rng.choice(call_types)
        asked = protocol.call_types[call_type].questions
        answers = {q: rng.choice(("yes", "no", "unknown")) for q in asked if rng.random() < 0.6}
        calls.append((call_type, answers))
    return calls
