"""The metrics catalog: one data file listing every metric the report names. Loaded and
validated once (JSON Schema for shape, then the cross-references the schema cannot see).
A ``CatalogError`` names the file, the place inside it and the reason."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from rightresponse.core.status_times import INTERVALS

from .facts import DIMENSIONS, FACT_FIELDS

SCHEMA_PATH = Path(__file__).with_name("catalog.schema.json")

QUADRANTS = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}
STAGES = {"input": "Input", "output": "Output", "outcome": "Outcome"}  # report lines 310-314
SOURCES = {
    "dispatch": "Computed from dispatch records",
    "referrals": "Computed from referral records",
    "intake": "Computed from virtual reports and hotline transfers",
    "imported": "Computed from imported calls-for-service data",
    "entered": "Entered (surveys, HR figures, programme reports)",
}
# Which records each kind of facts comes from (a metric's ``source``).
SOURCE_OF_FACTS = {
    "incidents": "dispatch",
    "referrals": "referrals",
    "virtual_reports": "intake",
    "hotline_contacts": "intake",
}
UNITS = {
    "count": "",
    "percent": "%",
    "minutes": " min",
    "days": " days",
    "score": "",
    "per_incident": " per incident",
}


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Committee:
    id: str
    name: str
    line: int


@dataclass(frozen=True)
class Metric:
    id: str
    line: int
    wording: str
    numerator: str
    denominator: str | None
    unit: str
    direction: str
    quadrant: str
    stage: str
    committee: str
    group: str
    breakdowns: tuple[str, ...]
    source: str
    plain: str
    public: bool
    compute: Mapping[str, Any] | None = None
    needs: str = ""

    @property
    def computed(self) -> bool:
        return self.compute is not None

    @property
    def default_breakdown(self) -> str | None:
        return None if self.compute is None else self.compute.get("default_breakdown")

    @property
    def unit_suffix(self) -> str:
        return UNITS[self.unit]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "report_line": self.line,
            "wording": self.wording,
            "group": self.group,
            "committee": self.committee,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "direction": self.direction,
            "quadrant": self.quadrant,
            "stage": self.stage,
            "breakdowns": list(self.breakdowns),
            "source": self.source,
            "plain": self.plain,
            "public": self.public,
            "needs": self.needs,
            "compute": dict(self.compute) if self.compute is not None else None,
        }


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    line: int
    committee: str
    metric_ids: tuple[str, ...]
    breakdown_lines: tuple[tuple[int, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Catalog:
    version: str
    source: str
    committees: Mapping[str, Committee]
    groups: tuple[Group, ...]
    metrics: Mapping[str, Metric]
    references: tuple[tuple[tuple[int, ...], str, str], ...] = field(default=())

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics.values())

    def computed(self) -> list[Metric]:
        return [m for m in self.metrics.values() if m.computed]

    def for_committee(self, committee: str) -> list[Metric]:
        return [m for m in self.metrics.values() if m.committee == committee]

    def cited_lines(self) -> set[int]:
        """Every report line the catalog accounts for."""
        lines = {m.line for m in self.metrics.values()}
        lines |= {g.line for g in self.groups}
        lines |= {line for g in self.groups for line, _, _ in g.breakdown_lines}
        lines |= {c.line for c in self.committees.values()}
        lines |= {line for ref_lines, _, _ in self.references for line in ref_lines}
        return lines


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text())
    return schema


def _where_fields(where: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for name, condition in where.items():
        if name == "any":
            for sub in condition:
                yield from _where_fields(sub)
        else:
            yield name, condition


def _check_compute(spec: Mapping[str, Any], place: str, breakdowns: tuple[str, ...]) -> None:
    facts = spec["facts"]
    fields = FACT_FIELDS[facts]
    for key in ("where", "numerator_where"):
        for name, condition in _where_fields(spec.get(key) or {}):
            if name not in fields:
                raise CatalogError(f"{place}.compute.{key}: {facts} have no field {name!r}")
            other = condition.get("ne_field") if isinstance(condition, Mapping) else None
            if other is not None and other not in fields:
                raise CatalogError(f"{place}.compute.{key}.{name}: no field {other!r}")
    if "interval" in spec:
        interval = INTERVALS.get(spec["interval"])
        if interval is None:
            raise CatalogError(
                f"{place}.compute.interval: {spec['interval']!r} is not an interval "
                f"(core/status_times.py: {', '.join(INTERVALS)})"
            )
        for side in (interval.starts, interval.ends):
            if not any(fields.get(name) == "time" for name in side):
                raise CatalogError(
                    f"{place}.compute.interval: {facts} have none of {', '.join(side)}"
                )
    if "key" in spec and fields.get(spec["key"]) != "category":
        raise CatalogError(f"{place}.compute.key: {spec['key']!r} is not a key field of {facts}")
    if "per_where" in spec:
        per = FACT_FIELDS[spec["per_facts"]]
        for name, _ in _where_fields(spec["per_where"]):
            if name not in per:
                raise CatalogError(f"{place}.compute.per_where: no field {name!r}")
    for dim in breakdowns:
        carriers = DIMENSIONS[dim][1]
        per_facts = spec.get("per_facts") if spec["kind"] in ("ratio", "share_of_volume") else None
        if facts not in carriers or (per_facts is not None and per_facts not in carriers):
            raise CatalogError(
                f"{place}.breakdowns: {dim!r} is not recorded in {facts} facts, "
                "so a computed metric cannot be broken down by it"
            )
    default = spec.get("default_breakdown")
    if default is not None and default not in breakdowns:
        raise CatalogError(f"{place}.compute.default_breakdown: {default!r} is not in breakdowns")


def parse_catalog(data: Any, source: str) -> Catalog:
    """Validate a loaded catalog document and build the catalog."""
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise CatalogError(f"{source}: {where}: {first.message}{more}")
    committees = {
        key: Committee(key, value["name"], value["line"])
        for key, value in data["committees"].items()
    }
    metrics: dict[str, Metric] = {}
    groups = []
    group_ids: set[str] = set()
    for gi, g in enumerate(data["groups"]):
        gplace = f"{source}: groups/{gi} ({g['id']})"
        if g["id"] in group_ids:
            raise CatalogError(f"{gplace}: duplicate group id")
        group_ids.add(g["id"])
        if g["committee"] not in committees:
            raise CatalogError(f"{gplace}.committee: unknown committee {g['committee']!r}")
        ids = []
        for mi, m in enumerate(g["metrics"]):
            place = f"{source}: groups/{gi}/metrics/{mi} ({m['id']})"
            if m["id"] in metrics:
                raise CatalogError(f"{place}: duplicate metric id")
            breakdowns = tuple(m["breakdowns"])
            compute = m.get("compute")
            if compute is not None:
                expected = SOURCE_OF_FACTS[compute["facts"]]
                if m["source"] != expected:
                    raise CatalogError(
                        f"{place}.source: {compute['facts']} facts mean {expected!r}"
                    )
                _check_compute(compute, place, breakdowns)
            d = m["definition"]
            metrics[m["id"]] = Metric(
                id=m["id"],
                line=m["line"],
                wording=m["wording"],
                numerator=d["numerator"],
                denominator=d["denominator"],
                unit=d["unit"],
                direction=d["direction"],
                quadrant=m["quadrant"],
                stage=m["stage"],
                committee=g["committee"],
                group=g["id"],
                breakdowns=breakdowns,
                source=m["source"],
                plain=m["plain"],
                public=m["public"],
                compute=compute,
                needs=m.get("needs", ""),
            )
            ids.append(m["id"])
        groups.append(
            Group(
                id=g["id"],
                title=g["title"],
                line=g["line"],
                committee=g["committee"],
                metric_ids=tuple(ids),
                breakdown_lines=tuple(
                    (b["line"], b["wording"], tuple(b["dimensions"]))
                    for b in g.get("breakdown_lines", [])
                ),
            )
        )
    references = tuple(
        (tuple(r["lines"]), r["topic"], r["implemented_by"]) for r in data.get("references", [])
    )
    return Catalog(
        version=data["version"],
        source=data.get("source", ""),
        committees=committees,
        groups=tuple(groups),
        metrics=metrics,
        references=references,
    )


def load_catalog(path: str | Path) -> Catalog:
    path = Path(path)
    try:
        # The C loader when PyYAML has it: several times faster on a 3,000-line file.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML ({exc})") from exc
    return parse_catalog(data, str(path))


def fields_used(catalog: Catalog, facts: str, dimensions: Iterable[str] | None = None) -> set[str]:
    """The fact fields the catalog's computations read, plus the fields carrying
    ``dimensions`` (all of them by default), so that adapters convert only those columns
    (turning rows into columns is the costly part of a dashboard refresh)."""
    from .facts import PERIOD_FIELD

    used = {PERIOD_FIELD[facts]}
    for metric in catalog:
        spec = metric.compute
        if spec is None:
            continue
        for key in ("where", "numerator_where", "per_where"):
            which = spec.get("per_facts") if key == "per_where" else spec["facts"]
            if which != facts or not spec.get(key):
                continue
            for name, condition in _where_fields(spec[key]):
                used.add(name)
                if isinstance(condition, Mapping) and "ne_field" in condition:
                    used.add(str(condition["ne_field"]))
        if spec["facts"] == facts:
            used |= {spec[k] for k in ("key",) if k in spec}
            if "interval" in spec:
                interval = INTERVALS[spec["interval"]]
                used |= {n for n in (*interval.starts, *interval.ends) if n in FACT_FIELDS[facts]}
    wanted = DIMENSIONS if dimensions is None else {d: DIMENSIONS[d] for d in dimensions}
    used |= {carriers[facts] for _, carriers in wanted.values() if facts in carriers}
    return used
