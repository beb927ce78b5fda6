"""Staffing plans as data files: loaded and validated once (JSON Schema, then the
cross-references the schema cannot express), with messages that name the place."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .simulation import Program, Shift, SimulationError, Staffing

SCHEMA_PATH = Path(__file__).with_name("staffing.schema.json")


@dataclass(frozen=True)
class StaffingPlan:
    staffing: Staffing
    chains: dict[int, tuple[str, ...]]  # tier -> programs tried in order
    service_hours: dict[str, dict[str, float]]  # program -> tier ("default") -> hours
    description: str = ""

    def service_for(self, program: str, tier: int) -> float | None:
        table = self.service_hours.get(program, {})
        return table.get(str(tier), table.get("default"))


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return loaded


def staffing_parse(data: Any, source: str = "staffing plan") -> StaffingPlan:
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        place = "/".join(str(p) for p in e.absolute_path) or "(top)"
        raise SimulationError(f"{source}: {place}: {e.message}")
    programs: dict[str, Program] = {}
    service: dict[str, dict[str, float]] = {}
    for i, p in enumerate(data["programs"]):
        if p["id"] in programs:
            raise SimulationError(f"{source}: programs/{i}/id: {p['id']!r} appears twice")
        shifts = tuple(
            Shift(
                name=s["name"],
                start_hour=float(s["start_hour"]),
                hours=float(s["hours"]),
                units={str(k): int(v) for k, v in s["units"].items()},
                days=tuple(sorted(set(s.get("days", range(7))))),
            )
            for s in p["shifts"]
        )
        programs[p["id"]] = Program(
            id=p["id"],
            label=p["label"],
            shifts=shifts,
            max_wait_minutes=p.get("max_wait_minutes"),
            police=bool(p.get("police", False)),
        )
        service[p["id"]] = {str(k): float(v) for k, v in p.get("service_hours", {}).items()}
    chains: dict[int, tuple[str, ...]] = {}
    for tier, chain in data.get("chains", {}).items():
        if not tier.isdigit() or not 0 <= int(tier) <= 4:
            raise SimulationError(f"{source}: chains/{tier}: a tier is 0..4")
        for j, pid in enumerate(chain):
            if pid not in programs:
                raise SimulationError(f"{source}: chains/{tier}/{j}: unknown program {pid!r}")
        chains[int(tier)] = tuple(chain)
    staffing = Staffing(
        name=data["name"], programs=programs, hours_per_fte=float(data.get("hours_per_fte", 1750))
    )
    return StaffingPlan(staffing, chains, service, data.get("description", ""))


def staffing_load(path: str | Path) -> StaffingPlan:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise SimulationError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise SimulationError(f"{path}: not valid YAML ({exc})") from exc
    return staffing_parse(data, str(path))
