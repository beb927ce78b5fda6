"""The semantic diff between two protocols: which call types, questions, rules, programs,
screening rules, categories, risk bands and example calls were added, removed or changed,
and which of their fields changed from what to what.

It works on the parsed YAML (plain mappings), not on the compiled ``Protocol``, so it also
compares a draft that does not validate yet, and it ignores what a text diff cannot:
comments, key order and the order of list items that are sets (a rule's call types).
Approvers read it before a protocol decides live calls (report's phase actions under
Responsive Services: criteria revisited as programs grow).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Sections that are lists of items with ids, in the order a reader cares about them.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("call_types", "Call type"),
    ("questions", "Question"),
    ("rules", "Tier rule"),
    ("programs", "Program"),
    ("screening", "Screening rule"),
    ("categories", "Category"),
    ("examples", "Example call"),
)
# Fields whose list order carries no meaning (compared as sets).
_UNORDERED = frozenset(
    {"call_types", "categories", "except_categories", "add_programs", "tiers", "unless_yes"}
)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # dotted path inside the item, e.g. "risk.likelihood" or "when.weapon"
    before: Any  # None when absent
    after: Any

    def describe(self) -> str:
        if self.before is None:
            return f"{self.field} set to {_show(self.after)}"
        if self.after is None:
            return f"{self.field} removed (was {_show(self.before)})"
        return f"{self.field}: {_show(self.before)} → {_show(self.after)}"


@dataclass(frozen=True, slots=True)
class ItemChange:
    section: str  # "rules", "call_types", ... or "protocol" for top-level settings
    kind: str  # "added", "removed" or "changed"
    item_id: str
    label: str
    fields: tuple[FieldChange, ...] = ()

    def describe(self) -> str:
        noun = section_noun(self.section)
        name = f"{noun} {self.item_id}" + (f" ({self.label})" if self.label else "")
        if self.kind != "changed":
            return f"{name} {self.kind}"
        return f"{name}: " + "; ".join(f.describe() for f in self.fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "kind": self.kind,
            "id": self.item_id,
            "label": self.label,
            "fields": [
                {"field": f.field, "before": f.before, "after": f.after} for f in self.fields
            ],
            "text": self.describe(),
        }


@dataclass(frozen=True, slots=True)
class ProtocolDiff:
    before_version: str
    after_version: str
    changes: tuple[ItemChange, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    def by_section(self) -> list[tuple[str, str, list[ItemChange]]]:
        """(section, heading, changes) for the sections that changed, in reading order."""
        out = []
        known = [s for s, _ in SECTIONS]
        others = [c.section for c in self.changes if c.section not in (*known, "protocol")]
        for section in (*known, *dict.fromkeys(others), "protocol"):
            items = [c for c in self.changes if c.section == section]
            if items:
                out.append((section, section_noun(section), items))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "before_version": self.before_version,
            "after_version": self.after_version,
            "changes": [c.to_dict() for c in self.changes],
        }


# Top-level keys compared as settings below; any other key is a section of its own.
_SETTINGS = ("version", "name", "description", "defaults", "risk_matrix")


def section_noun(section: str) -> str:
    """What one item of a section is called; a section this module does not list (added
    to the schema later) is named from its key."""
    if section == "protocol":
        return "Setting"
    known = dict(SECTIONS).get(section)
    if known:
        return known
    words = section.replace("_", " ").strip().capitalize()
    return words[:-1] if words.endswith("s") else words


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, Mapping) for v in value)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _normal(key: str, value: Any) -> Any:
    if key in _UNORDERED and isinstance(value, list):
        try:
            return sorted(value)
        except TypeError:
            return value
    return value


def _field_changes(before: Any, after: Any, prefix: str = "") -> list[FieldChange]:
    """Leaf-level changes between two mappings; lists are compared whole."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        out: list[FieldChange] = []
        for key in [*before, *(k for k in after if k not in before)]:
            path = f"{prefix}.{key}" if prefix else str(key)
            b, a = before.get(key), after.get(key)
            if isinstance(b, Mapping) and isinstance(a, Mapping):
                out += _field_changes(b, a, path)
            elif _normal(str(key), b) != _normal(str(key), a):
                out.append(FieldChange(path, b, a))
        return out
    if before != after:
        return [FieldChange(prefix or "(value)", before, after)]
    return []


