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
from rightresponse.core.analytics.profile import Profile
from rightresponse.core.analytics.report import write_report
from rightresponse.core.analytics.store import store_append
from rightresponse.triage.received import received_bounds_utc

from .models import Analysis, Dataset, ImportRun
from .selectors import dataset_calls, mapping_get, profile_get, store_root, vera_taxonomy


def _write_rejects(path: Path, rejects: list[Reject]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "column", "value", "reason", "row"])
        for r in rejects:
            writer.writerow(
                [r.line, r.column, r.value, r.reason, "imported" if r.kept else "rejected"]
            )


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
            rows_rejected=len({r.line for r in result.rejects if not r.kept}),
            rows_flagged=len({r.line for r in result.rejects if r.kept}),
            rejects_path=rejects_path,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )


class ProtocolPathError(FileNotFoundError, ValueError):
    """A protocol asked for by path that is not there. A ValueError too, as the triage
    core's own protocol errors are, so that callers catching those catch this."""


def protocol_decider(path: str | None = None) -> tuple[Decider, str] | None:
    """The triage core's ``decide`` bound to a protocol (contract 1); None until it exists."""
    try:
        from rightresponse.core import triage
    except ImportError:
        return None
    protocol_path = path or getattr(settings, "RIGHTRESPONSE_PROTOCOL", "")
    if path and not Path(path).is_file():
        # A protocol asked for by name must exist: never analyse silently without it.
        raise ProtocolPathError(f"{path}: no such protocol file")
    if not protocol_path or not Path(protocol_path).is_file():
        return None
    protocol = triage.load_protocol(protocol_path)

    def decide(call_type: str, answers: Mapping[str, str]) -> Mapping[str, Any]:
        if call_type not in protocol.call_types:
            return {"tier": None}
        result: Mapping[str, Any] = triage.decide(protocol, call_type, answers).to_dict()
        return result

    return decide, str(protocol.version)


def analysis_config(profile: Profile, **overrides: Any) -> AnalysisConfig:
    """The analysis settings a profile implies (one place for the command and the page)."""
    return AnalysisConfig(
        severe_dispositions=profile.severe_dispositions,
        police_agencies=profile.police_agencies,
        emergency_priority=profile.emergency_priority,
        excluded_dispositions=profile.excluded_dispositions,
        date_only=profile.time_resolution == "day",
        vera_taxonomy=vera_taxonomy(),
        non_emergent_priority=profile.non_emergent_priority,
        **overrides,
    )


def dataset_analyze(
    dataset: Dataset,
    *,
    out_dir: str | Path | None = None,
    protocol_path: str | None = None,
    config: AnalysisConfig | None = None,
    engine: str = "duckdb",
) -> Analysis:
    """Run every analysis on the dataset's calls, on ``engine`` (analytics.engines: DuckDB
    here, or Spark); write the report folder when asked."""
    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    config = config or analysis_config(profile)
    bound = protocol_decider(protocol_path)
    calls = dataset_calls(dataset, engine)
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


def dataset_compare(
    dataset: Dataset,
    protocol_a: str,
    protocol_b: str,
    *,
    out_dir: str | Path,
    config: AnalysisConfig | None = None,
    engine: str = "duckdb",
) -> dict[str, Any]:
    """Protocol A/B on one dataset, on ``engine`` (as dataset_analyze): A's full report in
    ``out_dir``, and beside it ``compare.json`` and ``compare.csv`` (call types that moved
    tier)."""
    import json

    from rightresponse.core.analytics.analysis import compare_summaries
    from rightresponse.core.analytics.report import json_default

    profile = profile_get(dataset.profile)
    mapping = mapping_get(profile)
    config = config or analysis_config(profile)
    summaries = []
    for path in (protocol_a, protocol_b):
        bound = protocol_decider(path)
        if bound is None:  # the triage core is not installed
            raise FileNotFoundError(f"{path}: the triage core cannot load protocols here")
        result = analyze(
            dataset_calls(dataset, engine),
            mapping,
            config=config,
            decide=bound[0],
            protocol_version=bound[1],
        )
        if not summaries:
            write_report(
                result, out_dir, title=dataset.title, points=map_points(dataset_calls(dataset))
            )
        summaries.append(result.summary)
    comparison = compare_summaries(summaries[0], summaries[1])
    out = Path(out_dir)
    (out / "compare.json").write_text(
        json.dumps(comparison, indent=2, default=json_default), encoding="utf-8"
    )
    with (out / "compare.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["initial_type", "call_type", "tier_a", "tier_b", "calls"]
        )
        writer.writeheader()
        writer.writerows(comparison["moved"])
    return comparison


def _jsonable(value: Any) -> Any:
    import json

    from rightresponse.core.analytics.report import json_default

    return json.loads(json.dumps(value, default=json_default))
