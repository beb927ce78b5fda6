"""Imported calls stored as Parquet, one folder per dataset; re-imports add only new calls.

Layout: ``<root>/<dataset>/calls/part-<sequence>-<file sha256[:16]>.parquet``. A call is
identified by its ``call_key`` (the profile's key: call id, or agency and call id) within
the dataset, so importing the same file twice, or an overlapping later export, adds
nothing that is already there. A call that a later import brings *changed* (a later
version of the record: a final type, a clear time added) is written again, and the
latest version wins: the reader keeps, per call, the row of the latest part.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:  # Ibis is imported only to read (an import need not pay its 0.2 s CPU)
    import ibis
    import ibis.expr.types as ir

ROW_GROUP_ROWS = 122_880
# Written beside the parts once a later version of a stored call has been written: the
# reader then keeps the latest version per call (without it, no call is stored twice and
# the reader need not look).
SUPERSEDED = "superseded"
# Not compared between versions: where the row came from.
_PROVENANCE = ("source_file", "record")


def _sequence(path: Path) -> int:
    """Import order of a part (parts written before sequences existed count as 0)."""
    m = re.match(r"part-(\d{6})-", path.name)
    return int(m.group(1)) if m else 0


def calls_dir(root: Path, dataset: str) -> Path:
    return root / dataset / "calls"


def parts(root: Path, dataset: str) -> list[Path]:
    folder = calls_dir(root, dataset)
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def store_append(root: Path, dataset: str, table: pa.Table, sha256: str) -> int:
    """Write the calls of ``table`` not yet stored, and the stored calls it brings in a
    changed version; returns how many were written."""
    folder = calls_dir(root, dataset)
    folder.mkdir(parents=True, exist_ok=True)
    existing = parts(root, dataset)
    _upgrade_names(existing)
    changed = 0
    con = duckdb.connect()
    try:
        con.register("incoming", table)
        if existing:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in existing)
            content = [c for c in table.column_names if c not in (*_PROVENANCE, "call_key")]

            def row_hash(alias: str) -> str:
                return "hash(" + ", ".join(f'{alias}"{c}"' for c in content) + ")"

            latest = _latest_sql(f"read_parquet([{files}], filename = true)", existing)
            con.execute(
                f"CREATE TEMP TABLE stored AS SELECT call_key, {row_hash('')} AS h FROM ({latest})"
            )
            flagged = con.execute(
                "SELECT i.*, s.call_key IS NOT NULL AS _changed FROM incoming i "
                f"LEFT JOIN stored s USING (call_key) WHERE s.call_key IS NULL "
                f"OR s.h <> {row_hash('i.')}"
            ).fetch_arrow_table()
            changed = int(pc.sum(flagged["_changed"]).as_py() or 0)
            new = flagged.drop_columns(["_changed"])
        else:
            new = table
    finally:
        con.close()
    if new.num_rows == 0:
        return 0
    sequence = max((_sequence(p) for p in existing), default=0) + 1
    target = folder / f"part-{sequence:06d}-{sha256[:16]}.parquet"
    tmp = target.with_suffix(".tmp")
    import pyarrow.parquet as pq  # only imports write Parquet (analyses read it with DuckDB)

    # Row groups of DuckDB's size: each is a unit of parallel scanning (one group of a
    # million rows would be read by one thread).
    # Dictionary encoding only for text: times and coordinates are nearly all distinct,
    # so their dictionaries were written, then abandoned, then decoded on every read.
    # LZ4 rather than zstd: files 40 % larger, but read faster by every analysis.
    # Not the keys either: one value per call, so their dictionaries were abandoned too.
    text = [
        f.name
        for f in new.schema
        if pa.types.is_string(f.type) and f.name not in ("call_key", "call_id")
    ]
    pq.write_table(new, tmp, compression="lz4", row_group_size=ROW_GROUP_ROWS, use_dictionary=text)
    tmp.replace(target)  # atomic: a crash never leaves half a part
    if changed:
        (folder / SUPERSEDED).touch()
    return int(new.num_rows)


def _latest_sql(source: str, files: list[Path]) -> str:
    """Per call, the row of the latest part (by import sequence) of ``source``, a
    read_parquet(..., filename = true)."""
    order = " ".join(
        f"WHEN '{str(p).replace(chr(39), chr(39) * 2)}' THEN {_sequence(p)}" for p in files
    )
    return (
        f"SELECT * EXCLUDE (filename) FROM {source} QUALIFY row_number() OVER "
        f"(PARTITION BY call_key ORDER BY CASE filename {order} ELSE 0 END DESC, filename DESC)"
        " = 1"
    )


def open_calls(root: Path, dataset: str, backend: ibis.BaseBackend | None = None) -> ir.Table:
    """The dataset's calls as an Ibis table on ``backend`` (DuckDB by default)."""
    import ibis

    files = parts(root, dataset)
    if not files:
        raise FileNotFoundError(f"no imported calls for dataset {dataset!r} under {root}")
    # Every analysis orders what it reports itself, so DuckDB need not keep the order of
    # rows in between (its ordered result collection costs a sixth of the enriched table).
    con = backend or ibis.duckdb.connect(preserve_insertion_order=False)
    if con.name == "pyspark":
        if (calls_dir(root, dataset) / SUPERSEDED).exists():
            return _latest_expression(con, files)
        # Spark reads one path or pattern: every part of the folder.
        spark_table: ir.Table = con.read_parquet(str(calls_dir(root, dataset) / "part-*.parquet"))
        return _current_names(spark_table)
    if (calls_dir(root, dataset) / SUPERSEDED).exists() and hasattr(con, "sql"):
        # Some calls are stored in several versions: the latest wins.
        listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
        latest: ir.Table = con.sql(_latest_sql(f"read_parquet([{listed}], filename = true)", files))
        return _current_names(latest)
    table: ir.Table = con.read_parquet([str(p) for p in files])
    return _current_names(table)


