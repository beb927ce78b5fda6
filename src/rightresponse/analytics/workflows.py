"""What the analysis pages start (issue 18): an import of an uploaded export, an analysis
and a protocol comparison, each written to a report folder whose every file can be
downloaded. They call the pillar's public services (``calls_import``,
``dataset_analyze``, ``dataset_compare``); the importer's internals stay where they are."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from .jobs import Report
from .models import Dataset
from .selectors import profile_get, store_root
from .services import calls_import, dataset_analyze, dataset_compare

UPLOAD_SUFFIXES = (".csv", ".txt", ".parquet", ".pq")
REJECTS_SHOWN = 200
FOLDER = re.compile(r"^[0-9]{8}T[0-9]{6}-[a-z]+$")


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, reduced to safe characters (no path)."""
    base = Path(name).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload.csv"
    return cleaned[-120:]


def upload_path(job_hint: str, name: str) -> Path:
    folder = store_root() / "uploads" / job_hint
    folder.mkdir(parents=True, exist_ok=True)
    return folder / safe_file_name(name)


def reports_dir(dataset: Dataset) -> Path:
    return store_root() / dataset.slug / "reports"


def new_report_folder(dataset: Dataset, kind: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    folder = reports_dir(dataset) / f"{stamp}-{kind}"
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = reports_dir(dataset) / f"{stamp}-{kind}{'x' * n}"
    return folder


def report_files(dataset: Dataset, folder: str) -> list[str]:
    """The files of one report folder of the dataset; [] for a name that is not one."""
    if not FOLDER.match(folder):
        return []
    path = reports_dir(dataset) / folder
    return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []


def rejects_preview(path: str, limit: int = REJECTS_SHOWN) -> list[dict[str, str]]:
    """The first ``limit`` lines of a rejects CSV (line, column, value, reason, row)."""
    if not path or not Path(path).is_file():
        return []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [row for _, row in zip(range(limit), csv.DictReader(handle), strict=False)]


DRAFT = "draft"  # the upload form's choice "draft a profile from the file's columns"


def _sample(path: Path, limit: int = 200) -> tuple[list[str], list[dict[str, str]]]:
    """The file's header and first rows, as text, for drafting a profile."""
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        try:
            table = pq.ParquetFile(path).read_row_group(0).slice(0, limit)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise ValueError(f"{path.name}: cannot read as Parquet: {exc}") from None
        rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in table.to_pylist()]
        return table.column_names, rows
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [dict(r) for _, r in zip(range(limit), reader, strict=False)]
            return list(reader.fieldnames or []), rows
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path.name}: cannot read the header: {exc}") from None


def profile_draft(path: Path, dataset_slug: str) -> tuple[Path, str]:
    """Draft a profile from the upload's columns and keep it beside the imports (the
    dataset remembers it by path; the analyst reviews it on the result page)."""
    from django.conf import settings

    from rightresponse.core.analytics.draft_profile import draft_profile

    header, rows = _sample(path)
    name = dataset_slug or re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "upload"
    _, text = draft_profile(name, path.name, header, rows, settings.TIME_ZONE)
    target = store_root() / "profiles" / f"{name}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target, text


def import_upload(
    path: Path, profile: str, dataset_slug: str, user_id: int | None, report: Report
) -> dict[str, Any]:
    drafted = ""
    if profile == DRAFT:
        report("Drafting a profile from the file's columns", 1, 3)
        draft_path, drafted = profile_draft(path, dataset_slug)
        profile = str(draft_path)
        dataset_slug = dataset_slug or draft_path.stem
    profile_get(profile)  # a bad name fails here with the list of profiles
    report("Reading and checking every row", 2, 3)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = calls_import(path, profile, dataset_slug=dataset_slug or None, user=user)
    report("Stored", 3, 3)
    return {
        "dataset": run.dataset.slug,
        "dataset_title": run.dataset.title,
        "file_name": run.file_name,
        "rows_read": run.rows_read,
        "rows_imported": run.rows_imported,
        "rows_already_stored": run.rows_already_stored,
        "rows_rejected": run.rows_rejected,
        "rows_flagged": run.rows_flagged,
        "has_rejects": bool(run.rejects_path),
        "import_id": run.pk,
        "rejects": rejects_preview(run.rejects_path),
        "drafted_profile": drafted,
    }


def analyse(dataset: Dataset, report: Report) -> dict[str, Any]:
    report("Analysing every call (volumes, times, reclassification, replay)", 1, 2)
    folder = new_report_folder(dataset, "analysis")
    analysis = dataset_analyze(dataset, out_dir=folder)
    report("Report written", 2, 2)
    return {"dataset": dataset.slug, "folder": folder.name, "analysis_id": analysis.pk}


def compare(dataset: Dataset, protocol_a: Path, protocol_b: Path, report: Report) -> dict[str, Any]:
    report("Replaying every call under both protocols", 1, 2)
    folder = new_report_folder(dataset, "comparison")
    comparison = dataset_compare(dataset, str(protocol_a), str(protocol_b), out_dir=folder)
    report("Comparison written", 2, 2)
    return {
        "dataset": dataset.slug,
        "folder": folder.name,
        "moved": len(comparison.get("moved", [])),
    }
