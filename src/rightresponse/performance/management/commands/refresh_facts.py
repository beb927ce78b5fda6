"""``rightresponse refresh-facts``: bring the metrics' facts snapshot up to date (for cron),
or rebuild it from the database with ``--full`` (nightly, or after a bulk change made
outside the services)."""

from __future__ import annotations

from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand

from rightresponse.performance import facts_snapshot


class Command(BaseCommand):
    help = "Refresh the metrics' facts snapshot (--full: rebuild it from the database)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="rebuild from every row")

    def handle(self, *args: Any, **options: Any) -> None:
        for facts in facts_snapshot.SNAPSHOT_FIELDS:
            started = perf_counter()
            snapshot = facts_snapshot.refresh(facts, full=options["full"])
            self.stdout.write(
                f"{facts}: {len(snapshot.ids):,} rows in {facts_snapshot.snapshot_path(facts)} "
                f"({perf_counter() - started:.1f} s)"
            )
