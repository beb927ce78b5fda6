"""The demo data: idempotent seed, realistic units, and a stream that moves the board."""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.utils import timezone

from rightresponse.accounts.demo import seed as seed_accounts
from rightresponse.dispatch import demo
from rightresponse.dispatch.models import Incident, Unit, UnitMember
from rightresponse.dispatch.selectors import incident_facts
from rightresponse.triage.models import Call

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_gives_every_program_units() -> None:
    seed_accounts(io.StringIO())
    demo.seed(io.StringIO())
    counts = (Unit.objects.count(), UnitMember.objects.count(), Incident.objects.count())
    demo.seed(io.StringIO())
    assert (Unit.objects.count(), UnitMember.objects.count(), Incident.objects.count()) == counts
    programs = set(Unit.objects.values_list("program", flat=True))
    assert {"police", "cit_co_response", "community_responder", "behavioral_crisis_team",
            "ems", "dv_advocate", "violence_interrupters"} <= programs  # fmt: skip
    assert UnitMember.objects.get(user__username="responder").unit.call_sign == "CARE-1"
    facts = incident_facts()
    assert len(facts) > 200 and all(row["outcome"] for row in facts)
    assert any(row["escalated"] for row in facts) and any(
        row["eligible_not_served"] for row in facts
    )


def _weekday_noon() -> datetime:
    """Noon of the next weekday on the city's clock: programs and units keep hours, so at
    night a civilian call rightly waits for the morning (the stream is tested by day)."""
    day = timezone.localdate()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(12)))


def test_stream_steps_create_triaged_calls_and_move_incidents() -> None:
    with time_machine.travel(_weekday_noon(), tick=True):
        _stream_moves_the_board()


def _stream_moves_the_board() -> None:
    seed_accounts(io.StringIO())
    demo.seed(io.StringIO())
    calls_before = Call.objects.count()
    rng = random.Random(7)
    for _ in range(25):
        demo._stream_step(rng)
    assert Call.objects.count() > calls_before
    live = Incident.objects.exclude(call__narrative__startswith="[demo history]")
    assert live.exists()
    assert live.exclude(status="waiting").exists()  # some were dispatched or moved on
