"""Write docs/metrics.md from the catalog (``--check``: fail if it is stale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rightresponse.performance.catalog_doc import render_metrics_doc
from rightresponse.performance.selectors import metrics_catalog


class Command(BaseCommand):
    help = "Generate docs/metrics.md from the metrics catalog."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="exit 1 if the file is out of date"
        )
        parser.add_argument(
            "--output", default=str(Path(settings.PROJECT_DIR) / "docs" / "metrics.md")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = render_metrics_doc(metrics_catalog())
        path = Path(options["output"])
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `rightresponse metrics-doc`")
            self.stdout.write(f"{path} is up to date.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path} ({len(metrics_catalog().metrics)} metrics).")
