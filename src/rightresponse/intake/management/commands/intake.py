"""``rightresponse intake --agency SLUG [--user NAME]``: take one call read as JSON on stdin
(``{"call_type": ..., "answers": {...}, "channel": ..., "address": ..., "narrative": ...}``)
through the same intake action as the call-taker page and the API; prints what it became.

Exit codes: 0 recorded; 2 bad input (not JSON, unknown ids, a field out of its rule);
1 not recorded (the incident or virtual case could not be written; nothing was saved).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from rightresponse.accounts.models import Agency
from rightresponse.core.triage import UnknownIdError
from rightresponse.intake.services import IntakeFailed, call_intake
from rightresponse.triage.services import CallDetails, InvalidCall

DETAIL_FIELDS = ("channel", "caller_name", "caller_phone", "address", "narrative")


class Command(BaseCommand):
    help = "Take one call (JSON on stdin) through the intake action and print what it became."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agency", required=True, help="Slug of the agency taking it.")
        parser.add_argument("--user", default="", help="Username recorded as the call taker.")

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(f"--agency: no agency {options['agency']!r}", returncode=2)
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user {options['user']!r}", returncode=2)
        try:
            data = json.load(sys.stdin)
        except json.JSONDecodeError as exc:
            raise CommandError(f"stdin: not JSON ({exc})", returncode=2) from None
        if not isinstance(data, dict) or not isinstance(data.get("call_type"), str):
            raise CommandError("stdin: expected an object with a call_type", returncode=2)
        answers = data.get("answers") or {}
        if not isinstance(answers, dict):
            raise CommandError("stdin: answers must be an object", returncode=2)
        details = CallDetails(**{k: str(data[k]) for k in DETAIL_FIELDS if k in data})
        try:
            result = call_intake(
                user=user, agency=agency, call_type=data["call_type"],
                answers={str(k): str(v) for k, v in answers.items()}, details=details,
            )  # fmt: skip
        except (UnknownIdError, InvalidCall) as exc:
            raise CommandError(str(exc), returncode=2) from None
        except IntakeFailed as exc:
            raise CommandError(str(exc), returncode=1) from None
        out = {
            "call_id": result.call.pk,
            "tier": result.call.tier,
            "incident_id": result.incident.pk if result.incident else None,
            "virtual_case_id": result.case.pk if result.case else None,
        }
        self.stdout.write(json.dumps(out))
