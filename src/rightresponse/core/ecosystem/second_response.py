"""Which closed incidents get a second-response follow-up (report ~1986-1996).

The rules are a data file (ecosystem/data/second_response.yaml) the city edits; this module
parses and applies them without Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class FollowUpKind:
    kind: str
    label: str
    call_types: frozenset[str]
    categories: frozenset[str]
    team: str
    due: timedelta
    victim_service: bool


@dataclass(frozen=True)
class SecondResponseRules:
    kinds: tuple[FollowUpKind, ...]

    def match(self, call_type: str | None, category: str | None) -> FollowUpKind | None:
        for kind in self.kinds:
            if call_type and call_type in kind.call_types:
                return kind
        for kind in self.kinds:
            if category and category in kind.categories:
                return kind
        return None


def parse_rules(data: Any, source: str) -> SecondResponseRules:
    if not isinstance(data, Mapping):
        raise RuleError(f"{source}: must be a mapping with due_hours and kinds")
    default_hours = data.get("due_hours", 72)
    kinds_data = data.get("kinds")
    if not isinstance(kinds_data, Mapping) or not kinds_data:
        raise RuleError(f"{source}: kinds: name at least one kind")
    kinds = []
    for name, spec in kinds_data.items():
        where = f"{source}: kinds.{name}"
        if not isinstance(spec, Mapping):
            raise RuleError(f"{where}: must be a mapping")
        team = spec.get("team")
        if not isinstance(team, str) or not team:
            raise RuleError(f"{where}.team: give the agency slug of the follow-up team")
        hours = spec.get("due_hours", default_hours)
        if not isinstance(hours, int | float) or hours <= 0:
            raise RuleError(f"{where}.due_hours: must be a positive number of hours")
        call_types = spec.get("call_types") or []
        categories = spec.get("categories") or []
        if not isinstance(call_types, list) or not isinstance(categories, list):
            raise RuleError(f"{where}: call_types and categories must be lists")
        if not call_types and not categories:
            raise RuleError(f"{where}: give call_types or categories to match")
        kinds.append(
            FollowUpKind(
                kind=str(name),
                label=str(spec.get("label", name)),
                call_types=frozenset(str(c) for c in call_types),
                categories=frozenset(str(c) for c in categories),
                team=team,
                due=timedelta(hours=float(hours)),
                victim_service=bool(spec.get("victim_service", False)),
            )
        )
    return SecondResponseRules(tuple(kinds))
