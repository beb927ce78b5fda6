"""``rightresponse own-incidents [--start DATE] [--end DATE] [--dataset SLUG] [--csv FILE]``:
the system's own incidents imported as a dataset (or only written as CSV), for the same
analyses as a city's imported data (``rightresponse analyze --dataset SLUG``)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rightresponse.analytics.own import PROFILE, own_incidents_import, own_incidents_write
from rightresponse.core.analytics.ingest import ImportFileError
from rightresponse.core.analytics.profile import ProfileError


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--{option}: {text!r} is not a date (YYYY-MM-DD)", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "Export this system's incidents (no personal data) in the layout of the "
        f"{PROFILE!r} import profile and import them as a dataset."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--start", help="first day received (default: a year ago)")
        parser.add_argument("--end", help="last day received, inclusive (default: today)")
        parser.add_argument("--dataset", default=PROFILE, help=f"dataset slug ({PROFILE})")
        parser.add_argument("--csv", help="only write the export to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        from rightresponse.analytics.selectors import database_not_ready

        problem = database_not_ready()
        if problem:
            raise CommandError(problem)
        today = timezone.localdate()
        last = _day(options["end"], "end") if options["end"] else today
        first = _day(options["start"], "start") if options["start"] else last - timedelta(364)
        if first > last:
            raise CommandError("--start is after --end", returncode=2)
        zone = timezone.get_current_timezone()
        start = datetime.combine(first, time.min, tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
        if options["csv"]:
            count = own_incidents_write(options["csv"], start, end)
            self.stdout.write(f"{options['csv']}: {count} incidents ({first} to {last})")
            return
        try:
            run = own_incidents_import(start, end, dataset=options["dataset"])
        except (ImportFileError, ProfileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{run.rows_read} incidents ({first} to {last}): {run.rows_imported} imported, "
            f"{run.rows_already_stored} already stored, {run.rows_rejected} rejected "
            f"-> dataset {run.dataset.slug}; analyse with: rightresponse analyze "
            f"--dataset {run.dataset.slug} --out DIR"
        )
