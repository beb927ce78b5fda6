"""Frame.from_columns: the column path the dashboards use gives the same frame as the
row path, takes times as datetimes or POSIX seconds, and names the field it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from rightresponse.core.metrics import Frame, synthetic

FIELDS = ["received_at", "on_scene_at", "category", "final_tier", "escalated", "outcome"]


def test_columns_with_seconds_give_the_frame_the_rows_give() -> None:
    end = datetime(2026, 1, 1, tzinfo=UTC)
    rows = synthetic.incidents(500, end - timedelta(days=30), end, seed=3)
    columns = {name: [row.get(name) for row in rows] for name in FIELDS}
    for name in ("received_at", "on_scene_at"):
        columns[name] = [None if v is None else v.timestamp() for v in columns[name]]
    by_rows = Frame.from_rows("incidents", rows, FIELDS)
    by_columns = Frame.from_columns("incidents", columns, len(rows), FIELDS)
    assert by_rows.labels == by_columns.labels
    for name in ("received_at", "on_scene_at"):
        np.testing.assert_array_equal(by_rows.times[name], by_columns.times[name])
    assert np.isnan(by_columns.times["on_scene_at"]).any()  # open incidents stay null
    np.testing.assert_array_equal(by_rows.flags["escalated"], by_columns.flags["escalated"])
    np.testing.assert_array_equal(by_rows.numbers["final_tier"], by_columns.numbers["final_tier"])


def test_a_missing_column_reads_as_null_and_bad_columns_are_named() -> None:
    frame = Frame.from_columns("incidents", {"received_at": [1.0, 2.0]}, 2, ["received_at", "area"])
    assert frame.labels["area"] == [None]
    with pytest.raises(TypeError, match=r"incidents\.received_at"):
        Frame.from_columns("incidents", {"received_at": ["yesterday"]}, 1, ["received_at"])
    with pytest.raises(ValueError, match=r"incidents\.area: 1 values for 2 rows"):
        Frame.from_columns("incidents", {"area": ["P1"]}, 2, ["area"])
