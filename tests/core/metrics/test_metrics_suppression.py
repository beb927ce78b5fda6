"""Small-cell protection: nothing hidden can be worked out from what is shown.

The check is independent of the implementation: for every hidden cell it (1) solves the
linear system of shown totals and finds the cell is not fixed by it, and (2) builds a
second table of non-negative whole numbers, consistent with every shown number, in
which that cell has a different value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rightresponse.core.metrics.suppression import (
    MIN_CELL,
    OTHER,
    ProtectedTable,
    collapse_small,
    protect_table,
    safe_share,
)

Cell = tuple[str, str]


def fixed_by_totals(table: ProtectedTable, cell: Cell) -> bool:
    hidden = table.suppressed
    rows = [[1.0 if h[0] == r else 0.0 for h in hidden] for r in table.rows]
    cols = [[1.0 if h[1] == c else 0.0 for h in hidden] for c in table.cols]
    a = np.array(rows + cols)
    unit = np.array([[1.0 if h == cell else 0.0 for h in hidden]])
    return bool(np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a))


def alternative_value(table: ProtectedTable, truth: Mapping[Cell, int], cell: Cell) -> bool:
    """Is there another non-negative integer table matching every shown number in which
    ``cell`` differs? Look for a cycle of hidden cells through it (alternating +1/-1
    keeps every row and column total) that keeps all values >= 0."""
    hidden = set(table.suppressed)
    r0, c0 = cell

    def paths(node: tuple[str, str], target: str, seen: set[Cell], path: list[Cell]):  # type: ignore[no-untyped-def]
        kind, name = node
        for h in hidden - seen:
            if (kind == "col" and h[1] == name) or (kind == "row" and h[0] == name):
                nxt = ("row", h[0]) if kind == "col" else ("col", h[1])
                if nxt == ("row", target):
                    yield [*path, h]
                elif len(path) < 8:
                    yield from paths(nxt, target, seen | {h}, [*path, h])

    for path in paths(("col", c0), r0, {cell}, []):
        cycle = [cell, *path]  # alternating signs around the cycle
        for t in (1, -1):
            moved = {h: truth[h] + (t if i % 2 == 0 else -t) for i, h in enumerate(cycle)}
            if all(v >= 0 for v in moved.values()):
                return True
    return False


def assert_protected(table: ProtectedTable, truth: Mapping[Cell, int]) -> None:
    for (_r, _c), value in table.cells.items():
        assert value is None or value == 0 or value >= MIN_CELL
    for total in [*table.row_totals.values(), *table.col_totals.values()]:
        assert total >= MIN_CELL
    for cell in table.suppressed:
        assert not fixed_by_totals(table, cell), cell
        assert alternative_value(table, truth, cell), cell


def recoded(table: ProtectedTable, counts: Mapping[Cell, int]) -> dict[Cell, int]:
    truth: dict[Cell, int] = {cell: 0 for cell in table.cells}
    for (r, c), n in counts.items():
        key = (OTHER if r in table.merged_rows else r, OTHER if c in table.merged_cols else c)
        if key in truth:
            truth[key] += n
    return truth


def test_a_lone_small_cell_gets_a_rectangle_of_partners() -> None:
    counts = {
        ("a", "x"): 5, ("a", "y"): 30, ("a", "z"): 40,
        ("b", "x"): 20, ("b", "y"): 25, ("b", "z"): 50,
        ("c", "x"): 60, ("c", "y"): 70, ("c", "z"): 80,
    }  # fmt: skip
    table = protect_table(counts, ["a", "b", "c"], ["x", "y", "z"])
    assert table.cells[("a", "x")] is None
    assert len(table.suppressed) == 4  # the smallest rectangle: (a,x) (a,y) (b,x) (b,y)
    assert set(table.suppressed) == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    assert table.row_totals["a"] == 75
    assert_protected(table, counts)


def test_small_totals_are_merged_into_other() -> None:
    shown, merged = collapse_small({"a": 50, "b": 4, "c": 3, "d": 12})
    assert merged == ["b", "c", "d"]  # b + c = 7 < 11, so the next smallest joins
    assert shown == {"a": 50, OTHER: 19}
    assert collapse_small({"a": 5, "b": 4}) == ({}, ["a", "b"])


def test_too_few_events_shows_nothing() -> None:
    table = protect_table({("a", "x"): 4, ("b", "y"): 3}, ["a", "b"], ["x", "y"])
    assert table.too_few and table.cells == {}


def test_percentages_need_both_parts_above_the_threshold() -> None:
    assert safe_share(11, 22)
    assert not safe_share(10, 500)
    assert not safe_share(495, 500)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(2, 5),
    st.lists(st.integers(0, 45), min_size=25, max_size=25),
)
def test_no_hidden_value_can_be_recovered(n_rows: int, n_cols: int, values: list[int]) -> None:
    rows = [f"r{i}" for i in range(n_rows)]
    cols = [f"c{j}" for j in range(n_cols)]
    counts = {(r, c): values[i * 5 + j] for i, r in enumerate(rows) for j, c in enumerate(cols)}
    table = protect_table(counts, rows, cols)
    if table.too_few:
        return
    truth = recoded(table, counts)
    assert sum(truth.values()) == table.total
    for r in table.rows:
        assert sum(truth[(r, c)] for c in table.cols) == table.row_totals[r]
    assert_protected(table, truth)
