"""import-calls and analyze, end to end on the shipped sample and the real files."""

from __future__ import annotations

import csv
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from shared_files import real_file

from rightresponse.analytics.models import Analysis, Dataset, ImportRun
from rightresponse.analytics.selectors import SAMPLES_DIR

pytestmark = pytest.mark.django_db
SAMPLE = SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"
SUMMARY_KEYS = {
    "total_calls",
    "by_category",
    "tier_shares",
    "reclassification",
    "unit_hours_by_category",
    "diverted_unit_hours",
    "fte_by_shift_precinct",
    "response_intervals",
    "risk_exposure",
}


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_is_idempotent_and_recorded() -> None:
    first = _run("import_calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    assert "222 rows read, 222 imported, 0 already stored, 0 rejected" in first
    again = _run("import_calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    assert "222 rows read, 0 imported, 222 already stored" in again
    runs = ImportRun.objects.order_by("started_at")
    assert [r.rows_imported for r in runs] == [222, 0]
    assert runs[0].sha256 == runs[1].sha256


def test_bad_rows_go_to_the_rejects_file_and_good_rows_are_kept(tmp_path: Path) -> None:
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    header, good = rows[0], rows[1:4]
    bad_time = (
        good[0]
        .replace("11/04/2023 6:08:26 PM", "31/31/2023 99:00 XX")
        .replace("2023000319821", "X1")
    )
    assert bad_time != good[0]
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([header, *good, bad_time, "," + good[1].split(",", 1)[1]]) + "\n")
    out = _run("import_calls", str(path), "--profile", "seattle-call-data", "--no-progress")
    assert "5 rows read, 3 imported, 0 already stored, 2 rejected" in out
    run = ImportRun.objects.get()
    with open(run.rejects_path, encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["line"], r["column"], r["reason"]) for r in rejects] == [
        (
            "5",
            "Original Time Queued",
            "not a time in %m/%d/%Y %I:%M:%S %p, %Y %b %d %I:%M:%S %p, %m/%d/%Y %H:%M:%S",
        ),
        ("6", "CAD Event Number", "missing call id"),
    ]
    assert rejects[0]["value"] == "31/31/2023 99:00 XX"


def test_unknown_profile_and_wrong_layout_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no profile 'atlantis'; shipped profiles: .*decc-cad"):
        _run("import_calls", str(SAMPLE), "--profile", "atlantis")
    with pytest.raises(CommandError, match="no column for call_id"):
        _run("import_calls", str(SAMPLE), "--profile", "decc-cad", "--no-progress")
    assert not ImportRun.objects.exists()


