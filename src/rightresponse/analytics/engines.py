"""The engines the analysis of calls runs on: the same Ibis expressions
(core/analytics/analysis.py) on DuckDB in this process, or on Apache Spark through Ibis's
PySpark backend when a state or a group of cities pools more calls than one machine
holds (docs/operations.md, "Analytics on a Spark cluster").

Spark: a local session (``local[*]``) unless ``RIGHTRESPONSE_SPARK_MASTER`` names a
cluster (``spark://host:7077``, ``yarn``, ``k8s://...``); the session's time zone is UTC,
as the imported calls are.
"""

from __future__ import annotations

import os
import shutil
from types import MethodType
from typing import Any

import ibis

ENGINES = ("duckdb", "spark")


class EngineUnavailable(RuntimeError):
    """The engine cannot start here (named, with what to install)."""


def spark_master() -> str:
    from django.conf import settings

    return str(getattr(settings, "RIGHTRESPONSE_SPARK_MASTER", "") or "local[*]")


def spark_session(master: str | None = None) -> Any:
    """A Spark session on ``master`` (default: the setting, else local)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise EngineUnavailable(
            "Spark needs Java 17: install openjdk-17-jre-headless (Debian) or set JAVA_HOME"
        )
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise EngineUnavailable("pyspark is not installed") from exc
    return (
        SparkSession.builder.master(master or spark_master())
        .appName("rightresponse-analytics")
        .config("spark.sql.session.timeZone", "UTC")
        # A small local job should not spend its time shuffling 200 partitions.
        .config(
            "spark.sql.shuffle.partitions", os.environ.get("RIGHTRESPONSE_SPARK_PARTITIONS", "8")
        )
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def _register_from_arrow(self: Any, op: Any) -> None:
    """Ibis 12 hands in-memory tables (the mapping, the replayed decisions) to Spark through
    pandas, where integer and boolean columns with nulls become floats and objects: the
    replayed tiers were lost. Spark 4 takes Arrow itself, nulls and types intact."""
    table = op.data.to_pyarrow(op.schema)
    self._session.createDataFrame(table).createOrReplaceTempView(op.name)


def backend(engine: str, master: str | None = None) -> ibis.BaseBackend | None:
    """The Ibis backend of ``engine`` (None: the store's default, DuckDB)."""
    if engine == "duckdb":
        return None
    if engine == "spark":
        con = ibis.pyspark.connect(spark_session(master))
        con._register_in_memory_table = MethodType(_register_from_arrow, con)  # type: ignore[method-assign]
        return con
    raise EngineUnavailable(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
