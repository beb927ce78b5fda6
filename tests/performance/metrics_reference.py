"""A straightforward reference for the metrics: each catalog spec interpreted row by row
over the fact rows of the plain per-row selectors (``dispatch.selectors.incident_facts``,
``ecosystem.selectors.referral_facts``: the ORM, one dict per record), with no NumPy, no
Ibis and no engine. The metrics on the dashboard must equal it."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from rightresponse.core.metrics.facts import DIMENSIONS, NULL_LABEL, PERIOD_FIELD

Rows = dict[str, list[dict[str, Any]]]


def matches(row: dict[str, Any], where: dict[str, Any]) -> bool:
    for name, cond in where.items():
        if name == "any":
            if not any(matches(row, sub) for sub in cond):
                return False
            continue
        value = row.get(name)
        if isinstance(cond, dict):
            op, operand = next(iter(cond.items()))
            if op == "null":
                ok = (value is None) == operand
            elif op == "not":
                ok = value is not None and value not in operand
            elif op == "gte":
                ok = value is not None and value >= operand
            else:  # ne_field
                other = row.get(operand)
                ok = value is not None and other is not None and value != other
        elif isinstance(cond, list):
            ok = value in cond
        elif isinstance(cond, bool):
            ok = value is cond
        else:
            ok = value == cond
        if not ok:
            return False
    return True


def in_period(rows: Rows, start: datetime, end: datetime) -> Rows:
    return {
        facts: [r for r in facts_rows if start <= r[PERIOD_FIELD[facts]] < end]
        for facts, facts_rows in rows.items()
    }


def value(spec: dict[str, Any], rows: Rows) -> float | None:
    """The metric's value over ``rows`` (already cut to the period)."""
    population = [r for r in rows[spec["facts"]] if matches(r, spec.get("where") or {})]
    kind = spec["kind"]
    if kind == "count":
        return float(len(population))
    if kind == "share":
        hits = sum(1 for r in population if matches(r, spec["numerator_where"]))
        return 100.0 * hits / len(population) if population else None
    if kind == "duration":
        minutes = [
            (r[spec["end"]] - r[spec["start"]]).total_seconds() / 60
            for r in population
            if r[spec["end"]] is not None and r[spec["start"]] is not None
        ]
        minutes = [m for m in minutes if m >= 0]
        return statistics.fmean(minutes) if minutes else None
    if kind in ("distinct_repeat", "repeat_share"):
        counts = Counter(r[spec["key"]] for r in population if r[spec["key"]])
        repeated = {k for k, n in counts.items() if n >= spec.get("min_count", 2)}
        if kind == "distinct_repeat":
            return float(len(repeated))
        total = sum(counts.values())
        return 100.0 * sum(counts[k] for k in repeated) / total if total else None
    per = [r for r in rows[spec["per_facts"]] if matches(r, spec.get("per_where") or {})]
    return len(population) / len(per) if per else None


def label(raw: Any) -> str:
    if raw is None:
        return NULL_LABEL
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return f"{float(raw):g}"
    return str(raw)


def groups(spec: dict[str, Any], rows: Rows, breakdown: str) -> dict[str, float | None]:
    """The metric by ``breakdown``: one pass per group present in the population."""
    carriers = DIMENSIONS[breakdown][1]
    field = carriers[spec["facts"]]
    population = [r for r in rows[spec["facts"]] if matches(r, spec.get("where") or {})]
    present = {label(r.get(field)) for r in population}
    if spec["kind"] == "ratio":
        per_field = carriers[spec["per_facts"]]
        per = [r for r in rows[spec["per_facts"]] if matches(r, spec.get("per_where") or {})]
        present |= {label(r.get(per_field)) for r in per}
    out = {}
    for group in present:
        subset = dict(rows)
        subset[spec["facts"]] = [r for r in rows[spec["facts"]] if label(r.get(field)) == group]
        if spec["kind"] == "ratio":
            per_field = carriers[spec["per_facts"]]
            subset[spec["per_facts"]] = [
                r for r in rows[spec["per_facts"]] if label(r.get(per_field)) == group
            ]
        out[group] = value(spec, subset)
    return out
