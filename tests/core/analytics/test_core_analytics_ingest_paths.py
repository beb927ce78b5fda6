"""The import's fast paths give what the general ones give (docs/analytics.md, speed).

A time column is cast by Arrow only when every value has the common layout and Arrow
accepts them all; otherwise DuckDB's expression reads it. Keys in increasing order skip
the duplicate grouping. UTC offsets come from segments of constant offset."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core_analytics_paths import profile

from rightresponse.core.analytics.ingest import read_calls

HEADER = (
    "call_id,received,dispatched,enroute,arrived,cleared,initial_type,final_type,priority,"
    "disposition,channel,precinct,beat,latitude,longitude,units\n"
)


def _row(call_id: str, received: str, dispatched: str = "", cleared: str = "") -> str:
    return f"{call_id},{received},{dispatched},,,{cleared},A,B,1,X,911,N,N1,47.6,-122.3,1\n"


def _read(tmp_path: Path, name: str, rows: list[str]):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return read_calls(path, profile("rightresponse-synthetic"))


def test_a_time_arrow_refuses_sends_the_column_to_duckdb_with_the_same_values(
    tmp_path: Path,
) -> None:
    rows = [
        _row("1", "2025-03-01 10:00:00", "2025-03-01 10:05:00"),
        _row("2", "2025-07-01 23:50:00", "2025-07-01 23:59:59"),
    ]
    fast = _read(tmp_path, "fast.csv", rows)
    # DuckDB reads 24:00:00 as the next midnight; Arrow refuses it, so the whole column
    # goes through DuckDB, which must give the first two rows the values Arrow gave.
    slow = _read(
        tmp_path, "slow.csv", [*rows, _row("3", "2025-07-01 23:00:00", "2025-07-01 24:00:00")]
    )
    fast_rows, slow_rows = fast.table.to_pylist(), slow.table.to_pylist()
    for a, b in zip(fast_rows, slow_rows[:2], strict=True):
        assert {k: v for k, v in a.items() if k != "source_file"} == {
            k: v for k, v in b.items() if k != "source_file"
        }
    assert fast_rows[0]["dispatched_at"] == datetime(2025, 3, 1, 18, 5)  # PST, UTC-8
    assert fast_rows[1]["dispatched_at"] == datetime(2025, 7, 2, 6, 59, 59)  # PDT, UTC-7
    assert slow_rows[2]["dispatched_at"] == datetime(2025, 7, 2, 7, 0)
    assert fast.rejects == [] and slow.rejects == []


def test_skipped_and_repeated_hours_are_converted_as_the_zone_database_says(
    tmp_path: Path,
) -> None:
    result = _read(
        tmp_path,
        "dst.csv",
        [
            # 01:30 on 2 Nov 2025 happens twice in Los Angeles: received takes the first
            # (PDT); a dispatch at 01:10 would be before it, so it is the second (PST).
            _row("1", "2025-11-02 01:30:00", "2025-11-02 01:10:00", "2025-11-02 02:10:00"),
            # 02:30 on 9 Mar 2025 does not exist: the offset before the change (PST).
            _row("2", "2025-03-09 02:30:00", "2025-03-09 03:10:00"),
            _row("3", "2025-03-09 01:59:00", "2025-03-09 03:00:00"),
        ],
    )
    rows = {r["call_id"]: r for r in result.table.to_pylist()}
    assert rows["1"]["received_at"] == datetime(2025, 11, 2, 8, 30)
    assert rows["1"]["received_local"] == datetime(2025, 11, 2, 1, 30)
    assert rows["1"]["dispatched_at"] == datetime(2025, 11, 2, 9, 10)
    assert rows["1"]["cleared_at"] == datetime(2025, 11, 2, 10, 10)
    assert rows["2"]["received_at"] == datetime(2025, 3, 9, 10, 30)
    assert rows["2"]["dispatched_at"] == datetime(2025, 3, 9, 10, 10)  # 03:10 PDT
    assert rows["3"]["received_at"] == datetime(2025, 3, 9, 9, 59)
    assert rows["3"]["dispatched_at"] == datetime(2025, 3, 9, 10, 0)
    # Call 2's dispatch (10:10 UTC) is before its received time (10:30 UTC): counted.
    negative = [r for r in result.rejects if "negative interval" in r.reason]
    assert [(r.line, r.column) for r in negative] == [(3, "dispatched")]


def test_duplicates_are_found_whether_or_not_the_keys_are_in_order(tmp_path: Path) -> None:
    ordered = _read(
        tmp_path, "ordered.csv", [_row(str(i), "2025-03-01 10:00:00") for i in (1, 2, 3)]
    )
    assert ordered.table.num_rows == 3 and ordered.rejects == []
    unordered = _read(
        tmp_path,
        "unordered.csv",
        [_row(i, "2025-03-01 10:00:00") for i in ("1", "3", "2", "3", "3")],
    )
    assert unordered.table["call_id"].to_pylist() == ["1", "2", "3"]
    assert unordered.table["record"].to_pylist() == [1, 3, 5]
    dupes = [(r.line, r.reason) for r in unordered.rejects]
    assert dupes == [
        (3, "duplicate call id (the later version on line 6 is kept)"),
        (5, "duplicate call id (the later version on line 6 is kept)"),
    ]


def test_a_quoted_newline_where_arrow_splits_the_file_is_read_right(tmp_path: Path) -> None:
    """The first read splits the file at any newline, every 4 MiB: a value whose newline
    falls just there garbles that read; the check (one record per line) sends the file
    to the quote-aware read, which keeps the record whole."""
    block = 1 << 22
    lines = [HEADER]
    size = len(HEADER)
    i = 0
    while size < block - 300:
        lines.append(_row(str(1000000 + i), "2025-03-01 10:00:00"))
        size += len(lines[-1])
        i += 1
    head = f'{2000000},2025-03-01 10:00:00,,,,,"A'
    pad = "x" * (block - size - len(head) - 1)
    lines.append(f'{head}{pad}\nsecond line of the same value",B,1,X,911,N,N1,47.6,-122.3,1\n')
    assert size + len(head) + len(pad) == block - 1  # its newline is the block's last byte
    lines.append(_row("3000000", "2025-03-01 11:00:00"))
    path = tmp_path / "boundary.csv"
    path.write_text("".join(lines), encoding="utf-8")
    p = profile("rightresponse-synthetic")
    result = read_calls(path, p)
    assert result.rejects == []
    assert result.table.num_rows == i + 2
    row = result.table.slice(i, 1).to_pylist()[0]
    assert row["call_id"] == "2000000"
    assert row["initial_type"] == "A" + pad + "\nsecond line of the same value"
    assert result.table["call_id"].to_pylist()[-1] == "3000000"
