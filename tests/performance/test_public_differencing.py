"""The differencing attack on the public dashboard (issue 10, item 7).

A member of the public can request the page, its CSV download and the JSON/CSV API. The
attack enumerates every request they can make (every period the page offers, every period
value the three accept, the old ``months=N`` links), fetches the published counts, and
subtracts every pair of tables whose populations are nested: the difference is a count of
the records in one and not the other, so any difference of 1-10 is a small count
recovered. Before the fix, ``months=N`` minus ``months=N-1`` gave the oldest month alone
(411 small counts); ``test_the_attack_recovers_small_counts_from_rolling_windows`` shows
this attack finds them when the published periods overlap, so its silence on the real
requests means something.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from performance_helpers import rows_between

from rightresponse.core.metrics.publication import published_quarters
from rightresponse.core.metrics.suppression import MIN_CELL, protect_table

pytestmark = pytest.mark.django_db

Key = tuple[str, str, str, str]  # table, metric, row, column
COUNT_TABLES = ("volume_by_category_and_area", "diverted_by_responder_and_area")


class Published:
    """What one response shows: its period and every count (None: suppressed)."""

    def __init__(self, source: str, start: date, end: date, rows: list[dict[str, str]]):
        self.source, self.start, self.end = source, start, end
        self.values: dict[Key, int | None] = {}
        self.rates: dict[tuple[str, str], str] = {}
        for r in rows:
            if r["table"] in COUNT_TABLES and r["column"] != "":  # not a note row
                key = (r["table"], r["metric_id"], r["row"], r["column"])
                self.values[key] = int(r["value"]) if r["value"] else None
            elif r["table"] == "rates":
                self.rates[(r["metric_id"], r["row"])] = r["value"]

    def days(self) -> set[date]:
        return {self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)}


def recovered(a: Published, b: Published) -> list[tuple[Key, int]]:
    """Counts of 1-10 that subtracting two nested tables reveals (a's period holds b's)."""
    if not (b.days() < a.days()):
        return []
    out = []
    for key, value in a.values.items():
        other = b.values.get(key)
        if value is not None and other is not None and 0 < value - other < MIN_CELL:
            out.append((key, value - other))
    return out


def determined(p: Published, table: str) -> list[Key]:
    """Suppressed cells of one table that its shown totals fix (linear algebra)."""
    cells = {k: v for k, v in p.values.items() if k[0] == table and "Total" not in k[2:]}
    hidden = [k for k, v in cells.items() if v is None]
    if not hidden:
        return []
    rows = sorted({k[2] for k in cells})
    cols = sorted({k[3] for k in cells})
    a = np.array(
        [[1.0 if h[2] == r else 0.0 for h in hidden] for r in rows]
        + [[1.0 if h[3] == c else 0.0 for h in hidden] for c in cols]
    )
    rank = np.linalg.matrix_rank(a)
    return [
        h
        for i, h in enumerate(hidden)
        if np.linalg.matrix_rank(np.vstack([a, np.eye(len(hidden))[i]])) == rank
    ]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _period_of_csv(response: Any) -> tuple[date, date]:
    name = re.search(r"(\d{4}-\d\d-\d\d)-(\d{4}-\d\d-\d\d)\.csv", response["Content-Disposition"])
    assert name, response["Content-Disposition"]
    return date.fromisoformat(name.group(1)), date.fromisoformat(name.group(2))


def _published(client: Any, source: str, params: dict[str, str]) -> Published | None:
    """One public request; None when it is refused (a clear 4xx, never a 500)."""
    if source == "page":
        response = client.get("/public/", params)
        if response.status_code != 200:
            assert response.status_code == 400, (params, response.status_code)
            return None
        page = response.content.decode()
        # The page shows the CSV of the same request: the link carries the period shown.
        link = re.search(r'href="/public/dashboard\.csv\?period=([^"]+)"', page)
        assert link, "the page links its own figures"
        csv_response = client.get("/public/dashboard.csv", {"period": link.group(1)})
        start, end = _period_of_csv(csv_response)
        published = Published(source, start, end, _csv_rows(csv_response.content.decode()))
        # and the page's cells are those of the CSV
        for m in re.finditer(r'<table id="(volume|diverted)".*?</table>', page, flags=re.DOTALL):
            table = COUNT_TABLES[0] if m.group(1) == "volume" else COUNT_TABLES[1]
            for cell in re.finditer(
                r'data-row="([^"]+)" data-col="([^"]+)">([^<]+|<span class="suppressed">)',
                m.group(0),
            ):
                shown = published.values[(table, _metric(table), cell.group(1), cell.group(2))]
                assert (shown is None) == ("suppressed" in cell.group(3))
                assert shown is None or str(shown) == cell.group(3)
        return published
    if source == "csv":
        response = client.get("/public/dashboard.csv", params)
        if response.status_code != 200:
            assert response.status_code == 400, (params, response.status_code)
            return None
        start, end = _period_of_csv(response)
        return Published(source, start, end, _csv_rows(response.content.decode()))
    response = client.get("/api/performance/public", {**params, "format": "json"})
    if response.status_code != 200:
        assert response.status_code in (400, 422), (params, response.status_code)
        return None
    data = response.json()
    return Published(
        source, date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), data["rows"]
    )


def _metric(table: str) -> str:
    return "call_volume" if table == COUNT_TABLES[0] else "diverted_count"


def _every_public_request(client: Any) -> list[Published]:
    page = client.get("/public/").content.decode()
    offered = re.findall(r'<option value="([^"]+)"', page)
    assert len(offered) >= 2, "the page offers its periods"
    today = timezone.localdate()
    probes: list[dict[str, str]] = [{}]
    probes += [{"period": key} for key in offered]
    probes += [{"months": str(n)} for n in range(0, 40)]  # the links of the old page
    # Values that are not published: the quarter in progress, one too old, malformed.
    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    oldest = published_quarters(today)[-1].previous().key
    probes += [
        {"period": v}
        for v in (current, oldest, "2026-Q5", "2026-Q0", "2026-07", "last-12-months", "x" * 300)
    ]
    out = []
    for params, source in itertools.product(probes, ("page", "csv", "api")):
        published = _published(client, source, params)
        if published is not None:
            out.append(published)
    return out


def test_no_two_public_requests_can_be_subtracted(client: Any, facts: dict[str, Any]) -> None:
    tables = _every_public_request(client)
    periods = {(t.start, t.end) for t in tables}
    assert len(periods) == len(published_quarters(timezone.localdate()))
    # Any two requests show the same table or tables of disjoint periods.
    by_period: dict[tuple[date, date], Published] = {}
    for t in tables:
        first = by_period.setdefault((t.start, t.end), t)
        assert t.values == first.values and t.rates == first.rates, (t.source, first.source)
    for a, b in itertools.permutations(by_period.values(), 2):
        assert a.days() == b.days() or not (a.days() & b.days()), (a.start, b.start)
    # The attack: subtract every pair of tables; nothing in 1-10 comes back.
    found = [hit for a, b in itertools.permutations(tables, 2) for hit in recovered(a, b)]
    assert found == []
    # No hidden cell follows from its own table's totals, and there are hidden cells.
    hidden = 0
    for t in by_period.values():
        for table in COUNT_TABLES:
            assert determined(t, table) == []
        hidden += sum(1 for v in t.values.values() if v is None)
        assert all(v is None or v == 0 or v >= MIN_CELL for v in t.values.values())
    assert hidden > 0, "the fixture must produce small cells, or this proves nothing"


def test_the_attack_recovers_small_counts_from_rolling_windows(
    facts: dict[str, Any],
) -> None:
    """The attack above, run on what the old page published (the last N months, each table
    protected on its own): it finds small counts, so it is able to."""
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    windows = []
    for n in (2, 3):
        first = last.replace(day=1)
        for _ in range(n - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        incidents = rows_between(facts["incidents"], first, last)
        counts: dict[tuple[str, str], int] = {}
        for r in incidents:
            counts[(r["category"], r["area"])] = counts.get((r["category"], r["area"]), 0) + 1
        table = protect_table(
            counts, sorted({k[0] for k in counts}), sorted({k[1] for k in counts})
        )
        rows = [
            {
                "table": COUNT_TABLES[0],
                "metric_id": "call_volume",
                "row": row,
                "column": col,
                "value": "" if v is None else str(v),
            }
            for (row, col), v in table.cells.items()
        ] + [
            {
                "table": COUNT_TABLES[0],
                "metric_id": "call_volume",
                "row": row,
                "column": "Total",
                "value": str(v),
            }
            for row, v in table.row_totals.items()
        ]
        windows.append(Published("old", first, last, rows))
    assert recovered(windows[1], windows[0]), "rolling windows leak"
