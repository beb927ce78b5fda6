"""Which protocol decides a live call: the schedule of approved versions, cached per process.

Each process checks the schedule's revision counter (one indexed query) at most once per
``CHECK_SECONDS``: creating a call asks for the protocol twice (triage, then dispatch's
recommendation), and a busy center takes many calls a second. The schedule itself
(effective times and version ids) is reloaded only when the counter moved, and a compiled
protocol is kept per version id, since approved text never changes. The switch to a
scheduled version happens exactly at its ``effective_at``, checked on every call against
the clock, so no process needs a restart; an approval or rollback reaches the process that
made it at once (``schedule_changed``) and every other process within ``CHECK_SECONDS``. With no approved version the file protocol
(settings.RIGHTRESPONSE_PROTOCOL) stays live.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from rightresponse.core.triage import Protocol, load_protocol_text

from .models import ProtocolVersion, ScheduleRevision


@dataclass(frozen=True)
class _Schedule:
    counter: tuple[int, datetime] | None  # the revision row's counter and time (None: no row)
    checked: float  # time.monotonic() of the last check of the counter
    times: tuple[datetime, ...]  # effective_at, ascending
    versions: tuple[int, ...]  # the version id effective from times[i]


CHECK_SECONDS = 1.0
_lock = threading.Lock()
_state: dict[str, _Schedule] = {}
_compiled: dict[int, Protocol] = {}


def version_source(pk: int) -> str:
    return f"protocol studio version {pk}"


def compiled_version(version: ProtocolVersion) -> Protocol:
    """The compiled protocol of an approved version (cached: its text is frozen)."""
    hit = _compiled.get(version.pk)
    if hit is None:
        hit = load_protocol_text(version.yaml_text, version_source(version.pk))
        _compiled[version.pk] = hit
    return hit


_by_text: dict[str, Protocol] = {}


def compiled_text(text: str, source: str) -> Protocol:
    """A draft's compiled protocol, kept by the hash of its text (the last 32 texts): the
    impact preview after a save reuses what the save compiled. Raises ProtocolError."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    hit = _by_text.get(digest)
    if hit is None:
        hit = load_protocol_text(text, source)
        if len(_by_text) >= 32:
            _by_text.pop(next(iter(_by_text)))
        _by_text[digest] = hit
    return hit


def _load(counter: tuple[int, datetime] | None) -> _Schedule:
    if counter is None:  # nothing was ever approved
        return _Schedule(None, time.monotonic(), (), ())
    rows = list(
        ProtocolVersion.objects.filter(
            status__in=ProtocolVersion.SCHEDULED, effective_at__isnull=False
        )
        .order_by("effective_at", "approved_at", "pk")
        .values_list("effective_at", "pk")
    )
    return _Schedule(
        counter, time.monotonic(), tuple(t for t, _ in rows), tuple(pk for _, pk in rows)
    )


def schedule_counter() -> tuple[int, datetime] | None:
    """The revision counter with its time: a database restored from a backup (or a test
    database rolled back) can repeat a counter, never both."""
    return ScheduleRevision.objects.filter(pk=1).values_list("counter", "changed_at").first()


def schedule_changed() -> None:
    """Forget the cached schedule (the services call it when their change commits)."""
    _state.pop("schedule", None)


def _current() -> _Schedule:
    schedule = _state.get("schedule")
    if schedule is not None and time.monotonic() - schedule.checked < CHECK_SECONDS:
        return schedule
    counter = schedule_counter()
    if schedule is not None and schedule.counter == counter:
        schedule = replace(schedule, checked=time.monotonic())
    else:
        with _lock:
            schedule = _load(counter)
    _state["schedule"] = schedule
    return schedule


def live_version_id(at: datetime) -> int | None:
    """The id of the version effective at ``at``, or None when the file protocol is."""
    schedule = _current()
    i = bisect.bisect_right(schedule.times, at)
    return schedule.versions[i - 1] if i else None


def published_protocol(at: datetime) -> Protocol | None:
    """The compiled protocol effective at ``at``, or None when no version is effective."""
    pk = live_version_id(at)
    if pk is None:
        return None
    hit = _compiled.get(pk)
    # Compiled on first use only: a superseded version never stops live triage.
    return hit if hit is not None else compiled_version(ProtocolVersion.objects.get(pk=pk))
