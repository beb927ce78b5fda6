"""``rightresponse import-calls FILE... --profile NAME [--dataset SLUG]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.analytics.services import calls_import
from rightresponse.core.analytics.ingest import ImportFileError
from rightresponse.core.analytics.profile import ProfileError


class Command(BaseCommand):
    help = (
        "Import calls-for-service exports (CSV or Parquet) with an import profile. "
        "Rejected rows go to a rejects CSV; re-importing a file adds nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+")
        parser.add_argument("--profile", required=True, help="profile name or YAML file")
        parser.add_argument("--dataset", help="dataset slug (default: the profile name)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        from rightresponse.analytics.selectors import database_not_ready

        problem = database_not_ready()
        if problem:
            raise CommandError(problem)
        for name in options["files"]:
            try:
                run = calls_import(
                    name,
                    options["profile"],
                    dataset_slug=options["dataset"],
                    progress=not options["no_progress"],
                )
            except (ImportFileError, ProfileError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{run.file_name}: {run.rows_read} rows read, {run.rows_imported} imported, "
                f"{run.rows_already_stored} already stored, {run.rows_rejected} rejected"
                + (f", {run.rows_flagged} flagged" if run.rows_flagged else "")
                + (f" (see {run.rejects_path})" if run.rejects_path else "")
                + f" -> dataset {run.dataset.slug}"
            )
