"""Demo data of the intake app: a 988 crisis line (its own agency and a counselor login,
so a hotline's side of a transfer can be tried), a few Tier 0 reports in the queue, and a
year of virtual cases, online reports and transfers behind the dispatch demo's history."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.accounts import roles as r
from rightresponse.accounts.demo import DEMO_PASSWORD
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import user_create
from rightresponse.triage.models import Call
from rightresponse.triage.services import CallDetails

from .models import HotlineTransfer, OnlineReport, VirtualCase
from .services import call_intake

SAFE = {"crime_in_progress": "no", "suspect_on_scene": "no", "weapon": "no", "injury": "no",
        "firearm_or_vehicle_involved": "no"}  # fmt: skip
REPORTS = [
    ("online", "Bike taken from the rack outside the library overnight."),
    ("311", "Car window smashed in the lot, nothing taken."),
    ("911", "Package stolen from the porch this afternoon."),
]


def seed(stdout: Any) -> None:
    hotline, _ = Agency.objects.get_or_create(
        slug="crisis-988", defaults={"name": "988 Crisis Line", "kind": "county"}
    )
    from django.contrib.auth import get_user_model

    if not get_user_model().objects.filter(username="counselor").exists():
        user_create(username="counselor", password=DEMO_PASSWORD, agency=hotline,
                    roles=[r.CALL_TAKER], first_name="Morgan", last_name="Lee",
                    title="Crisis counselor")  # fmt: skip
    center = Agency.objects.filter(slug="metro-911").first()
    if center is None:
        return
    added = 0
    for channel, narrative in REPORTS:
        if Call.objects.filter(narrative=narrative).exists():
            continue
        call_intake(user=None, agency=center, call_type="property_crime_report", answers=SAFE,
                    details=CallDetails(channel=channel, narrative=narrative))  # fmt: skip
        added += 1
    stdout.write(f"  988 crisis line and its counselor; {added} reports in the queue")
    if not OnlineReport.objects.exists():
        cases, starts, transfers = seed_history(random.Random(13), center, hotline)
        stdout.write(f"  history: {cases} virtual cases, {starts} online reports started, "
                     f"{transfers} hotline transfers")  # fmt: skip


# ---------------------------------------------------------------- a year of history
# The dispatch demo writes a year of calls in bulk (dispatch/demo_history.py); its Tier 0
# calls become what the intake action makes of them, written in bulk the same way, so the
# virtual-reporting and hotline figures have a year behind them (issue 13 item 5).
HANDBACK_SHARE = 0.12  # transfers handed back to 911 for an in-person response


def _minutes(rng: random.Random, median: float, cap: float) -> timedelta:
    return timedelta(minutes=min(cap, rng.lognormvariate(math.log(median), 0.6)))


def seed_history(rng: random.Random, center: Agency, hotline: Agency) -> tuple[int, int, int]:
    """Virtual cases for the history's Tier 0 calls (a third of the property reports filed
    online, each with its started report; more started online and abandoned or sent to
    911), and 988 transfers: a 911 crisis call transferred before each history call on the
    988 line that needed someone sent (its hand-back), and others closed by the hotline.
    Returns (cases, online reports started, transfers)."""
    from rightresponse.dispatch.demo_history import MARKER

    now = timezone.now()
    history = Call.objects.filter(narrative__startswith=MARKER, agency=center)
    tier0 = list(history.filter(tier=0, screened_out=False, virtual_case__isnull=True))
    online_ids = {c.pk for c in tier0 if c.call_type == "property_crime_report"
                  and c.channel != "988" and rng.random() < 0.35}  # fmt: skip
    Call.objects.filter(pk__in=online_ids).update(channel="online")
    cases, starts = [], []
    for call in tier0:
        online = call.pk in online_ids
        opened = call.triaged_at or call.received_at
        case = VirtualCase(call=call, agency=center, channel="online" if online else call.channel,
                           opened_at=opened, advised_direct=online)  # fmt: skip
        if now - opened > timedelta(hours=2):
            case.taken_at = opened + _minutes(rng, 25 if online else 9, 600)
            case.closed_at = case.taken_at + _minutes(rng, 8, 90)
            lost = rng.random() < (0.04 if online else 0.10)
            case.status = "abandoned" if lost else "completed"
            case.advised_direct = online or (call.channel == "911" and rng.random() < 0.7)
        cases.append(case)
        if online:
            starts.append(OnlineReport(
                call_type=call.call_type, category=call.decision.get("category", ""),
                started_at=call.received_at - _minutes(rng, 6, 40), status="completed",
                finished_at=call.received_at, case=case))  # fmt: skip
    # People who started an online report and left it (abandoned when read), or whose
    # answers sent them to 911 (elevated).
    for _ in range(max(1, len(online_ids) // 4)):
        started = now - timedelta(days=rng.uniform(0.1, 364))
        elevated = rng.random() < 0.2
        starts.append(OnlineReport(
            call_type="property_crime_report", category="property_crime", started_at=started,
            status="elevated" if elevated else "initiated",
            finished_at=started + _minutes(rng, 3, 20) if elevated else None))  # fmt: skip
    transfers, originals = _transfer_history(rng, center, hotline, history, now)
    with transaction.atomic():
        Call.objects.bulk_create(originals, batch_size=500)
        cases += [VirtualCase(call=c, agency=center, channel="911", opened_at=c.triaged_at,
                              status="completed", taken_at=c.triaged_at,
                              closed_at=c.triaged_at + timedelta(minutes=3))
                  for c in originals]  # fmt: skip
        VirtualCase.objects.bulk_create(cases, batch_size=500)
        for start in starts:  # the case's id, now that it has one
            start.case_id = start.case.pk if start.case is not None else None
        OnlineReport.objects.bulk_create(starts, batch_size=500)
        for transfer in transfers:
            transfer.call_id = transfer.call.pk
        HotlineTransfer.objects.bulk_create(transfers, batch_size=500)
    return len(cases), len(starts), len(transfers)


def _transfer_history(
    rng: random.Random, center: Agency, hotline: Agency, history: Any, now: datetime
) -> tuple[list[HotlineTransfer], list[Call]]:
    """Each history call on the 988 line that became an incident is a hand-back: a 911
    crisis call at the same place came first and was transferred. More 911 calls were
    transferred and closed by the hotline (resolved, referred, no contact) or declined."""
    from rightresponse.core.triage import decide
    from rightresponse.triage.protocols import active_protocol

    protocol = active_protocol()
    talk = decide(protocol, "emotional_support",
                  {"threat_to_life": "no", "weapon": "no", "medical_emergency": "no"})  # fmt: skip
    backs = list(history.filter(channel="988", tier__gte=1, handed_back_from__isnull=True,
                                incident__isnull=False))  # fmt: skip
    places = list(history.values_list("address", "latitude", "longitude", "area")[:500])
    plans: list[tuple[datetime, tuple[Any, ...], str, Call | None]] = []
    for back in backs:
        at = back.received_at - _minutes(rng, 35, 180)
        place = (back.address, back.latitude, back.longitude, back.area)
        plans.append((at, place, back.caller_phone, back))
    for _ in range(len(backs) * int(1 / HANDBACK_SHARE - 1)):
        at = now - timedelta(days=rng.uniform(0.05, 364))
        plans.append((at, rng.choice(places), f"612555{rng.randint(0, 9999):04d}", None))
    originals, transfers = [], []
    for at, (address, lat, lon, area), phone, back in plans:
        call = Call(
            agency=center, received_at=at, answered_at=at + timedelta(seconds=rng.randint(3, 20)),
            answer_wait_measured=True, triaged_at=at + timedelta(seconds=rng.randint(60, 150)),
            channel="911", caller_phone=phone, address=address, latitude=lat, longitude=lon,
            area=area, call_type="emotional_support", decision=talk.to_dict(),
            narrative="[demo history] transferred to 988", protocol_version=talk.protocol_version,
            tier=0, answers={}, risk_score=talk.risk.score, risk_band=talk.risk.band,
        )  # fmt: skip
        originals.append(call)
        requested = call.triaged_at + timedelta(seconds=rng.randint(20, 90))
        transfer = HotlineTransfer(call=call, from_agency=center, to_agency=hotline,
                                   hotline="988", handoff="warm" if rng.random() < 0.7 else "cold",
                                   requested_at=requested)  # fmt: skip
        if now - requested < timedelta(minutes=30) and back is None:
            transfers.append(transfer)  # still open
            continue
        transfer.answered_at = requested + _minutes(rng, 0.8, 10)
        if back is not None:
            transfer.status, transfer.hand_back_call = "handed_back", back
            transfer.hand_back_reason = "in-person help needed (demo)"
            transfer.closed_at = back.received_at
        elif rng.random() < 0.06:
            transfer.status, transfer.declined_reason = "declined", "no counselor free (demo)"
            transfer.closed_at = transfer.answered_at
        else:
            transfer.status = "closed"
            transfer.outcome = rng.choices(["resolved", "referred", "no_contact"], [6, 3, 1])[0]
            transfer.closed_at = transfer.answered_at + _minutes(rng, 18, 120)
        transfers.append(transfer)
    return transfers, originals