def _items(data: Mapping[str, Any], section: str) -> dict[str, Mapping[str, Any]]:
    raw = data.get(section) or []
    key = "name" if section == "examples" else "id"
    out: dict[str, Mapping[str, Any]] = {}
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        for i, item in enumerate(raw):
            if isinstance(item, Mapping):
                # An item without the key (a section added later) is known by id, name or
                # its position.
                name = item.get(key, item.get("id", item.get("name", f"#{i + 1}")))
                out.setdefault(str(name), item)
    return out


def _label(item: Mapping[str, Any]) -> str:
    for key in ("label", "text"):
        if isinstance(item.get(key), str):
            return str(item[key])
    return ""


def diff_protocols(before: Mapping[str, Any], after: Mapping[str, Any]) -> ProtocolDiff:
    """Compare two parsed protocols (the mappings ``read_yaml_text`` returns)."""
    changes: list[ItemChange] = []
    # The sections listed above, then any other top-level list of items (a section the
    # schema gained after this module was written: compared the same way, never skipped).
    listed = [s for s, _ in SECTIONS]
    extra = [
        k for k in dict.fromkeys([*before, *after])
        if isinstance(k, str) and k not in listed and k not in _SETTINGS
        and (_is_item_list(before.get(k)) or _is_item_list(after.get(k)))
        and not (before.get(k) is not None and not _is_item_list(before.get(k)))
        and not (after.get(k) is not None and not _is_item_list(after.get(k)))
    ]  # fmt: skip
    for section in (*listed, *extra):
        old, new = _items(before, section), _items(after, section)
        for item_id, item in old.items():
            if item_id not in new:
                changes.append(ItemChange(section, "removed", item_id, _label(item)))
        for item_id, item in new.items():
            if item_id not in old:
                changes.append(ItemChange(section, "added", item_id, _label(item)))
                continue
            fields = _field_changes(old[item_id], item)
            if fields:
                changes.append(ItemChange(section, "changed", item_id, _label(item), tuple(fields)))
    # Top-level settings: the name, the defaults and the risk matrix (bands by id).
    settings: list[FieldChange] = []
    others = [
        k for k in dict.fromkeys([*before, *after])
        if isinstance(k, str) and k not in listed and k not in extra and k not in _SETTINGS
    ]  # fmt: skip
    for key in ("name", "description", "defaults", *others):
        settings += _field_changes({key: before.get(key)}, {key: after.get(key)})
    old_matrix = before.get("risk_matrix") or {}
    new_matrix = after.get("risk_matrix") or {}
    if isinstance(old_matrix, Mapping) and isinstance(new_matrix, Mapping):
        for key in ("likelihood", "consequence", "rows"):
            settings += _field_changes(
                {f"risk_matrix.{key}": old_matrix.get(key)},
                {f"risk_matrix.{key}": new_matrix.get(key)},
            )
        old_bands = _items(old_matrix, "bands")
        new_bands = _items(new_matrix, "bands")
        for band_id in [*old_bands, *(b for b in new_bands if b not in old_bands)]:
            settings += _field_changes(
                old_bands.get(band_id, {}), new_bands.get(band_id, {}), f"risk band {band_id}"
            )
    if settings:
        changes.append(ItemChange("protocol", "changed", "settings", "", tuple(settings)))
    return ProtocolDiff(
        before_version=str(before.get("version", "")),
        after_version=str(after.get("version", "")),
        changes=tuple(changes),
    )
