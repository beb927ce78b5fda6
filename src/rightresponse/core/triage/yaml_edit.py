"""Change one scalar of one item in a protocol's YAML text, keeping everything else.

The studio's section forms (tier of a rule, starting tier of a call type) edit the text
line by line rather than re-emitting the YAML, because a city's protocol carries comments
that cite the report line behind each rule; a re-dump would drop them all.
"""

from __future__ import annotations

import re


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
