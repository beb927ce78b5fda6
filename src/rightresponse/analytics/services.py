"""Writes of the analytics pillar: import a file into a dataset, analyse a dataset."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rightresponse.core.analytics.analysis import AnalysisConfig, Decider, analyze, map_points
from rightresponse.core.analytics.ingest import Reject, read_calls
from rightresponse.core.analytics.report import write_report
from rightresponse.core.analytics.store import store_append
from rightresponse.triage.received import received_bounds_utc

from .models import Analysis, Dataset, ImportRun
from .selectors import dataset_calls, mapping_get, profile_get, store_root


def _write_rejects(path: Path, rejects: list[Reject]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "column", "value", "reason"])
        for r in rejects:
            writer.writerow([r.line, r.column, r.value, r.reason])


def calls_import(
    path: str | Path,
    profile_name: str,
    *,
    dataset_slug: str | None = None,
    user: Any = None,
    progress: bool = False,
) -> ImportRun:
    """Import one export file: good rows to Parquet (new calls only), rejected rows to a
    rejects CSV (line, column, value, reason), and a record of the run."""
    path = Path(path)
    profile = profile_get(profile_name)
    started = timezone.now()
    result = read_calls(path, profile, progress=progress, received_between=received_bounds_utc())
    slug = dataset_slug or profile.name
    dataset, _ = Dataset.objects.get_or_create(
        slug=slug, defaults={"title": profile.title, "profile": profile_name}
    )
    added = store_append(store_root(), slug, result.table, result.sha256)
    rejects_path = ""
    if result.rejects:
        target = store_root() / slug / "rejects" / f"{path.stem}-{result.sha256[:12]}.csv"
        _write_rejects(target, result.rejects)
        rejects_path = str(target)
    with transaction.atomic():
        return ImportRun.objects.create(
            dataset=dataset,
            file_name=path.name,
            sha256=result.sha256,
            profile=profile.name,
            started_at=started,
            finished_at=timezone.now(),
            rows_read=result.rows_read,
            rows_imported=added,
            rows_already_stored=result.table.num_rows - added,
            rows_rejected=len(result.rejects),
            rejects_path=rejects_path,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )


def protocol_decider(path: str | None = None) -> tuple[Decider, str] | None:
    """The triage core's ``decide`` bound to a protocol (contract 1); None until it exists."""
    try:
        from rightresponse.core import triage
    except ImportError:
        return None
    protocol_path = path or getattr(settings, "RIGHTRESPONSE_PROTOCOL", "")
    if not protocol_path or not Path(protocol_path).is_file():
        return None
    protocol = triage.load_protocol(protocol_path)

    def decide(call_type: str, answers: Mapping[str, str]) -> Mapping[str, Any]:
        if call_type not in protocol.call_types:
            return {"tier": None}
        result: Mapping[str, Any] = triage.decide(protocol, call_type, answers).to_dict()
        return result

    return decide, str(protocol.version)


def dataset_analyze(
    dataset: Dataset,
    *,
    out_dir: str | Path | None = None,
    protocol_path: str | None = None,
    config: AnalysisConfig | None = None,
) -> Analysis:
    """Run every analysis on the dataset's calls; write the report folder when asked."""
    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    config = config or AnalysisConfig(
        severe_dispositions=profile.severe_dispositions,
        police_agencies=profile.police_agencies,
    )
    bound = protocol_decider(protocol_path)
    calls = dataset_calls(dataset)
    result = analyze(
        calls,
        mapping,
        config=config,
        decide=bound[0] if bound else None,
        protocol_version=bound[1] if bound else None,
    )
    if out_dir:
        write_report(result, out_dir, title=dataset.title, points=map_points(calls))
    return Analysis.objects.create(
        dataset=dataset,
        protocol_version=bound[1] if bound else "",
        total_calls=int(result.summary["total_calls"]),
        out_dir=str(out_dir or ""),
        summary=_jsonable(result.summary),
    )


def _jsonable(value: Any) -> Any:
    import json

    from rightresponse.core.analytics.report import json_default

    return json.loads(json.dumps(value, default=json_default))
