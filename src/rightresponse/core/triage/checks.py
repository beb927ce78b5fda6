"""Run the example calls a protocol carries (its own test cases with expected tiers)."""

from __future__ import annotations

from dataclasses import dataclass

from .engine import UnknownIdError, decide
from .model import Decision, Example, Protocol


@dataclass(frozen=True, slots=True)
class ExampleResult:
    index: int
    example: Example
    decision: Decision | None
    failures: tuple[str, ...]  # one line per expectation not met

    @property
    def passed(self) -> bool:
        return not self.failures


def run_examples(protocol: Protocol) -> list[ExampleResult]:
    results = []
    for index, example in enumerate(protocol.examples):
        try:
            decision = decide(protocol, example.call_type, example.answers, example.flags)
        except UnknownIdError as exc:
            results.append(ExampleResult(index, example, None, (str(exc),)))
            continue
        actual = {
            "tier": decision.tier,
            "lead": decision.lead,
            "first_program": decision.programs[0] if decision.programs else None,
            "band": decision.risk.band,
            "screened_out": decision.screened_out,
        }
        failures = tuple(
            f"expected {key} {expected!r}, got {actual[key]!r}"
            for key, expected in example.expect.items()
            if actual[key] != expected
        )
        results.append(ExampleResult(index, example, decision, failures))
    return results
