"""Layouts without a real file here (New Orleans), Parquet input, the progress bar, and
the replay with the real triage core."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from core_analytics_paths import MAPPINGS, REPO, SAMPLES, profile

from rightresponse.core import triage
from rightresponse.core.analytics import ingest
from rightresponse.core.analytics.analysis import analyze
from rightresponse.core.analytics.ingest import read_calls
from rightresponse.core.analytics.mapping import load_mapping

NOLA_HEADER = (
    "NOPD_Item,Type,TypeText,Priority,InitialType,InitialTypeText,InitialPriority,MapX,MapY,"
    "TimeCreate,TimeDispatch,TimeArrive,TimeClosed,Disposition,DispositionText,SelfInitiated,"
    "Beat,BLOCK_ADDRESS,Zip,PoliceDistrict,Location"
)
NOLA_ROWS = [
    "A0001119,103D,DISTURBANCE (DOMESTIC),2A,103,DISTURBANCE (OTHER),2C,3680530,531506,"
    "01/01/2019 12:00:42 AM,01/01/2019 12:05:10 AM,01/01/2019 12:15:00 AM,01/01/2019 01:02:03 AM,"
    'RTF,REPORT TO FOLLOW,N,7L05,Dwyer Rd & Wilson Ave,70126,7,"POINT (-89.99 30.02)"',
    "A0001219,21,COMPLAINT OTHER,1H,21,COMPLAINT OTHER,1H,0,0,"
    "2019-01-01T00:10:00.000,,,2019-01-01T00:20:00.000,"
    "GOA,GONE ON ARRIVAL,Y,1K01,001XX Canal St,70112,1,",
]


def test_new_orleans_full_public_layout_imports(tmp_path: Path) -> None:
    path = tmp_path / "Calls_for_Service_2019.csv"
    path.write_text("\n".join([NOLA_HEADER, *NOLA_ROWS]) + "\n", encoding="utf-8")
    result = read_calls(path, profile("new-orleans-cfs"))
    assert result.rejects == []
    first, second = result.table.to_pylist()
    assert first["initial_type"] == "DISTURBANCE (OTHER)"
    assert first["final_type"] == "DISTURBANCE (DOMESTIC)"
    assert (first["initial_priority"], first["priority"]) == ("2C", "2A")
    assert (first["latitude"], first["longitude"]) == (30.02, -89.99)
    assert first["area"] == "7" and first["officer_initiated"] is False
    # 00:00:42 CST = 06:00:42 UTC
    assert first["received_at"].isoformat() == "2019-01-01T06:00:42"
    assert (first["dispatched_at"] - first["received_at"]).total_seconds() == 268
    assert second["officer_initiated"] is True and second["latitude"] is None
    assert "MapX" in result.ignored_columns


def test_padded_values_are_trimmed_and_blank_or_null_ones_are_missing(tmp_path: Path) -> None:
    """Padding is removed and "", "  " and " NULL " are missing in every column, whether a
    column is padded or not; the text columns kept in Arrow stay aligned with their call
    when rows before and between them are rejected or superseded."""
    path = tmp_path / "padded.csv"
    path.write_text(
        "NOPD_Item,TypeText,InitialTypeText,TimeCreate,Beat,Priority\n"
        "A1,THEFT,THEFT,01/01/2019 12:00:42 AM,7L05,2A\n"
        ",THEFT,THEFT,01/01/2019 12:01:00 AM,7L05,2A\n"  # no call id: rejected
        "A2,  BURGLARY ,  BURGLARY ,01/01/2019 12:02:00 AM,  NULL ,1A\n"
        "A3,FIGHT,FIGHT,01/01/2019 12:03:00 AM,   ,\n"
        "A2,BURGLARY,BURGLARY,01/01/2019 12:04:00 AM,1K01,1B\n",  # later version of A2
        encoding="utf-8",
    )
    result = read_calls(path, profile("new-orleans-cfs"))
    rows = result.table.to_pylist()
    assert [(r["call_id"], r["initial_type"], r["beat"], r["priority"]) for r in rows] == [
        ("A1", "THEFT", "7L05", "2A"),
        ("A3", "FIGHT", None, None),
        ("A2", "BURGLARY", "1K01", "1B"),
    ]
    assert [(r.line, r.reason.split(" (")[0]) for r in result.rejects] == [
        (3, "missing call id"),
        (4, "duplicate call id"),
    ]
    assert "line 6 is kept" in result.rejects[1].reason


def test_parquet_exports_import_like_csv(tmp_path: Path) -> None:
    csv_result = read_calls(SAMPLES / "seattle_east_c3_2018-2023.csv", profile("seattle-call-data"))
    source = pacsv.read_csv(
        SAMPLES / "seattle_east_c3_2018-2023.csv",
        convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
    )
    path = tmp_path / "calls.parquet"
    pq.write_table(source, path)
    parquet_result = read_calls(path, profile("seattle-call-data"))
    assert parquet_result.rejects == []
    keep = ["call_key", "received_at", "on_scene_at", "initial_type", "final_type", "latitude"]
    assert parquet_result.table.select(keep).equals(csv_result.table.select(keep))


def test_large_files_show_a_progress_bar(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ingest, "PROGRESS_MIN_BYTES", 1)
    read_calls(
        SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study"), progress=True
    )
    assert "seattle_madrona_2010-2023.csv" in capsys.readouterr().err
    read_calls(SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study"))
    assert capsys.readouterr().err == ""


def test_replay_with_the_real_triage_core_decides_once_per_combination() -> None:
    protocol = triage.load_protocol(REPO / "protocols" / "default.yaml")
    seen: list[tuple[str, tuple[tuple[str, str], ...]]] = []

    def decide(call_type: str, answers: Mapping[str, str]) -> Mapping[str, Any]:
        seen.append((call_type, tuple(sorted(answers.items()))))
        if call_type not in protocol.call_types:
            return {"tier": None}
        return triage.decide(protocol, call_type, answers).to_dict()

    table = read_calls(
        SAMPLES / "seattle_madrona_2010-2023.csv", profile("seattle-call-data-study")
    ).table
    mapping = load_mapping(MAPPINGS / "seattle.csv")
    summary = analyze(
        ibis.memtable(table), mapping, decide=decide, protocol_version=protocol.version
    ).summary
    assert len(seen) == len(set(seen)) == summary["decide_calls"]
    tiers = {r["tier"]: r["calls"] for r in summary["tier_shares"]}
    excluded = sum(r["calls"] for r in summary["excluded"])
    assert sum(tiers.values()) + excluded == table.num_rows
    # Noise and parking calls go to civilian tiers under the default protocol.
    noise = [c for c, r in mapping.items() if r.call_type in ("noise_complaint", "parking")]
    assert noise and (tiers.get("0", 0) + tiers.get("1", 0)) > 0
    assert summary["protocol_version"] == protocol.version
