"""Forms for every section of a protocol, built from the same JSON Schema the loader
validates with (core/triage/protocol.schema.json): one field per property of each item,
its kind from the schema (a choice, a tier, text, yes/no, or a short YAML value such as
``[police, cit_co_response]`` or ``{weapon: "no"}``), and each problem the loader reports
shown at the field its path names. A save writes only the fields that changed
(core.triage.yaml_edit.set_fields keeps the text's comments) and goes through
services.draft_save, which re-validates and re-runs the example calls."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rightresponse.core.triage import ProtocolError, read_yaml_text
from rightresponse.core.triage.loader import protocol_schema
from rightresponse.core.triage.yaml_edit import DELETE

# The sections with forms, in the file's order; the issue names call types, questions,
# tier rules, programs, the risk matrix and the example calls.
_NAMED: dict[str, str] = {
    "categories": "Categories",
    "questions": "Questions",
    "programs": "Programs",
    "call_types": "Call types",
    "screening": "Screening",
    "rules": "Tier rules",
    "risk_matrix": "Risk matrix",
    "examples": "Example calls",
}
_NOT_SECTIONS = {"version", "name", "description", "defaults"}


def _all_sections() -> dict[str, str]:
    """The named sections, then every other top-level list of items or mapping the schema
    declares (a section added to the schema later gets its form without a change here)."""
    out = dict(_NAMED)
    for key, prop in protocol_schema()["properties"].items():
        if key in out or key in _NOT_SECTIONS:
            continue
        spec = _resolve(prop)
        items = _resolve(spec.get("items", {})) if spec.get("type") == "array" else spec
        if items.get("type") == "object" and items.get("properties"):
            out[key] = key.replace("_", " ").capitalize()
    return out


_LONG = {"text", "help", "reason", "note", "description"}


@dataclass
class Field:
    name: str  # the form field: "<index>.<key>" ("-.<key>" for a mapping section)
    key: str
    kind: str  # select | text | textarea | yaml
    value: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    hint: str = ""


@dataclass
class Item:
    index: int | None
    title: str
    fields: list[Field]
    problems: list[str] = field(default_factory=list)  # about the item as a whole


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = protocol_schema()["$defs"][ref.rsplit("/", 1)[1]]
        return resolved
    return schema


SECTIONS: dict[str, str] = {}  # filled below, once the schema helpers exist


def _item_schema(section: str) -> dict[str, Any]:
    spec = _resolve(protocol_schema()["properties"][section])
    if spec.get("type") == "array":
        return _resolve(spec["items"])
    return spec


SECTIONS.update(_all_sections())


def _kind(prop: dict[str, Any], key: str) -> tuple[str, list[tuple[str, str]], str]:
    kind, choices, hint = _kind_of(prop, key)
    described = _resolve(prop).get("description") or prop.get("description")
    return (
        kind,
        choices,
        f"{described.rstrip('.')}. Write {hint}." if described and hint else (described or hint),
    )


def _kind_of(prop: dict[str, Any], key: str) -> tuple[str, list[tuple[str, str]], str]:
    resolved = _resolve(prop)
    ref = prop.get("$ref", "")
    enum = resolved.get("enum")
    if enum is not None:
        choices = [("" if v is None else str(v), "(none)" if v is None else str(v)) for v in enum]
        return "select", choices, ""
    if ref.endswith("/tier"):
        return "select", [(str(t), str(t)) for t in range(5)], ""
    if resolved.get("type") == "boolean":
        return "select", [("true", "yes"), ("false", "no")], ""
    if resolved.get("type") == "string" or ref.endswith("/id"):
        return ("textarea" if key in _LONG else "text"), [], ""
    if resolved.get("type") == "integer":
        return "text", [], "a whole number"
    if resolved.get("type") == "array":
        return "yaml", [], "a list, e.g. [a, b]"
    return "yaml", [], 'a mapping, e.g. {weapon: "no"}'


def _text(value: Any) -> str:
    """A value as the field shows it: scalars as written, lists and mappings in flow YAML."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return (
            "[" + ", ".join(_text(v) if not isinstance(v, str) else _scalar(v) for v in value) + "]"
        )
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {_text(v) if not isinstance(v, str) else _scalar(v)}"
                          for k, v in value.items())  # fmt: skip
        return "{" + inner + "}"
    return str(value)


