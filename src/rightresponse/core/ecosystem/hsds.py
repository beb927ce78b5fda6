"""Open Referral HSDS: validate a directory document and convert it to and from CSV tables.

The document is HSDS 3.0 JSON (organizations with nested locations, services with nested
schedules, languages, service areas, phones, service-at-locations and taxonomy
attributes) plus the HSDS 3.1 ``capacities`` of a service. Each object is validated
against the official HSDS schema for its table, with errors that give the JSON path
(``$.services[2].schedules[0].freq``) and the reason. CSV is HSDS's tabular form: one
file per table, children linked to their parent by id.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

Document = dict[str, Any]
Row = dict[str, str]

ROOTS: Final[tuple[str, ...]] = ("taxonomies", "taxonomy_terms", "organizations", "services")
ROOT_SCHEMA: Final[dict[str, str]] = {
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
    "organizations": "organization.json",
    "services": "service.json",
}
# Nested arrays that HSDS CSV stores as separate tables: (table, parent id column, key).
CHILDREN: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "organizations": (
        ("locations", "organization_id", "locations"),
        ("phones", "organization_id", "phones"),
    ),
    "locations": (("addresses", "location_id", "addresses"),),
    "services": (
        ("phones", "service_id", "phones"),
        ("schedules", "service_id", "schedules"),
        ("service_areas", "service_id", "service_areas"),
        ("languages", "service_id", "languages"),
        ("service_at_locations", "service_id", "service_at_locations"),
        ("attributes", "link_id", "attributes"),
        ("service_capacities", "service_id", "capacities"),
    ),
}
TABLE_SCHEMA: Final[dict[str, str]] = {
    **ROOT_SCHEMA,
    "locations": "location.json",
    "addresses": "address.json",
    "phones": "phone.json",
    "schedules": "schedule.json",
    "service_areas": "service_area.json",
    "languages": "language.json",
    "service_at_locations": "service_at_location.json",
    "attributes": "attribute.json",
    "service_capacities": "service_capacity.json",
}
TABLES: Final[tuple[str, ...]] = tuple(TABLE_SCHEMA)


@dataclass(frozen=True)
class HsdsError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class HsdsInvalid(ValueError):
    """The document does not conform; ``errors`` lists every problem found."""

    def __init__(self, errors: list[HsdsError]) -> None:
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        super().__init__(f"HSDS validation failed: {shown}{more}")


@lru_cache(maxsize=4)
def _schemas(schema_dir: str) -> tuple[Registry[Any], dict[str, dict[str, Any]]]:
    contents: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(schema_dir).glob("*.json")):
        contents[path.name] = json.loads(path.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in contents.items()
    )
    return registry, contents


def _validator(schema_dir: Path, name: str) -> Draft202012Validator:
    registry, contents = _schemas(str(schema_dir))
    if name not in contents:
        raise FileNotFoundError(f"HSDS schema {name} is missing from {schema_dir}")
    schema = {"$id": name, **contents[name]}
    return Draft202012Validator(schema, registry=registry, format_checker=FormatChecker())


def _json_path(base: str, parts: Iterator[Any] | Any) -> str:
    path = base
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_document(doc: Any, schema_dir: Path) -> list[HsdsError]:
    """Every schema and reference problem in ``doc``; an empty list means it conforms."""
    if not isinstance(doc, Mapping):
        return [HsdsError("$", "the document must be a JSON object")]
    errors: list[HsdsError] = []
    for key in ROOTS:
        items = doc.get(key, [])
        if not isinstance(items, list):
            errors.append(HsdsError(f"$.{key}", "must be an array"))
            continue
        validator = _validator(schema_dir, ROOT_SCHEMA[key])
        for index, item in enumerate(items):
            base = f"$.{key}[{index}]"
            for err in sorted(validator.iter_errors(item), key=lambda e: list(e.absolute_path)):
                errors.append(HsdsError(_json_path(base, err.absolute_path), err.message))
    if not errors:
        errors.extend(_nul_errors(doc, "$"))
    if not errors:
        errors.extend(_capacity_errors(doc, schema_dir))
        errors.extend(_reference_errors(doc))
    return errors


def _nul_errors(value: Any, path: str) -> list[HsdsError]:
    """Text with NUL characters cannot be stored (PostgreSQL refuses it) nor shown."""
    if isinstance(value, str):
        return [HsdsError(path, "contains a NUL character")] if "\x00" in value else []
    if isinstance(value, Mapping):
        return [e for k, v in value.items() for e in _nul_errors(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _nul_errors(v, f"{path}[{i}]")]
    return []


def _capacity_errors(doc: Mapping[str, Any], schema_dir: Path) -> list[HsdsError]:
    validator = _validator(schema_dir, "service_capacity.json")
    errors = []
    for si, service in enumerate(doc.get("services", [])):
        for ci, capacity in enumerate(service.get("capacities", []) or []):
            base = f"$.services[{si}].capacities[{ci}]"
            for err in validator.iter_errors(capacity):
                errors.append(HsdsError(_json_path(base, err.absolute_path), err.message))
    return errors


def _reference_errors(doc: Mapping[str, Any]) -> list[HsdsError]:
    errors: list[HsdsError] = []
    seen: dict[str, str] = {}

    def unique(obj: Mapping[str, Any], path: str) -> None:
        ident = obj.get("id")
        if ident in seen:
            errors.append(HsdsError(f"{path}.id", f"id {ident} is also used at {seen[ident]}"))
        elif isinstance(ident, str):
            seen[ident] = path

    orgs = doc.get("organizations", [])
    location_ids: set[str] = set()
    for oi, org in enumerate(orgs):
        unique(org, f"$.organizations[{oi}]")
        for li, location in enumerate(org.get("locations", []) or []):
            unique(location, f"$.organizations[{oi}].locations[{li}]")
            location_ids.add(location["id"])
    org_ids = {o["id"] for o in orgs}
    term_ids = {t["id"] for t in doc.get("taxonomy_terms", [])}
    taxonomy_ids = {t["id"] for t in doc.get("taxonomies", [])}
    for ti, term in enumerate(doc.get("taxonomy_terms", [])):
        unique(term, f"$.taxonomy_terms[{ti}]")
        if term.get("taxonomy_id") and term["taxonomy_id"] not in taxonomy_ids:
            errors.append(
                HsdsError(
                    f"$.taxonomy_terms[{ti}].taxonomy_id", "names no taxonomy in the document"
                )
            )
    for si, service in enumerate(doc.get("services", [])):
        base = f"$.services[{si}]"
        unique(service, base)
        if service.get("organization_id") not in org_ids:
            errors.append(
                HsdsError(f"{base}.organization_id", "names no organization in the document")
            )
        for li, link in enumerate(service.get("service_at_locations", []) or []):
            if link.get("location_id") not in location_ids:
                errors.append(
                    HsdsError(
                        f"{base}.service_at_locations[{li}].location_id",
                        "names no location in the document",
                    )
                )
        for ai, attribute in enumerate(service.get("attributes", []) or []):
            if attribute.get("taxonomy_term_id") not in term_ids:
                errors.append(
                    HsdsError(
                        f"{base}.attributes[{ai}].taxonomy_term_id",
                        "names no taxonomy term in the document",
                    )
                )
    return errors


# ---------------------------------------------------------------- CSV (tabular HSDS)


def to_tables(doc: Mapping[str, Any]) -> dict[str, list[Row]]:
    """Flatten a document into HSDS tables (one list of string rows per table)."""
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}

    def emit(table: str, obj: Mapping[str, Any]) -> None:
        row: Row = {}
        for key, value in obj.items():
            if key == "unit" and isinstance(value, Mapping):
                row["unit_id"] = str(value.get("id", ""))
                row["unit_name"] = str(value.get("name", ""))
            elif isinstance(value, list | dict):
                continue
            elif value is not None:
                row[key] = _to_cell(value)
        tables[table].append(row)
        for child_table, _parent_key, child_key in CHILDREN.get(table, ()):
            for child in obj.get(child_key, []) or []:
                emit(child_table, child)

    for root in ROOTS:
        for obj in doc.get(root, []):
            emit(root, obj)
    return tables


def _to_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_tables(tables: Mapping[str, list[Row]], schema_dir: Path) -> Document:
    """Rebuild a document from HSDS tables, typing each cell by its HSDS schema."""
    _registry, contents = _schemas(str(schema_dir))
    typed: dict[str, list[dict[str, Any]]] = {}
    for table in TABLES:
        schema = contents.get(TABLE_SCHEMA[table], {})
        typed[table] = [
            _typed_row(row, schema, f"{table}.csv row {i + 2}")
            for i, row in enumerate(tables.get(table, []))
        ]
    for row in typed["service_capacities"]:
        unit_id, unit_name = row.pop("unit_id", None), row.pop("unit_name", None)
        if unit_id or unit_name:
            row["unit"] = {"id": unit_id, "name": unit_name}
    by_id: dict[str, dict[str, dict[str, Any]]] = {
        table: {str(r["id"]): r for r in typed[table] if "id" in r} for table in TABLES
    }
    placed: set[tuple[str, int]] = set()
    for parent_table, children in (("locations", CHILDREN["locations"]),) + tuple(
        (t, CHILDREN[t]) for t in ("organizations", "services")
    ):
        for child_table, parent_key, child_key in children:
            for index, row in enumerate(typed[child_table]):
                parent_id = row.get(parent_key)
                if parent_id is None:
                    continue
                parent = by_id[parent_table].get(str(parent_id))
                if parent is not None:
                    parent.setdefault(child_key, []).append(row)
                    placed.add((child_table, index))
    # A row that belongs to nothing would be lost silently: refuse the import instead.
    orphans = [
        HsdsError(f"{table}.csv row {index + 2}", "names no parent row in the upload")
        for table in TABLES
        if table not in ROOTS
        for index in range(len(typed[table]))
        if (table, index) not in placed
    ]
    if orphans:
        raise HsdsInvalid(orphans)
    return {root: typed[root] for root in ROOTS}


def _typed_row(row: Row, schema: Mapping[str, Any], where: str) -> dict[str, Any]:
    props: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for key, cell in row.items():
        if key is None or cell is None:
            continue
        if cell == "":
            # An empty cell is an absent value, except a required text field, which HSDS
            # allows to be empty (an address without a postal code still has the column).
            if key in required and props.get(key, {}).get("type") == "string":
                out[key] = ""
            continue
        kind = props.get(key, {}).get("type")
        try:
            if kind == "number":
                out[key] = float(cell) if any(c in cell for c in ".eE") else int(cell)
            elif kind == "integer":
                out[key] = int(cell)
            elif kind == "boolean":
                out[key] = cell.strip().lower() in ("true", "1", "yes")
            else:
                out[key] = cell
        except ValueError as exc:
            raise HsdsInvalid(
                [HsdsError(f"{where}, column {key}", f"'{cell}' is not a {kind}")]
            ) from exc
    return out


def tables_to_csv(tables: Mapping[str, list[Row]]) -> dict[str, str]:
    """CSV text per file name (``services.csv``...), columns in first-seen order."""
    files: dict[str, str] = {}
    for table, rows in tables.items():
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns or ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        files[f"{table}.csv"] = buffer.getvalue()
    return files


def csv_to_tables(files: Mapping[str, str]) -> dict[str, list[Row]]:
    unknown = sorted(n for n in files if n.removesuffix(".csv") not in TABLE_SCHEMA)
    if unknown:
        raise HsdsInvalid(
            [HsdsError(name, f"not an HSDS table ({', '.join(TABLES)})") for name in unknown]
        )
    tables: dict[str, list[Row]] = {}
    for name, text in files.items():
        try:
            tables[name.removesuffix(".csv")] = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise HsdsInvalid([HsdsError(name, f"not readable as CSV ({exc})")]) from exc
    return tables
