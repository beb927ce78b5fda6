"""The protocol that drives live triage, loaded once per process.

The cache is keyed by file path and modification time, so a city that edits its protocol
file gets the new version on the next call without a restart, and every call in between
costs one ``stat``. An invalid edit raises ProtocolError naming the problem; the last
good version is not silently kept, so nobody triages under a policy they did not mean.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings

from rightresponse.core.triage import Protocol, ProtocolError, load_protocol

_lock = threading.Lock()
_cache: dict[str, tuple[int, Protocol]] = {}


def active_protocol(path: str | None = None) -> Protocol:
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
