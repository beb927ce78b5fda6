"""The protocol that drives live triage.

A version published in the protocol studio (``studio.live``) decides a call from its
effective date and time on; until one is, the protocol file does. The studio costs at most
one indexed query a second per process (its schedule's revision counter) and switches at
the effective moment without a restart.

The file's cache is keyed by file path and modification time, so a city that edits its
protocol file gets the new version on the next call without a restart, and every call in
between costs one ``stat``. An invalid edit raises ProtocolError naming the problem; the
last good version is not silently kept, so nobody triages under a policy they did not mean.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from rightresponse.core.triage import Protocol, ProtocolError, load_protocol

_lock = threading.Lock()
_cache: dict[str, tuple[int, Protocol]] = {}


def active_protocol(path: str | None = None, at: datetime | None = None) -> Protocol:
    """The protocol effective at ``at`` (now): the studio's published version, else the
    file. An explicit ``path`` always means that file (CLI ``--protocol``, tests)."""
    if path is None:
        from rightresponse.studio.live import published_protocol

        published = published_protocol(at or timezone.now())
        if published is not None:
            return published
    return file_protocol(path)


def file_protocol(path: str | None = None) -> Protocol:
    path = str(path or settings.RIGHTRESPONSE_PROTOCOL)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise ProtocolError(path, [("(file)", f"cannot read the file: {exc.strerror}")]) from None
    hit = _cache.get(path)
    if hit is not None and hit[0] == mtime:
        return hit[1]
    with _lock:
        hit = _cache.get(path)
        if hit is not None and hit[0] == mtime:
            return hit[1]
        protocol = load_protocol(path)
        _cache[path] = (mtime, protocol)
        return protocol
