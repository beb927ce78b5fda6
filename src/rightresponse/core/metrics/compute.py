"""Metric computations over fact frames, driven by the ``compute`` spec of a catalog entry.

A spec is data (see docs/metrics.md): ``kind`` (count, share, duration, ratio,
share_of_volume, distinct_repeat, repeat_share), ``facts`` and filters ``where`` / ``numerator_where``.
A filter maps a field to a value, a list of values, or one operator:
``{"null": bool}``, ``{"not": [...]}``, ``{"gte": x}``, ``{"ne_field": other}``; the
key ``any`` takes a list of filters of which one must hold. All clauses must hold.

An empty period gives 0 for counts and None (no value) for rates and times: a rate of
nothing is not zero.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from rightresponse.core.status_times import INTERVALS

from .facts import DIMENSIONS, PERIOD_FIELD, BoolArray, FloatArray, Frame, IntArray

Spec = Mapping[str, Any]


@dataclass(frozen=True)
class Value:
    """One computed figure. ``value`` is None when there is nothing to measure it on."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    median: float | None = None
    events: int = 0  # how many fact rows the figure rests on (for suppression)

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "median": self.median,
            "events": self.events,
        }


@dataclass
class Result:
    total: Value
    breakdown: str | None = None
    groups: dict[str, Value] = field(default_factory=dict)


class ComputeError(ValueError):
    pass


def _first_present(frame: Frame, names: tuple[str, ...]) -> FloatArray:
    """Per row, the first of the status times ``names`` it has (NaN: none): an interval's
    start or end as core/status_times.py defines it. Times the facts do not carry (a queue
    time) are skipped."""
    out = np.full(frame.size, np.nan)
    for name in reversed(names):
        if name in frame.times:
            values = frame.times[name]
            out = np.where(np.isnan(values), out, values)
    return out


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


