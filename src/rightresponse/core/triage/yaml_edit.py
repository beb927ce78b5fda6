"""Change one scalar of one item in a protocol's YAML text, keeping everything else.

The studio's section forms (tier of a rule, starting tier of a call type) edit the text
line by line rather than re-emitting the YAML, because a city's protocol carries comments
that cite the report line behind each rule; a re-dump would drop them all. The forms of
the other sections (``set_fields``) edit any field through ruamel.yaml's round trip,
which keeps comments, quotes and order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

# Round-trip YAML (comments kept) for the forms of every section; see set_fields.
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString


class EditError(ValueError):
    """The text is not laid out so the edit can be made (say where, and to use the YAML view)."""


def set_item_scalar(text: str, section: str, item_id: str, key: str, value: str) -> str:
    """``text`` with ``<section>[id=item_id].<key>`` set to ``value`` (a YAML scalar as
    written, e.g. ``3`` or ``"a reason"``). Items must be block mappings (``- id: x``)."""
    lines = text.splitlines(keepends=True)
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"^{re.escape(section)}:\s*(#.*)?$", line)),
        None,
    )
    if start is None:
        raise EditError(f"no top-level section {section!r} in block style")
    item_re = re.compile(rf"""^(?P<indent>[ ]*)- id:[ ]*(["']?){re.escape(item_id)}\2[ ]*(#.*)?$""")
    item_at = indent = None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line.startswith((" ", "#", "\n")):
            break  # the next top-level key: the section ended
        m = item_re.match(line.rstrip("\n"))
        if m:
            item_at, indent = i, len(m["indent"])
            break
    if item_at is None or indent is None:
        raise EditError(f"{section}: no item with id {item_id!r} written as '- id: {item_id}'")
    key_indent = " " * (indent + 2)
    key_re = re.compile(
        rf"^{key_indent}{re.escape(key)}:[ ]*(?P<value>[^#\n]*?)(?P<rest>[ ]*#.*)?$"
    )
    end = len(lines)
    for i in range(item_at + 1, len(lines)):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if len(line) - len(line.lstrip(" ")) <= indent:
            end = i
            break
    for i in range(item_at + 1, end):
        m = key_re.match(lines[i].rstrip("\n"))
        if m:
            newline = "\n" if lines[i].endswith("\n") else ""
            lines[i] = f"{key_indent}{key}: {value}{m['rest'] or ''}{newline}"
            return "".join(lines)
    # Not there yet: add it after the id line.
    lines.insert(item_at + 1, f"{key_indent}{key}: {value}\n")
    return "".join(lines)


DELETE = object()  # a value meaning "remove this key" (a form field emptied)


def _round_trip() -> Any:
    """ruamel.yaml in round-trip mode, laid out as the protocol files are (2-space maps,
    lists indented under their key): a load and dump of protocols/default.yaml gives the
    same bytes, comments included."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# Text another YAML 1.1 reader would take for a boolean or a base-60 number: quoted.
_AMBIGUOUS = re.compile(r"(?i:yes|no|y|n|on|off)|[0-9]{1,2}:[0-9]{2}")


def _flow(value: Any) -> Any:
    """Lists and mappings typed in a form field are written in flow style (``[a, b]``,
    ``{weapon: "no"}``), as the protocol files write them; answers and times in quotes."""
    if isinstance(value, str) and _AMBIGUOUS.fullmatch(value):
        return DoubleQuotedScalarString(value)
    if isinstance(value, dict):
        out = CommentedMap((k, _flow(v)) for k, v in value.items())
        out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_flow(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    return value


def set_fields(text: str, edits: Sequence[tuple[str, int | None, str, Any]]) -> str:
    """``text`` with each ``(section, index, key, value)`` applied: ``section[index].key``
    (``index`` None for a mapping section such as ``risk_matrix``) set to ``value``, or
    removed when ``value`` is DELETE. Comments and the layout of everything else stay."""
    yaml, data = _load_sections(text)
    for section, index, key, value in edits:
        target = data.get(section)
        where = section
        if index is not None:
            if not isinstance(target, list) or not 0 <= index < len(target):
                raise EditError(f"{section}: no item {index}")
            target, where = target[index], f"{section}[{index}]"
        if not isinstance(target, dict):
            raise EditError(f"{where} is not a mapping: edit it in the YAML view")
        old = target.get(key)
        if value is DELETE:
            target.pop(key, None)
        elif isinstance(old, CommentedSeq) and isinstance(value, list):
            # Changed in place: a comment after the list belongs to the old object.
            old[:] = [_flow(v) for v in value]
        elif isinstance(old, CommentedMap) and isinstance(value, dict):
            for k in [k for k in old if k not in value]:
                del old[k]
            for k, v in value.items():
                old[k] = _flow(v)
        else:
            target[key] = _flow(value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _load_sections(text: str) -> tuple[Any, Any]:
    yaml = _round_trip()
    try:
        data = yaml.load(text)
    except YAMLError as exc:
        raise EditError(f"the text does not parse as YAML: {exc}") from None
    if not isinstance(data, dict):
        raise EditError("the text is not a mapping of sections")
    return yaml, data


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def add_item(text: str, section: str, item: dict[str, Any]) -> str:
    """``text`` with ``item`` appended to the list ``section`` (made when absent): a block
    mapping whose lists and mappings are in flow style, as the protocol files write items.
    Comments and everything else stay."""
    yaml, data = _load_sections(text)
    target = data.get(section)
    if target is None:
        target = data[section] = CommentedSeq()
    if not isinstance(target, list):
        raise EditError(f"{section} is not a list: edit it in the YAML view")
    target.append(CommentedMap((k, _flow(v)) for k, v in item.items()))
    return _dump(yaml, data)


def remove_item(text: str, section: str, index: int) -> str:
    """``text`` without ``section[index]``. What referred to it is left as it is: the
    loader then names every broken reference at its place (the studio shows it there)."""
    yaml, data = _load_sections(text)
    target = data.get(section)
    if not isinstance(target, list) or not 0 <= index < len(target):
        raise EditError(f"{section}: no item {index}")
    del target[index]
    return _dump(yaml, data)
