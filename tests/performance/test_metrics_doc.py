"""docs/metrics.md stays true to the catalog file (it is generated from it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rightresponse.performance.catalog_doc import render_metrics_doc
from rightresponse.performance.selectors import metrics_catalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_metrics_doc_is_generated_from_the_catalog() -> None:
    assert DOC.read_text(encoding="utf-8") == render_metrics_doc(metrics_catalog()), (
        "docs/metrics.md is stale: run `rightresponse metrics-doc`"
    )


def test_every_metric_is_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    for metric in metrics_catalog():
        assert f"| `{metric.id}` | {metric.line} |" in text


def test_check_mode_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "metrics.md"
    stale.write_text("# old\n")
    with pytest.raises(CommandError, match="out of date"):
        call_command("metrics_doc", "--check", "--output", str(stale))
    call_command("metrics_doc", "--output", str(stale))
    call_command("metrics_doc", "--check", "--output", str(stale))
