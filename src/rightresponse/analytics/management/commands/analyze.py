"""``rightresponse analyze [--dataset SLUG] --out DIR``: summary.json, CSVs, report.html."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.analytics.models import Dataset
from rightresponse.analytics.services import dataset_analyze
from rightresponse.core.analytics.analysis import AnalysisConfig
from rightresponse.core.analytics.profile import ProfileError


class Command(BaseCommand):
    help = "Analyse an imported dataset; writes summary.json, CSV tables and report.html."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dataset", help="dataset slug (default: the only one)")
        parser.add_argument("--out", required=True, help="folder for the report")
        parser.add_argument("--protocol", help="protocol YAML (default: settings)")
        parser.add_argument("--officer-hours", type=float, default=1600.0)

    def handle(self, *args: Any, **options: Any) -> None:
        datasets = Dataset.objects.all()
        if options["dataset"]:
            datasets = datasets.filter(slug=options["dataset"])
        found = list(datasets)
        if not found:
            raise CommandError(
                f"no dataset {options['dataset'] or ''!s}; import one with import-calls first"
            )
        if len(found) > 1:
            raise CommandError(
                "several datasets; choose one with --dataset: " + ", ".join(d.slug for d in found)
            )
        dataset = found[0]
        try:
            from rightresponse.analytics.selectors import profile_get

            profile = profile_get(dataset.profile)
            config = AnalysisConfig(
                officer_hours_per_year=options["officer_hours"],
                severe_dispositions=profile.severe_dispositions,
                police_agencies=profile.police_agencies,
            )
            analysis = dataset_analyze(
                dataset, out_dir=options["out"], protocol_path=options["protocol"], config=config
            )
        except (ProfileError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        review = analysis.summary.get("mapping") or {}
        if review.get("draft"):
            self.stderr.write(
                f"warning: the mapping of {dataset.slug} is a draft: {review['draft_codes']} of "
                f"{review['codes']} codes not reviewed (source not 'reviewed'), e.g. "
                + ", ".join(review["draft_examples"][:3])
                + "; shares and tiers may be wrong until a person has read every row"
            )
        self.stdout.write(
            f"{dataset.slug}: {analysis.total_calls} calls analysed"
            + (f" under protocol {analysis.protocol_version}" if analysis.protocol_version else "")
            + f"; report in {options['out']}/report.html"
        )
