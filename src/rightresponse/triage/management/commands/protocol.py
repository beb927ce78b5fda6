"""``rightresponse protocol check FILE``: validate a protocol and run its example calls.

Exit 0 when the file is valid and every example gets its expected result; 1 otherwise,
after printing each problem or failed example.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rightresponse.core.triage import ProtocolError, load_protocol, run_examples


class Command(BaseCommand):
    help = "Protocol tools: 'check FILE' validates a protocol and runs its examples."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="Validate a protocol and run its examples.")
        check.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            protocol = load_protocol(path)
        except ProtocolError as exc:
            raise CommandError(f"invalid protocol\n{exc}", returncode=1) from None
        self.stdout.write(
            f"{path}: valid, version {protocol.version}: {len(protocol.call_types)} call types, "
            f"{len(protocol.questions)} questions, {len(protocol.programs)} programs, "
            f"{len(protocol.rules)} rules."
        )
        results = run_examples(protocol)
        failed = [r for r in results if not r.passed]
        for result in failed:
            self.stdout.write(
                f"FAIL examples[{result.index}] {result.example.name!r} "
                f"({result.example.call_type}): " + "; ".join(result.failures)
            )
        self.stdout.write(f"Examples: {len(results) - len(failed)} passed, {len(failed)} failed.")
        if failed:
            raise CommandError(f"{len(failed)} example(s) failed", returncode=1)
