"""The public dashboard: no login, aggregates only, no personal data, and no suppressed
count can be recovered from what the page and its CSV download show.

The recovery check is independent of the suppression code: from the downloaded CSV it
rebuilds each table (shown cells, row and column totals, grand total), then for every
suppressed cell (1) solves the linear system of the shown numbers and finds that the cell
is not determined, and (2) exhibits a second table of non-negative whole numbers that
matches every shown number but gives the cell another value.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from performance_helpers import rows_between

pytestmark = pytest.mark.django_db
Cell = tuple[str, str]


def _download(client: Any) -> list[dict[str, str]]:
    response = client.get(reverse("public:csv"))  # the latest published quarter
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _table(
    rows: list[dict[str, str]], name: str
) -> tuple[dict[Cell, int | None], dict[str, int], dict[str, int], list[str]]:
    cells: dict[Cell, int | None] = {}
    row_totals: dict[str, int] = {}
    col_totals: dict[str, int] = {}
    merged: list[str] = []
    for r in rows:
        if r["table"] != name:
            continue
        if r["row"] == "Other" and r["column"] == "":
            merged = r["note"].split(": ", 1)[1].split(", ")
        elif r["column"] == "Total" and r["row"] != "Total":
            row_totals[r["row"]] = int(r["value"])
        elif r["row"] == "Total" and r["column"] != "Total":
            col_totals[r["column"]] = int(r["value"])
        elif r["row"] != "Total":
            cells[(r["row"], r["column"])] = int(r["value"]) if r["value"] else None
    return cells, row_totals, col_totals, merged


def _determined(
    cells: dict[Cell, int | None], rows: list[str], cols: list[str], cell: Cell
) -> bool:
    hidden = [c for c, v in cells.items() if v is None]
    a = np.array(
        [[1.0 if h[0] == r else 0.0 for h in hidden] for r in rows]
        + [[1.0 if h[1] == c else 0.0 for h in hidden] for c in cols]
    )
    unit = np.array([[1.0 if h == cell else 0.0 for h in hidden]])
    return bool(np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a))


def _another_table(hidden: set[Cell], truth: dict[Cell, int], cell: Cell) -> bool:
    def walk(at: tuple[str, str], goal: str, used: set[Cell], path: list[Cell]):  # type: ignore[no-untyped-def]
        kind, name = at
        for h in hidden - used:
            if (h[1] if kind == "col" else h[0]) == name:
                nxt = ("row", h[0]) if kind == "col" else ("col", h[1])
                if nxt == ("row", goal):
                    yield [*path, h]
                elif len(path) < 8:
                    yield from walk(nxt, goal, used | {h}, [*path, h])

    for path in walk(("col", cell[1]), cell[0], {cell}, []):
        cycle = [cell, *path]
        for t in (1, -1):
            if all(truth[h] + (t if i % 2 == 0 else -t) >= 0 for i, h in enumerate(cycle)):
                return True
    return False


def _truth(
    incidents: list[dict[str, Any]],
    row_field: str,
    merged: list[str],
    cells: dict[Cell, int | None],
) -> dict[Cell, int]:
    count: Counter[Cell] = Counter()
    for r in incidents:
        row = "Other" if r[row_field] in merged else r[row_field]
        col = "Other" if r["area"] in merged else r["area"]
        count[(row, col)] += 1
    return {c: count[c] for c in cells}


def _public_period() -> tuple[date, date]:
    """The latest calendar quarter that has ended: what the page shows by default."""
    today = timezone.localdate()
    first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first - timedelta(days=1)
    return date(last.year, last.month - 2, 1), last


@pytest.mark.parametrize(
    ("table", "row_field", "population"),
    [
        ("volume_by_category_and_area", "category", lambda r: True),
        ("diverted_by_responder_and_area", "responder_type", lambda r: r["final_tier"] <= 2),
    ],
)
def test_no_suppressed_value_can_be_recovered(
    client: Any, facts: dict[str, Any], table: str, row_field: str, population: Any
) -> None:
    rows = _download(client)
    cells, row_totals, col_totals, merged = _table(rows, table)
    hidden = {c for c, v in cells.items() if v is None}
    assert hidden, "the fixture must produce small cells, or this test proves nothing"
    for value in cells.values():
        assert value is None or value == 0 or value >= 11
    for total in [*row_totals.values(), *col_totals.values()]:
        assert total >= 11
    start, end = _public_period()
    incidents = [r for r in rows_between(facts["incidents"], start, end) if population(r)]
    truth = _truth(incidents, row_field, merged, cells)
    # The shown numbers are true, and they are all a reader has.
    for (r, c), value in cells.items():
        assert value is None or value == truth[(r, c)]
    for r, total in row_totals.items():
        assert total == sum(truth[(r, c)] for c in col_totals)
    for cell in hidden:
        assert not _determined(cells, list(row_totals), list(col_totals), cell), cell
        assert _another_table(hidden, truth, cell), cell


def test_page_shows_the_same_numbers_as_the_download(client: Any, facts: dict[str, Any]) -> None:
    rows = _download(client)
    cells, _, _, _ = _table(rows, "volume_by_category_and_area")
    page = client.get(reverse("public:dashboard")).content.decode()
    shown = dict(
        ((m.group(1), m.group(2)), m.group(3))
        for m in re.finditer(
            r'data-row="([^"]+)" data-col="([^"]+)">([^<]+|<span class="suppressed">suppressed)',
            page,
        )
    )
    for (r, c), value in cells.items():
        html = shown[(r, c)]
        assert (value is None and "suppressed" in html) or html == str(value)


def test_public_dashboard_needs_no_login_and_shows_no_personal_data(
    client: Any, facts: dict[str, Any]
) -> None:
    response = client.get(reverse("public:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    download = client.get(reverse("public:csv")).content.decode()
    for text in (page, download):
        assert "caller-" not in text and "loc-" not in text  # caller and location keys
        assert "incident_id" not in text
    assert "What each measure means" in page
    assert "Figures as CSV (spreadsheet)" in page
    # every metric on the page is explained in plain language
    for metric_id in re.findall(r'href="#explain-([a-z0-9_]+)"', page):
        assert f'id="explain-{metric_id}"' in page


def test_small_rates_are_suppressed(client: Any, facts: dict[str, Any]) -> None:
    rows = [r for r in _download(client) if r["table"] == "rates"]
    assert any(r["note"].startswith("suppressed") for r in rows)
    for r in rows:
        assert (r["value"] == "") == (r["note"] != "")


def test_without_records_the_public_sees_not_yet_measured(client: Any, no_facts: None) -> None:
    page = client.get(reverse("public:dashboard")).content.decode()
    assert "Not yet measured" in page
