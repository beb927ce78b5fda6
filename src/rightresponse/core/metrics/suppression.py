"""Small-cell protection for what the public sees.

Threat model: a reader knows every number shown (cells, row and column totals, the grand
total), that counts are non-negative whole numbers and which cells are hidden. Nothing
hidden may follow from that.

1. Recoding: a row or column whose total is under the threshold is merged into
   "Other", so every total can be shown (a small total would itself reveal a small count).
2. Primary suppression: an interior cell with 1-10 events is hidden (0 is shown: it
   identifies nobody).
3. Secondary suppression: while any hidden cell is fixed by the linear system of shown
   totals (its unit vector lies in the row space of the constraint matrix), hide one
   more cell next to it, preferring a cell that closes a rectangle of hidden cells.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_CELL = 11
OTHER = "Other"

Cell = tuple[str, str]


@dataclass
class ProtectedTable:
    rows: list[str]
    cols: list[str]
    cells: dict[Cell, int | None]  # None: suppressed
    row_totals: dict[str, int]
    col_totals: dict[str, int]
    total: int
    merged_rows: list[str] = field(default_factory=list)
    merged_cols: list[str] = field(default_factory=list)
    too_few: bool = False

    @property
    def suppressed(self) -> list[Cell]:
        return [cell for cell, value in self.cells.items() if value is None]


def collapse_small(
    counts: Mapping[str, int], threshold: int = MIN_CELL
) -> tuple[dict[str, int], list[str]]:
    """Merge groups under ``threshold`` into "Other" (growing it with the next smallest
    group until it reaches the threshold). Returns the counts shown and the merged names.
    If the whole is under the threshold nothing is shown."""
    if sum(counts.values()) < threshold:
        return {}, sorted(counts)
    shown = dict(counts)
    merged = sorted(name for name, n in counts.items() if 0 < n < threshold)
    if not merged:
        return shown, []
    for name in merged:
        del shown[name]
    other = sum(counts[name] for name in merged)
    while other < threshold and shown:
        smallest = min(shown, key=lambda name: (shown[name], name))
        other += shown.pop(smallest)
        merged.append(smallest)
    shown[OTHER] = shown.get(OTHER, 0) + other
    return shown, sorted(merged)


def _determined(suppressed: Sequence[Cell], rows: Sequence[str], cols: Sequence[str]) -> list[Cell]:
    """Hidden cells whose value the shown totals fix (linear algebra, no bounds)."""
    if not suppressed:
        return []
    index = {cell: i for i, cell in enumerate(suppressed)}
    equations = []
    for r in rows:
        equations.append([1.0 if cell[0] == r else 0.0 for cell in suppressed])
    for c in cols:
        equations.append([1.0 if cell[1] == c else 0.0 for cell in suppressed])
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    fixed = []
    for cell, i in index.items():
        unit = np.zeros(len(suppressed))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            fixed.append(cell)
    return fixed


def _lonely_line(fixed: Sequence[Cell], hidden: set[Cell]) -> tuple[str, str, int]:
    """A fixed cell and the line on which it is the only hidden cell (1: its row, 0: its
    column). A fixed cell alone on no line bridges two protected groups: use its row."""
    for r, c in fixed:
        if sum(1 for cell in hidden if cell[0] == r) == 1:
            return r, c, 1
        if sum(1 for cell in hidden if cell[1] == c) == 1:
            return r, c, 0
    return fixed[0][0], fixed[0][1], 1


def determined_cells(table: ProtectedTable) -> list[Cell]:
    return _determined(table.suppressed, table.rows, table.cols)


def protect_table(
    counts: Mapping[Cell, int],
    rows: Sequence[str],
    cols: Sequence[str],
    threshold: int = MIN_CELL,
) -> ProtectedTable:
    """A two-way table of counts made safe to publish (see the module docstring)."""
    row_sums = {r: sum(counts.get((r, c), 0) for c in cols) for r in rows}
    col_sums = {c: sum(counts.get((r, c), 0) for r in rows) for c in cols}
    total = sum(row_sums.values())
    if total < threshold:
        return ProtectedTable([], [], {}, {}, {}, 0, list(rows), list(cols), too_few=True)
    shown_rows, merged_rows = collapse_small(row_sums, threshold)
    shown_cols, merged_cols = collapse_small(col_sums, threshold)
    row_of = {r: (OTHER if r in merged_rows else r) for r in rows}
    col_of = {c: (OTHER if c in merged_cols else c) for c in cols}
    out_rows = [r for r in rows if r in shown_rows] + ([OTHER] if merged_rows else [])
    out_cols = [c for c in cols if c in shown_cols] + ([OTHER] if merged_cols else [])
    out_rows = [r for r in out_rows if shown_rows.get(r, 0) > 0]
    out_cols = [c for c in out_cols if shown_cols.get(c, 0) > 0]
    values: dict[Cell, int] = {(r, c): 0 for r in out_rows for c in out_cols}
    for (r, c), n in counts.items():
        key = (row_of[r], col_of[c])
        if key in values:
            values[key] += n
    hidden = {cell for cell, n in values.items() if 0 < n < threshold}
    # Secondary suppression: more cells until no hidden cell is fixed by the totals.
    while True:
        fixed = _determined(sorted(hidden), out_rows, out_cols)
        if not fixed:
            break
        r, c, line_of = _lonely_line(fixed, hidden)
        if line_of == 1:  # a partner on row r
            candidates = [cell for cell in values if cell[0] == r and cell not in hidden]
            partner_lines = {cell[1] for cell in hidden}
        else:  # a partner on column c
            candidates = [cell for cell in values if cell[1] == c and cell not in hidden]
            partner_lines = {cell[0] for cell in hidden}
        if not candidates:  # nothing left on that line: hide the whole table's interior
            hidden |= set(values)
            break
        # Prefer a cell on a line that already holds a hidden cell (closing a rectangle),
        # then the smallest non-zero count (hide as little as possible).
        candidates.sort(
            key=lambda cell: (cell[line_of] not in partner_lines, values[cell] == 0, values[cell])
        )
        hidden.add(candidates[0])
    return ProtectedTable(
        rows=out_rows,
        cols=out_cols,
        cells={cell: (None if cell in hidden else n) for cell, n in values.items()},
        row_totals={r: shown_rows[r] for r in out_rows},
        col_totals={c: shown_cols[c] for c in out_cols},
        total=total,
        merged_rows=merged_rows,
        merged_cols=merged_cols,
    )


def safe_share(numerator: int, denominator: int, threshold: int = MIN_CELL) -> bool:
    """A published percentage with its denominator shown reveals the numerator, so both it
    and the remainder must reach the threshold."""
    return numerator >= threshold and denominator - numerator >= threshold