def _scalar(text: str) -> str:
    """A string inside flow YAML: quoted when a plain scalar would read otherwise."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .'-]*", text) and text not in ("true", "false", "null"):
        return f'"{text}"' if text in ("yes", "no", "unknown") else text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _problems_at(problems: list[dict[str, str]], prefix: str) -> list[str]:
    return [
        f"{p['path']}: {p['reason']}"
        for p in problems
        if p["path"] == prefix or p["path"].startswith((prefix + ".", prefix + "["))
    ]


def _fields(
    section: str, entry: dict[str, Any], prefix: str, where: str, problems: list[dict[str, str]]
) -> list[Field]:
    """One field per property of the section's item schema (``prefix``: the index, "-"
    for a mapping section, "new" for an item being added), then any key it does not know."""
    schema = _item_schema(section)
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = []
    for key, prop in props.items():
        kind, choices, hint = _kind(prop, key)
        value = _text(entry.get(key))
        if kind == "select" and value not in {c for c, _ in choices}:
            choices = [*choices, (value, f"{value} (not allowed)" if value else "(unset)")]
        fields.append(
            Field(
                name=f"{prefix}.{key}",
                key=key,
                kind=kind,
                value=value,
                required=key in required,
                choices=choices,
                problems=_problems_at(problems, f"{where}.{key}"),
                hint=hint,
            )
        )
    # Keys the schema does not know (additionalProperties: false) are named too.
    for key in entry:
        if key not in props:
            fields.append(Field(f"{prefix}.{key}", key, "yaml", _text(entry[key]), False,
                                problems=_problems_at(problems, f"{where}.{key}")))  # fmt: skip
    return fields


def is_list_section(section: str) -> bool:
    """Sections whose items can be added and removed (all but the risk matrix)."""
    return _resolve(protocol_schema()["properties"][section]).get("type") == "array"


def section_items(
    yaml_text: str, section: str, problems: list[dict[str, str]]
) -> list[Item] | None:
    """The section's items as forms; None when the text does not parse (YAML view)."""
    try:
        data = read_yaml_text(yaml_text, "draft")
    except ProtocolError:
        return None
    if not isinstance(data, dict):
        return None
    raw = data.get(section)
    entries: list[tuple[int | None, Any]] = (
        list(enumerate(raw)) if isinstance(raw, list) else [(None, raw or {})]
    )
    items = []
    for index, entry in entries:
        where = section if index is None else f"{section}[{index}]"
        if not isinstance(entry, dict):
            items.append(Item(index, where, [], [f"{where} is not a mapping: use the YAML view"]))
            continue
        prefix = "-" if index is None else str(index)
        fields = _fields(section, entry, prefix, where, problems)
        title = str(entry.get("id") or entry.get("name") or where)
        item_problems = [
            f"{p['path']}: {p['reason']}" for p in problems if p["path"] == where
        ]  # fmt: skip
        items.append(Item(index, title, fields, item_problems))
    return items


NEW = "new"  # the prefix of the fields of an item being added


def new_item(section: str, posted: dict[str, str] | None = None) -> Item:
    """The empty form for a new item of a list section (the fields as typed, when a save
    was refused)."""
    fields = _fields(section, {}, NEW, f"{section}[new]", [])
    for f in fields:
        if posted is not None and f.name in posted:
            f.value = posted[f.name]
    label = SECTIONS[section].lower()
    one = label[:-3] + "y" if label.endswith("ies") else label.removesuffix("s")
    return Item(None, f"New {one}", fields)


def added_item(section: str, posted: dict[str, str]) -> dict[str, Any]:
    """The new item from the posted fields (empty ones left out), each read as its kind;
    a value that does not read raises FieldError naming the field."""
    item = new_item(section)
    out: dict[str, Any] = {}
    for f in item.fields:
        raw = (posted.get(f.name) or "").replace("\r\n", "\n").strip()
        if raw:
            out[f.key] = _value(f, raw, item.title)
    if not out:
        raise FieldError(item.fields[0].name, f"{item.title}: fill in its fields")
    return out


def problem_place(path: str) -> tuple[str, str] | None:
    """The section page and the field a loader problem belongs to:
    ``call_types[3].programs[1]`` -> ("call_types", "3.programs"); None for a place no
    form shows (the top level, a line of the text)."""
    match = re.match(r"^([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", path)
    if match is None or match[1] not in SECTIONS:
        return None
    section, index, key = match[1], match[2], match[3]
    if index is None and not key:
        return section, ""
    prefix = index if index is not None else "-"
    return section, f"{prefix}.{key}" if key else ""


class FieldError(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def changed_edits(
    section: str, items: list[Item], posted: dict[str, str]
) -> list[tuple[str, int | None, str, Any]]:
    """The edits for the fields whose posted text differs from what was shown. A value
    that does not read as YAML raises FieldError naming the field; an emptied field
    removes its key (a required one then shows the schema's problem at the field)."""
    edits: list[tuple[str, int | None, str, Any]] = []
    for item in items:
        for f in item.fields:
            raw = posted.get(f.name)
            if raw is None:
                continue
            raw = raw.replace("\r\n", "\n").strip()
            if raw == f.value.strip():
                continue
            if raw == "":
                edits.append((section, item.index, f.key, DELETE))
                continue
            value = _value(f, raw, item.title)
            edits.append((section, item.index, f.key, value))
    return edits


def _value(f: Field, raw: str, title: str) -> Any:
    """A field's posted text as the value it stands for (by the field's kind)."""
    if f.kind in ("textarea", "text"):
        if "a whole number" in f.hint:
            if not re.fullmatch(r"-?[0-9]+", raw):
                raise FieldError(f.name, f"{title} · {f.key}: not a whole number")
            return int(raw)
        return raw  # free text and ids stay text, whatever they look like
    if f.kind == "select" and raw in ("true", "false"):
        return raw == "true"
    if f.kind == "select" and raw.isdigit():
        return int(raw)  # a tier
    if f.kind == "select":
        return raw
    try:
        return read_yaml_text(raw, f.name)
    except ProtocolError as exc:
        reasons = "; ".join(f"at {p}: {r}" for p, r in exc.problems)
        raise FieldError(f.name, f"{title} · {f.key}: {reasons}") from None
