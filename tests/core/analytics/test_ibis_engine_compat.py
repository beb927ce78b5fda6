"""The pinned Ibis, DuckDB and sqlglot work together (sqlglot 30 broke Ibis 12's
create_table with a DuckDB parser error); a dependency bump that breaks them fails here."""

import ibis
import pyarrow as pa


def test_duckdb_backend_creates_and_caches_tables() -> None:
    con = ibis.duckdb.connect()
    table = con.create_table("calls", pa.table({"tier": [0, 1, 1, 4]}))
    assert table.filter(table.tier == 1).count().execute() == 2
    assert ibis.memtable({"a": [1, 2]}).cache().a.sum().execute() == 3
