"""``rightresponse triage [--protocol FILE] [--explain]``: one call as JSON on stdin, the
decision as JSON (or, with --explain, in words) on stdout. The call may say when it came
in (``received_at``, default now) and where (``area``): programs' hours and areas.

Exit codes: 0 decided; 2 bad input (not JSON, unknown call type or question ids);
1 the protocol file is invalid.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from rightresponse.core.triage import (
    TIER_LABELS,
    Decision,
    Protocol,
    ProtocolError,
    UnknownIdError,
    load_protocol,
)
from rightresponse.triage.protocols import active_protocol
from rightresponse.triage.services import call_decide


def _when_and_where(call: dict[str, Any]) -> tuple[datetime | None, str]:
    """The optional ``received_at`` (ISO 8601 with its offset; default now) and ``area``
    (the call's precinct; default not known): the programs open to the call."""
    raw, area = call.get("received_at"), call.get("area", "")
    if not isinstance(area, str) or len(area) > 60:
        raise CommandError('"area" must be a precinct name (text)', returncode=2)
    if raw is None:
        return None, area
    try:
        received = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        received = None
    if received is None or received.tzinfo is None:
        raise CommandError(
            '"received_at" must be an ISO 8601 time with its offset, e.g. '
            '"2026-03-04T03:00:00-08:00"',
            returncode=2,
        )
    return received, area


def explain(protocol: Protocol, decision: Decision) -> str:
    """The decision for a person: tier, who to send, risk, why, and what to ask next."""
    lead = f" (lead: {decision.lead})" if decision.lead else ""
    lines = [f"Tier {decision.tier}: {TIER_LABELS[decision.tier]}{lead}"]
    if decision.screened_out:
        lines.append("Screened out: no formal response.")
    if decision.programs:
        labels = [protocol.programs[p].label for p in decision.programs]
        lines.append("Send: " + ", ".join(labels))
    risk = decision.risk
    lines.append(
        f"Risk: {risk.band} (likelihood {risk.likelihood} x consequence {risk.consequence}"
        f" = {risk.score})"
    )
    lines.append("Why:")
    lines += [f"  - {reason}" for reason in decision.reasons]
    if decision.ask_next:
        lines.append("Ask next:")
        lines += [
            f"  {i}. {protocol.questions[q].text} ({q})" for i, q in enumerate(decision.ask_next, 1)
        ]
    lines.append(f"Protocol {decision.protocol_version}, call type {decision.call_type}.")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Triage one call read as JSON on stdin and print the decision."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--protocol", default=None, help="Protocol file (default: the live protocol)."
        )
        parser.add_argument(
            "--explain", action="store_true", help="Print the decision for a person."
        )

    def _live(self) -> Protocol:
        """Without --protocol: the live one (the studio's published version, else the file).
        A machine without a migrated database gets the file, and is told so."""
        try:
            return active_protocol()
        except DatabaseError as exc:
            path = settings.RIGHTRESPONSE_PROTOCOL
            self.stderr.write(f"No protocol studio database ({exc}): using the file {path}.")
            return load_protocol(path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            protocol = load_protocol(options["protocol"]) if options["protocol"] else self._live()
        except ProtocolError as exc:
            raise CommandError(str(exc), returncode=1) from None
        try:
            call = json.loads(sys.stdin.read())
        except json.JSONDecodeError as exc:
            raise CommandError(f"stdin is not JSON: {exc}", returncode=2) from None
        if not isinstance(call, dict) or not isinstance(call.get("call_type"), str):
            raise CommandError(
                'expected {"call_type": "...", "answers": {"question": "yes|no|unknown"}}',
                returncode=2,
            )
        answers = call.get("answers", {})
        if not isinstance(answers, dict):
            raise CommandError('"answers" must be an object of question id -> answer', returncode=2)
        received, area = _when_and_where(call)
        try:
            decision = call_decide(
                protocol, call["call_type"], answers, received_at=received, area=area
            )
        except UnknownIdError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["explain"]:
            self.stdout.write(explain(protocol, decision))
        else:
            self.stdout.write(json.dumps(decision.to_dict(), indent=2))
