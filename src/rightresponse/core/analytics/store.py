"""Imported calls stored as Parquet, one folder per dataset; re-imports add only new calls.

Layout: ``<root>/<dataset>/calls/part-<file sha256[:16]>.parquet``. A call is identified
by its ``call_key`` (the profile's key: call id, or agency and call id) within the
dataset, so importing the same file twice, or an overlapping later export, adds nothing
that is already there.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa

ROW_GROUP_ROWS = 122_880


def calls_dir(root: Path, dataset: str) -> Path:
    return root / dataset / "calls"


def parts(root: Path, dataset: str) -> list[Path]:
    folder = calls_dir(root, dataset)
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def store_append(root: Path, dataset: str, table: pa.Table, sha256: str) -> int:
    """Write the calls of ``table`` not yet stored; returns how many were added."""
    folder = calls_dir(root, dataset)
    folder.mkdir(parents=True, exist_ok=True)
    existing = parts(root, dataset)
    con = duckdb.connect()
    try:
        con.register("incoming", table)
        if existing:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in existing)
            new = con.execute(
                "SELECT * FROM incoming WHERE call_key NOT IN "
                f"(SELECT call_key FROM read_parquet([{files}]))"
            ).fetch_arrow_table()
        else:
            new = table
    finally:
        con.close()
    if new.num_rows == 0:
        return 0
    target = folder / f"part-{sha256[:16]}.parquet"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"part-{sha256[:16]}-{n}.parquet"
    tmp = target.with_suffix(".tmp")
    import pyarrow.parquet as pq  # only imports write Parquet (analyses read it with DuckDB)

    # Row groups of DuckDB's size: each is a unit of parallel scanning (one group of a
    # million rows would be read by one thread).
    # Dictionary encoding only for text: times and coordinates are nearly all distinct,
    # so their dictionaries were written, then abandoned, then decoded on every read.
    # LZ4 rather than zstd: files 40 % larger, but read faster by every analysis.
    text = [f.name for f in new.schema if pa.types.is_string(f.type)]
    pq.write_table(new, tmp, compression="lz4", row_group_size=ROW_GROUP_ROWS, use_dictionary=text)
    tmp.replace(target)  # atomic: a crash never leaves half a part
    return int(new.num_rows)


def open_calls(root: Path, dataset: str, backend: ibis.BaseBackend | None = None) -> ir.Table:
    """The dataset's calls as an Ibis table on ``backend`` (DuckDB by default)."""
    files = parts(root, dataset)
    if not files:
        raise FileNotFoundError(f"no imported calls for dataset {dataset!r} under {root}")
    # Every analysis orders what it reports itself, so DuckDB need not keep the order of
    # rows in between (its ordered result collection costs a sixth of the enriched table).
    con = backend or ibis.duckdb.connect(preserve_insertion_order=False)
    table: ir.Table = con.read_parquet([str(p) for p in files])
    return table
