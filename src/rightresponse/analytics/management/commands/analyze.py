"""``rightresponse analyze [--dataset SLUG] --out DIR``: summary.json, CSVs, report.html."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.analytics.engines import ENGINES, EngineUnavailable
from rightresponse.analytics.models import Dataset
from rightresponse.analytics.services import analysis_config, dataset_analyze, dataset_compare
from rightresponse.core.analytics.profile import ProfileError


class Command(BaseCommand):
    help = "Analyse an imported dataset; writes summary.json, CSV tables and report.html."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dataset", help="dataset slug (default: the only one)")
        parser.add_argument("--out", required=True, help="folder for the report")
        parser.add_argument("--protocol", help="protocol YAML (default: settings)")
        parser.add_argument(
            "--compare", metavar="PROTOCOL_B", help="a second protocol: A/B side by side"
        )
        parser.add_argument("--officer-hours", type=float, default=1600.0)
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default="duckdb",
            help="duckdb (this process) or spark (a local session, or the cluster named by "
            "the setting RIGHTRESPONSE_SPARK_MASTER)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from rightresponse.analytics.selectors import database_not_ready

        problem = database_not_ready()
        if problem:
            raise CommandError(problem)
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
        from rightresponse.analytics.selectors import profile_get
        from rightresponse.core.triage import ProtocolError

        if options["compare"] and not options["protocol"]:
            raise CommandError("--compare needs --protocol (protocol A)", returncode=2)
        try:
            profile = profile_get(dataset.profile)
            config = analysis_config(profile, officer_hours_per_year=options["officer_hours"])
            if options["compare"]:
                comparison = dataset_compare(
                    dataset,
                    options["protocol"],
                    options["compare"],
                    out_dir=options["out"],
                    config=config,
                    engine=options["engine"],
                )
                self._print_comparison(comparison, options["out"])
                return
            analysis = dataset_analyze(
                dataset,
                out_dir=options["out"],
                protocol_path=options["protocol"],
                config=config,
                engine=options["engine"],
            )
        except (FileNotFoundError, ProtocolError) as exc:
            # A wrong protocol path or a broken protocol is a usage error (exit 2).
            raise CommandError(str(exc), returncode=2) from exc
        except (ProfileError, EngineUnavailable) as exc:
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

    def _print_comparison(self, c: dict[str, Any], out: str) -> None:
        def pct(v: Any) -> str:
            return "-" if v is None else f"{100 * v:.1f}%"

        def num(v: Any) -> str:
            return "not measurable" if v is None else f"{v:,.1f}"

        a, b = c["a"], c["b"]
        self.stdout.write(
            f"{'':24}{'A ' + str(a['protocol_version']):>24}{'B ' + str(b['protocol_version']):>24}"
        )
        for row in c["tiers"]:
            self.stdout.write(
                f"{'tier ' + row['tier'] + ' share of calls':24}"
                f"{pct(row['share_a']):>24}{pct(row['share_b']):>24}"
            )
        self.stdout.write(f"{'civilian-only calls':24}{a['calls']:>24,}{b['calls']:>24,}")
        self.stdout.write(
            f"{'civilian unit-hours':24}{num(a['unit_hours']):>24}{num(b['unit_hours']):>24}"
        )
        self.stdout.write(f"{'civilian FTE':24}{num(a['fte']):>24}{num(b['fte']):>24}")
        self.stdout.write(f"{len(c['moved'])} call types moved tier (compare.csv):")
        for r in c["moved"][:15]:
            self.stdout.write(
                f"  {r['initial_type']}: {r['tier_a']} -> {r['tier_b']} ({r['calls']} calls)"
            )
        self.stdout.write(f"report in {out}/report.html, comparison in {out}/compare.json")