class Evaluator:
    """Computes metrics for one period over frames, caching filter masks between metrics
    (many metrics share the same population, e.g. every civilian-response figure)."""

    def __init__(
        self,
        frames: Mapping[str, Frame],
        start: datetime | None = None,
        end: datetime | None = None,
        scope: Mapping[str, Spec] | None = None,
    ) -> None:
        self.frames = frames
        self._masks: dict[tuple[str, str], BoolArray] = {}
        self._base: dict[str, BoolArray] = {}
        for facts, frame in frames.items():
            moment = frame.times[PERIOD_FIELD[facts]]
            base = np.ones(frame.size, dtype=bool)
            if start is not None:
                base &= moment >= start.timestamp()
            if end is not None:
                base &= moment < end.timestamp()
            if scope and scope.get(facts):
                base &= self._filter(frame, scope[facts])
            self._base[facts] = base

    # ---- filters
    def mask(self, facts: str, where: Spec | None) -> BoolArray:
        key = (facts, json.dumps(where or {}, sort_keys=True, default=str))
        cached = self._masks.get(key)
        if cached is None:
            frame = self._frame(facts)
            cached = self._base[facts] & self._filter(frame, where or {})
            self._masks[key] = cached
        return cached

    def _frame(self, facts: str) -> Frame:
        if facts not in self.frames:
            raise ComputeError(f"no {facts} facts were provided")
        return self.frames[facts]

    def _filter(self, frame: Frame, where: Spec) -> BoolArray:
        mask = np.ones(frame.size, dtype=bool)
        for name, condition in where.items():
            if name == "any":
                alternatives = np.zeros(frame.size, dtype=bool)
                for sub in condition:
                    alternatives |= self._filter(frame, sub)
                mask &= alternatives
            else:
                mask &= self._clause(frame, name, condition)
        return mask

    def _clause(self, frame: Frame, name: str, condition: Any) -> BoolArray:
        kind = frame.kind(name)
        if isinstance(condition, Mapping):
            (op, operand), *rest = condition.items()
            if rest:
                raise ComputeError(f"filter on {name}: one operator per clause")
            if op == "null":
                return self._nulls(frame, name) == bool(operand)  # type: ignore[no-any-return]
            if op == "not":
                return ~self._isin(frame, name, _as_list(operand)) & ~self._nulls(frame, name)
            if op == "gte":
                return np.nan_to_num(self._numeric(frame, name), nan=-np.inf) >= float(operand)
            if op == "ne_field":
                return self._differs(frame, name, str(operand))
            raise ComputeError(f"filter on {name}: unknown operator {op!r}")
        if kind == "flag":
            return frame.flags[name] == int(bool(condition))  # type: ignore[no-any-return]
        return self._isin(frame, name, _as_list(condition))

    @staticmethod
    def _nulls(frame: Frame, name: str) -> BoolArray:
        kind = frame.kind(name)
        if kind == "time":
            return np.isnan(frame.times[name])
        if kind == "number":
            return np.isnan(frame.numbers[name])
        if kind == "flag":
            return frame.flags[name] < 0
        labels = frame.labels[name]
        null_codes = [i for i, label in enumerate(labels) if label is None]
        return np.isin(frame.codes[name], null_codes)

    @staticmethod
    def _numeric(frame: Frame, name: str) -> FloatArray:
        kind = frame.kind(name)
        if kind == "number":
            return frame.numbers[name]
        if kind == "time":
            return frame.times[name]
        raise ComputeError(f"{name} is not numeric")

    @staticmethod
    def _isin(frame: Frame, name: str, values: list[Any]) -> BoolArray:
        kind = frame.kind(name)
        if kind == "category":
            wanted = {str(v) for v in values}
            codes = [i for i, label in enumerate(frame.labels[name]) if label in wanted]
            return np.isin(frame.codes[name], codes)
        if kind == "number":
            return np.isin(frame.numbers[name], [float(v) for v in values])
        if kind == "flag":
            return np.isin(frame.flags[name], [int(bool(v)) for v in values])
        raise ComputeError(f"{name}: a time can only be filtered on null")

    def _differs(self, frame: Frame, name: str, other: str) -> BoolArray:
        if frame.kind(name) == "category":
            a, b = frame.label_array(name), frame.label_array(other)
            return (a != b) & ~self._nulls(frame, name) & ~self._nulls(frame, other)  # type: ignore[no-any-return]
        x, y = self._numeric(frame, name), self._numeric(frame, other)
        return (x != y) & ~np.isnan(x) & ~np.isnan(y)  # type: ignore[no-any-return]

    # ---- metrics
    def compute(self, spec: Spec, breakdown: str | None = None) -> Result:
        """The metric over the period, and by ``breakdown`` (a dimension id) if given."""
        facts = spec.get("facts", "incidents")
        population = self.mask(facts, spec.get("where"))
        result = Result(total=self._value(spec, facts, population), breakdown=breakdown)
        if breakdown is None:
            return result
        frame = self._frame(facts)
        field_name = DIMENSIONS[breakdown][1].get(facts)
        if field_name is None:
            raise ComputeError(f"{spec['kind']} on {facts} cannot be broken down by {breakdown}")
        codes, labels = frame.group_labels(field_name)
        if spec["kind"] in ("ratio", "share_of_volume"):
            return self._ratio_groups(spec, result, population, codes, labels, breakdown)
        for code in np.unique(codes[population]):
            group = population & (codes == code)
            result.groups[labels[int(code)]] = self._value(spec, facts, group)
        return result

    def _ratio_groups(
        self,
        spec: Spec,
        result: Result,
        population: BoolArray,
        codes: IntArray,
        labels: list[str],
        breakdown: str,
    ) -> Result:
        """A ratio of two kinds of facts by group joins the groups by label; a group with
        a denominator but no numerator is a real zero."""
        per_facts = spec["per_facts"]
        per_codes, per_labels = self._frame(per_facts).group_labels(
            DIMENSIONS[breakdown][1][per_facts]
        )
        per_population = self.mask(per_facts, spec.get("per_where"))
        volume = spec["kind"] == "share_of_volume"
        names = {labels[int(c)] for c in np.unique(codes[population])}
        names |= {per_labels[int(c)] for c in np.unique(per_codes[per_population])}
        for name in sorted(names):
            num_group = np.isin(codes, [i for i, x in enumerate(labels) if x == name])
            den_group = np.isin(per_codes, [i for i, x in enumerate(per_labels) if x == name])
            result.groups[name] = self._ratio(
                population & num_group, per_population & den_group, volume
            )
        return result

    @staticmethod
    def _ratio(numerator: BoolArray, denominator: BoolArray, volume: bool = False) -> Value:
        """``volume``: the numerator's percentage of both populations together (e.g. the
        calls handled by a report among all calls: reports plus incidents)."""
        num, den = float(numerator.sum()), float(denominator.sum())
        if volume:
            den += num
            value = 100.0 * num / den if den else None
            return Value(value, numerator=num, denominator=den, events=int(den))
        return Value(num / den if den else None, numerator=num, denominator=den, events=int(den))

    def _value(self, spec: Spec, facts: str, population: BoolArray) -> Value:
        kind = spec["kind"]
        frame = self._frame(facts)
        count = int(population.sum())
        if kind == "count":
            return Value(float(count), numerator=float(count), events=count)
        if kind == "share":
            hits = int((population & self.mask(facts, spec["numerator_where"])).sum())
            share = 100.0 * hits / count if count else None
            return Value(share, numerator=float(hits), denominator=float(count), events=count)
        if kind == "duration":
            interval = INTERVALS[spec["interval"]]
            start = _first_present(frame, interval.starts)
            end = _first_present(frame, interval.ends)
            minutes = (end[population] - start[population]) / 60.0
            minutes = minutes[~np.isnan(minutes) & (minutes >= 0)]
            if minutes.size == 0:
                return Value(None, events=0)
            return Value(
                float(minutes.mean()),
                median=float(np.median(minutes)),
                denominator=float(minutes.size),
                events=int(minutes.size),
            )
        if kind in ("distinct_repeat", "repeat_share"):
            keys = frame.codes[spec["key"]][population]
            blank = [i for i, label in enumerate(frame.labels[spec["key"]]) if not label]
            keys = keys[~np.isin(keys, blank)]
            if keys.size == 0:
                return Value(0.0 if kind == "distinct_repeat" else None, events=0)
            counts = np.bincount(keys)
            repeated = counts >= int(spec.get("min_count", 2))
            if kind == "distinct_repeat":
                keys_repeated = float(repeated.sum())
                return Value(keys_repeated, numerator=keys_repeated, events=int(keys.size))
            repeat_hits = float(counts[repeated].sum())
            return Value(
                100.0 * repeat_hits / keys.size,
                numerator=repeat_hits,
                denominator=float(keys.size),
                events=int(keys.size),
            )
        if kind in ("ratio", "share_of_volume"):
            per = self.mask(spec["per_facts"], spec.get("per_where"))
            return self._ratio(population, per, kind == "share_of_volume")
        raise ComputeError(f"unknown metric kind {kind!r}")
