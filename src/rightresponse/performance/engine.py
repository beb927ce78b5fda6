"""The engine that computes the metric facts (core/metrics/sources.py) on request.

DuckDB attaches the operational database read-only (its ``sqlite`` or ``postgres``
extension, installed from PyPI as ``duckdb-ext-sqlite`` / ``duckdb-ext-postgres`` and
loaded from the installed package, never downloaded at run time), runs the facts
expression in parallel and hands back Arrow columns: no Python object per value, and no
copy of the data kept anywhere, so whatever is committed before a request is in its
figures. Why DuckDB rather than Ibis's own SQLite and PostgreSQL backends: measured in
docs/architecture.md ("Metric facts").

The tables' Ibis schemas come from the Django models (no introspection query per
request); the process keeps one DuckDB instance with the database attached (a connection,
like Django's own, never data).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from django.apps import apps
from django.db import connections

from rightresponse.core.metrics.facts import Frame, frame_from_arrow
from rightresponse.core.metrics.sources import TABLES, Tables, incident_facts, referral_facts

ATTACHED = "ops"
# Django field types -> Ibis types. Booleans are read as integers: SQLite keeps 0/1, and
# the expressions cast them (core/metrics/sources.py).
_TYPES = {
    "AutoField": dt.int64,
    "BigAutoField": dt.int64,
    "IntegerField": dt.int64,
    "BigIntegerField": dt.int64,
    "PositiveIntegerField": dt.int64,
    "PositiveSmallIntegerField": dt.int64,
    "SmallIntegerField": dt.int64,
    "FloatField": dt.float64,
    "CharField": dt.string,
    "TextField": dt.string,
    "DateTimeField": dt.timestamp,
    "DateField": dt.date,
    "BooleanField": dt.int8,
    "UUIDField": dt.string,
}


class EngineError(RuntimeError):
    pass


@cache
def schemas() -> dict[str, ibis.Schema]:
    """The Ibis schema of each operational table the facts read, from its Django model."""
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    out = {}
    for short, table in TABLES.items():
        fields = {}
        for field in by_table[table]._meta.concrete_fields:
            target = field.target_field if field.is_relation else field  # a key: its target's
            kind = _TYPES.get(target.get_internal_type())
            if kind is not None:
                fields[field.column] = kind
        out[short] = ibis.schema(fields)
    return out


def unbound_tables(catalog: str | None = None, database: str | None = None) -> Tables:
    """The operational tables as unbound Ibis tables (an engine is chosen at execution)."""
    known = schemas()
    return lambda short: ibis.table(known[short], name=TABLES[short], catalog=catalog,
                                    database=database)  # fmt: skip


def _extension_directory() -> str:
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("duckdb-ext-sqlite / duckdb-ext-postgres are not installed")
    return str(Path(next(iter(spec.submodule_search_locations))) / "extensions")


def _postgres_dsn(settings: dict[str, Any]) -> str:
    parts = {
        "host": settings.get("HOST") or "",
        "port": str(settings.get("PORT") or ""),
        "dbname": settings.get("NAME") or "",
        "user": settings.get("USER") or "",
        "password": settings.get("PASSWORD") or "",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


_LOCK = threading.Lock()
_INSTANCE: dict[str, Any] = {}


def _duckdb(using: str) -> duckdb.DuckDBPyConnection:
    """A cursor of this process's DuckDB, with the database of ``using`` attached
    (attached again when the database's name changed)."""
    settings = connections[using].settings_dict
    vendor = connections[using].vendor
    target = str(settings["NAME"]) if vendor == "sqlite" else _postgres_dsn(settings)
    with _LOCK:
        con = _INSTANCE.get("con")
        if con is None:
            con = duckdb.connect(config={"extension_directory": _extension_directory(),
                                         "autoinstall_known_extensions": False,
                                         "autoload_known_extensions": False})  # fmt: skip
            _INSTANCE["con"] = con
        if _INSTANCE.get("target") != target:
            if "target" in _INSTANCE:
                con.execute(f"DETACH {ATTACHED}")
                _INSTANCE.pop("target")
            if vendor == "sqlite":
                con.execute("LOAD sqlite")
                kind = "sqlite"
            elif vendor == "postgresql":
                con.execute("LOAD postgres")
                kind = "postgres"
            else:
                raise EngineError(f"no engine for {vendor}")
            quoted = target.replace("'", "''")
            con.execute(f"ATTACH '{quoted}' AS {ATTACHED} (TYPE {kind}, READ_ONLY)")
            _INSTANCE["target"] = target
        return con.cursor()


def detach() -> None:
    """Close this process's DuckDB (and its connection to the database), e.g. before the
    database is dropped."""
    with _LOCK:
        con = _INSTANCE.pop("con", None)
        _INSTANCE.pop("target", None)
        if con is not None:
            con.close()


def execute(expr: ir.Table, using: str = "default") -> Any:
    """The expression (over ``unbound_tables(ATTACHED, schema)``) as an Arrow table."""
    cursor = _duckdb(using)
    try:
        return cursor.execute(ibis.to_sql(expr, dialect="duckdb")).fetch_arrow_table()
    finally:
        cursor.close()


def fact_frame(
    facts: str,
    start: datetime | None,
    end: datetime | None,
    fields: Iterable[str],
    today: date,
    using: str = "default",
) -> Frame:
    """The facts of [start, end) with ``fields``, computed now by the engine."""
    schema = "main" if connections[using].vendor == "sqlite" else "public"
    tables = unbound_tables(ATTACHED, schema)
    naive = [None if t is None else t.astimezone(UTC).replace(tzinfo=None) for t in (start, end)]
    if facts == "incidents":
        expr = incident_facts(tables, today=today, start=naive[0], end=naive[1], fields=fields)
    else:
        expr = referral_facts(tables, start=naive[0], end=naive[1], fields=fields)
    return frame_from_arrow(facts, execute(expr, using), fields)