def test_analyze_writes_summary_tables_and_an_offline_report(tmp_path: Path) -> None:
    _run("import_calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    out_dir = tmp_path / "report"
    message = _run("analyze", "--out", str(out_dir))
    assert "seattle-call-data: 222 calls analysed under protocol" in message
    summary = json.loads((out_dir / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["total_calls"] == 222
    # Every call is either triaged (a tier) or reported apart with its reason.
    triaged = sum(r["calls"] for r in summary["tier_shares"])
    assert triaged + sum(r["calls"] for r in summary["excluded"]) == 222
    assert triaged == summary["triaged_calls"] and {r["reason"] for r in summary["excluded"]}
    assert abs(sum(r["call_share"] for r in summary["tier_shares"]) - 1) < 1e-9
    assert (out_dir / "by_category.csv").is_file() and (out_dir / "tier_shares.csv").is_file()
    html = (out_dir / "report.html").read_text()
    assert html.count("<svg") >= 4 and 'class="chart map"' in html
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host
    assert Analysis.objects.get().total_calls == 222


def test_real_cad_week_never_shows_staff_names(tmp_path: Path) -> None:
    path = real_file("decc-cad-weekly-2025/week36.csv")
    _run("import_calls", str(path), "--profile", "decc-cad", "--no-progress")
    with path.open(encoding="utf-8", newline="") as handle:
        names = {row["Call_Taker"] for row in csv.DictReader(handle)} - {"", "NULL"}
    assert len(names) > 5
    _run("analyze", "--dataset", "decc-cad", "--out", str(tmp_path / "r"))
    text = (tmp_path / "r" / "report.html").read_text() + (
        tmp_path / "r" / "summary.json"
    ).read_text()
    for name in names:
        assert name not in text
    # No outcome in this export: the risk is "not measurable", never 0 %.
    assert "Risk exposure:</strong> <strong>not measurable</strong>" in text
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["risk_exposure"]["severe_share"] is None
    assert Dataset.objects.get().imports.get().rows_imported == 1263


def test_a_drafted_mapping_is_marked_and_analyze_warns_about_it(tmp_path: Path) -> None:
    out_csv = tmp_path / "draft.csv"
    said = _run(
        "draft_mapping", str(SAMPLE), "--profile", "seattle-call-data", "--out", str(out_csv)
    )
    assert "a DRAFT" in said
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["source"].startswith("draft") for r in rows)
    profile = tmp_path / "city.yaml"
    shipped = SAMPLES_DIR.parent / "profiles" / "seattle-call-data.yaml"
    profile.write_text(
        shipped.read_text(encoding="utf-8")
        .replace("name: seattle-call-data", "name: city")
        .replace("mapping: seattle.csv", f"mapping: {out_csv}"),
        encoding="utf-8",
    )
    _run("import_calls", str(SAMPLE), "--profile", str(profile), "--no-progress")
    err = StringIO()
    call_command("analyze", "--out", str(tmp_path / "r"), stdout=StringIO(), stderr=err)
    assert "warning: the mapping of city is a draft" in err.getvalue()
    assert "draft mapping" in (tmp_path / "r" / "report.html").read_text()
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["mapping"]["draft"] is True
    # The shipped, reviewed mapping gives no warning.
    Dataset.objects.all().delete()
    _run("import_calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    err = StringIO()
    call_command("analyze", "--out", str(tmp_path / "s"), stdout=StringIO(), stderr=err)
    assert "draft" not in err.getvalue()


def test_protocol_a_b_side_by_side_and_a_wrong_path_is_exit_2(tmp_path: Path) -> None:
    protocol_a = SAMPLES_DIR.parents[3] / "protocols" / "default.yaml"
    text = protocol_a.read_text(encoding="utf-8")
    # Protocol B: parking complaints get a co-response (tier 2) instead of civilians alone.
    start = text.index("  - id: parking\n")
    tier_at = text.index("    tier: 1", start)
    protocol_b = tmp_path / "b.yaml"
    protocol_b.write_text(
        (text[:tier_at] + "    tier: 2" + text[tier_at + len("    tier: 1") :]).replace(
            'version: "2026.12-default-3"', 'version: "b-parking-co-response"'
        ),
        encoding="utf-8",
    )
    _run("import_calls", str(SAMPLE), "--profile", "seattle-call-data", "--no-progress")
    out_dir = tmp_path / "ab"
    said = _run(
        "analyze",
        "--out",
        str(out_dir),
        "--protocol",
        str(protocol_a),
        "--compare",
        str(protocol_b),
    )
    assert "A 2026.12-default-3" in said and "B b-parking-co-response" in said
    comparison = json.loads((out_dir / "compare.json").read_text())
    moved = {r["initial_type"]: r for r in comparison["moved"]}
    assert moved and all(r["call_type"] == "parking" for r in moved.values())
    assert all((r["tier_a"], r["tier_b"]) == (1, 2) for r in moved.values())
    assert comparison["b"]["calls"] < comparison["a"]["calls"]  # fewer civilian-only calls
    for side in ("a", "b"):
        assert {"calls", "call_share", "unit_hours", "fte"} <= set(comparison[side])
    assert (out_dir / "compare.csv").is_file() and (out_dir / "report.html").is_file()
    for args in (
        ("--protocol", str(tmp_path / "nowhere.yaml"), "--compare", str(protocol_b)),
        ("--protocol", str(protocol_a), "--compare", str(tmp_path / "nowhere.yaml")),
        ("--protocol", str(tmp_path / "nowhere.yaml")),
    ):
        with pytest.raises(CommandError, match="nowhere.yaml: no such protocol file") as err:
            _run("analyze", "--out", str(tmp_path / "x"), *args)
        assert err.value.returncode == 2
