"""The action plan file: loaded and validated once (JSON Schema, then the references the
schema cannot check), with errors that name the place."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_PATH = Path(__file__).with_name("plan.schema.json")


class PlanFileError(ValueError):
    """The plan file cannot be used; the message names the place and the reason."""


@dataclass(frozen=True)
class Named:
    id: str
    name: str
    line: int


@dataclass(frozen=True)
class Action:
    """An action title; it may recur in several phases (``steps``)."""

    id: str
    title: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One action in one phase: the unit the city owns, schedules and reports on."""

    id: str
    action: str
    title: str
    phase: str
    area: str
    category: str
    summary: str
    report_lines: tuple[int, int]
    section_lines: tuple[int, int] | None
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class LaunchItem:
    id: str
    title: str
    summary: str
    report_lines: tuple[int, int]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class PlanCatalog:
    version: str
    phases: dict[str, Named]
    areas: dict[str, Named]
    categories: dict[str, Named]
    actions: dict[str, Action]
    steps: dict[str, Step]
    launch_list: tuple[LaunchItem, ...]


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def parse_plan(data: Any, source: str, known_metrics: Iterable[str] | None = None) -> PlanCatalog:
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        e = errors[0]
        place = "/".join(str(p) for p in e.absolute_path) or "(top)"
        raise PlanFileError(f"{source}: {place}: {e.message}")
    problems: list[str] = []

    def named(key: str) -> dict[str, Named]:
        return {n["id"]: Named(n["id"], n["name"], n["line"]) for n in data[key]}

    phases, areas, categories = named("phases"), named("areas"), named("categories")
    titles = {a["id"]: a["title"] for a in data["actions"]}
    if len(titles) != len(data["actions"]):
        problems.append("actions: an id appears twice")
    metrics = set(known_metrics) if known_metrics is not None else None
    steps: dict[str, Step] = {}
    for i, s in enumerate(data["steps"]):
        place = f"{source}: steps/{i} ({s['id']})"
        if s["id"] in steps:
            problems.append(f"{place}: id appears twice")
        for key, table in (("phase", phases), ("area", areas), ("category", categories)):
            if s[key] not in table:
                problems.append(f"{place}: {key} {s[key]!r} is not declared")
        if s["action"] not in titles:
            problems.append(f"{place}: action {s['action']!r} is not in actions")
        if not s["id"].startswith(s["phase"] + "-"):
            problems.append(f"{place}: id does not start with its phase {s['phase']}")
        for m in s.get("metrics", []):
            if metrics is not None and m not in metrics:
                problems.append(f"{place}: metric {m!r} is not in the metrics catalog")
        lines = s["report_lines"]
        section = s.get("section_lines")
        steps[s["id"]] = Step(
            s["id"],
            s["action"],
            titles.get(s["action"], s["action"]),
            s["phase"],
            s["area"],
            s["category"],
            s["summary"],
            (lines[0], lines[1]),
            (section[0], section[1]) if section else None,
            tuple(s.get("metrics", [])),
        )
    launch: list[LaunchItem] = []
    for i, item in enumerate(data["launch_list"]):
        for step_id in item["steps"]:
            if step_id not in steps:
                problems.append(f"{source}: launch_list/{i}: step {step_id!r} is not in steps")
        lines = item["report_lines"]
        launch.append(
            LaunchItem(
                item["id"],
                item["title"],
                item["summary"],
                (lines[0], lines[1]),
                tuple(item["steps"]),
            )
        )
    actions = {
        a: Action(a, t, tuple(s.id for s in steps.values() if s.action == a))
        for a, t in titles.items()
    }
    for a in actions.values():
        if not a.steps:
            problems.append(f"{source}: actions/{a.id}: no step uses it")
    if problems:
        raise PlanFileError("; ".join(problems))
    return PlanCatalog(
        str(data["version"]), phases, areas, categories, actions, steps, tuple(launch)
    )


@functools.lru_cache(maxsize=4)
def load_plan(path: str | Path, known_metrics: frozenset[str] | None = None) -> PlanCatalog:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise PlanFileError(f"{path}: not valid YAML ({exc})") from exc
    return parse_plan(data, str(path), known_metrics)
