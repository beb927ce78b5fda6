"""The store: re-imports add nothing twice, and a later version of a call wins."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from core_analytics_paths import SAMPLES, profile

from rightresponse.core.analytics.ingest import read_calls
from rightresponse.core.analytics.store import SUPERSEDED, calls_dir, open_calls, store_append


def test_a_later_version_of_a_stored_call_wins(tmp_path: Path) -> None:
    table = read_calls(
        SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study")
    ).table
    assert store_append(tmp_path, "d", table, "a" * 64) == table.num_rows
    assert store_append(tmp_path, "d", table, "a" * 64) == 0  # the same file: nothing
    assert not (calls_dir(tmp_path, "d") / SUPERSEDED).exists()
    # A later export: call 0 got a final type, the others are unchanged, one is new.
    final = table["final_type"].to_pylist()
    final[0] = "--HOMICIDE"
    later = table.set_column(
        table.schema.get_field_index("final_type"), "final_type", pa.array(final, pa.string())
    )
    extra = later.slice(1, 1)
    extra = extra.set_column(0, "call_key", pa.array(["NEW-1"]))
    later = pa.concat_tables([later, extra])
    assert store_append(tmp_path, "d", later, "b" * 64) == 2  # the changed call and the new
    stored = open_calls(tmp_path, "d").to_pyarrow()
    assert stored.num_rows == table.num_rows + 1  # each call once
    key0 = table["call_key"][0].as_py()
    row = stored.filter(pc.equal(stored["call_key"], key0))
    assert row["final_type"].to_pylist() == ["--HOMICIDE"]  # the latest version


def test_a_dataset_stored_under_the_old_status_time_names_reads_under_the_new(
    tmp_path: Path,
) -> None:
    """Imported before the status times took the live incidents' names (issue 17)."""
    table = read_calls(
        SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study")
    ).table
    assert "on_scene_at" in table.column_names
    old = table.rename_columns(
        ["arrived_at" if n == "on_scene_at" else n for n in table.column_names]
    )
    store_append(tmp_path, "d", old, "c" * 64)
    stored = open_calls(tmp_path, "d").to_pyarrow()
    assert "on_scene_at" in stored.column_names and "arrived_at" not in stored.column_names
    assert stored["on_scene_at"].null_count == table["on_scene_at"].null_count