def _latest_expression(con: ibis.BaseBackend, files: list[Path]) -> ir.Table:
    """_latest_sql's rule (per call, the row of the latest part by import sequence, then by
    name) as an Ibis expression, for an engine that does not read DuckDB's SQL (Spark)."""
    import ibis

    order = sorted(range(len(files)), key=lambda i: (_sequence(files[i]), files[i].name))
    tables = [
        _current_names(con.read_parquet(str(files[i]))).mutate(_part=ibis.literal(rank, "int64"))
        for rank, i in enumerate(order)
    ]
    union = ibis.union(*tables) if len(tables) > 1 else tables[0]
    latest = ibis.row_number().over(group_by=union.call_key, order_by=ibis.desc(union._part))
    kept: ir.Table = union.mutate(_rank=latest).filter(lambda t: t._rank == 0)
    return kept.drop("_part", "_rank")


def _upgrade_names(files: list[Path]) -> None:
    """Parts stored under the old names of status times (profile.RENAMED_FIELDS) rewritten
    under the current ones before calls are added beside them, so every part of a dataset
    has the same columns (each part replaced atomically)."""
    import pyarrow.parquet as pq

    from .profile import RENAMED_FIELDS

    for path in files:
        names = pq.read_schema(path).names
        if not any(old in names for old in RENAMED_FIELDS):
            continue
        table = pq.read_table(path)
        table = table.rename_columns([RENAMED_FIELDS.get(n, n) for n in table.column_names])
        tmp = path.with_suffix(".tmp")
        pq.write_table(table, tmp, compression="lz4", row_group_size=ROW_GROUP_ROWS)
        tmp.replace(path)


def _current_names(table: ir.Table) -> ir.Table:
    """A dataset imported by an earlier version may carry the old names of status times
    (profile.RENAMED_FIELDS): read under the current ones."""
    from .profile import RENAMED_FIELDS

    old = {new: old for old, new in RENAMED_FIELDS.items() if old in table.columns}
    return table.rename(old) if old else table
