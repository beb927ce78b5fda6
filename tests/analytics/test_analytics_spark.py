"""The same analysis on Spark (Ibis's PySpark backend, a local session) as on DuckDB.

A real dataset (one week of the emergency communications center's CAD export, from the
shared real data: it carries every status time, so every response interval is compared)
is imported once and analysed by ``rightresponse analyze --engine spark`` and by the
default engine: every figure of summary.json must be the same. One Spark session serves
the whole module and is stopped after it. Skipped only where Java is missing (Spark runs
on the JVM; CI installs openjdk-17-jre-headless).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from django.core.management import CommandError, call_command

from rightresponse.analytics.engines import backend, spark_session
from rightresponse.analytics.selectors import SAMPLES_DIR
from rightresponse.core.analytics.ingest import read_calls
from rightresponse.core.analytics.profile import load_profile
from rightresponse.core.analytics.store import open_calls, store_append
from tests.shared_files import real_file

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(
    JAVA is None,
    reason="Java is not installed: Spark runs on the JVM (apt-get install openjdk-17-jre-headless)",
)
PROFILES = Path(SAMPLES_DIR).parent / "profiles"


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local Spark session for the module (starting one costs seconds); the commands'
    backend() finds it through getOrCreate."""
    if JAVA is None:
        pytest.skip("Java is not installed")
    session = spark_session("local[2]")
    yield session
    session.stop()


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _same(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two summaries differ (floats to 1e-9 relative), as paths."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} rows against {len(b)}"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _same(x, y, f"{path}[{i}]")
        ]
    if isinstance(a, float) and isinstance(b, float | int):
        return [] if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


@needs_java
@pytest.mark.django_db
def test_analysis_on_spark_equals_the_analysis_on_duckdb(
    spark: Any, tmp_path: Path, settings: Any
) -> None:
    week = real_file("decc-cad-weekly-2025/week36.csv")
    settings.RIGHTRESPONSE_SPARK_MASTER = "local[2]"
    _run("import_calls", str(week), "--profile", "decc-cad", "--no-progress")
    _run("analyze", "--out", str(tmp_path / "duckdb"))
    message = _run("analyze", "--engine", "spark", "--out", str(tmp_path / "spark"))
    on_duckdb = json.loads((tmp_path / "duckdb" / "summary.json").read_text())
    on_spark = json.loads((tmp_path / "spark" / "summary.json").read_text())
    assert f"{on_duckdb['total_calls']} calls analysed" in message
    assert on_spark["total_calls"] == on_duckdb["total_calls"] > 1000
    # The intervals are really measured here (the export has every status time).
    overall = on_duckdb["response_intervals"]["overall"]
    measured = {r["interval"] for r in overall if r["n"]}
    assert {"dispatch", "rollout", "travel", "on_scene", "total"} <= measured
    differences = _same(on_duckdb, on_spark)
    assert differences == [], "\n".join(differences[:20])


@needs_java
def test_spark_keeps_the_latest_version_of_a_call_stored_twice(spark: Any, tmp_path: Path) -> None:
    """A re-import that brings a changed call writes it again; the latest version wins on
    Spark as on DuckDB (the rule is an Ibis expression there, DuckDB SQL here)."""
    table = read_calls(
        SAMPLES_DIR / "seattle_madrona_2010-2023.csv",
        load_profile(PROFILES / "seattle-call-data-study.yaml"),
    ).table
    store_append(tmp_path, "d", table, "a" * 64)
    changed = table.slice(0, 2).set_column(
        table.column_names.index("final_type"), "final_type", pa.array(["LATER", "LATER"])
    )
    assert store_append(tmp_path, "d", changed, "b" * 64) == 2
    keys = sorted(changed["call_key"].to_pylist())

    def latest(con: Any) -> list[tuple[str, str]]:
        calls = open_calls(tmp_path, "d", backend=con)
        rows = calls.select("call_key", "final_type").to_pyarrow().to_pylist()
        assert len(rows) == table.num_rows  # each call once
        return sorted((r["call_key"], r["final_type"]) for r in rows if r["call_key"] in keys)

    on_duckdb = latest(None)
    assert on_duckdb == [(k, "LATER") for k in keys]
    assert latest(backend("spark")) == on_duckdb


@pytest.mark.django_db
def test_spark_without_java_is_a_clear_error_naming_the_package(monkeypatch: Any) -> None:
    _run(
        "import_calls",
        str(SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"),
        "--profile",
        "seattle-call-data",
        "--no-progress",
    )
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(CommandError, match="openjdk-17-jre-headless"):
        _run("analyze", "--engine", "spark", "--out", "x")


def test_an_unknown_engine_is_refused_by_name() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'hadoop'"):
        _run("analyze", "--engine", "hadoop", "--out", "x")
