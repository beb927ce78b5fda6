"""A persisted columnar snapshot of the metrics' facts (what BI tools call an extract),
refreshed incrementally, so that the internal dashboard's default view over a year of a
large city's incidents stays interactive from the first request of a fresh process
(issue 5: under 2 s at 400,000 incidents; report ~1853-1890 "internal real-time dashboard").

One file per kind of facts (incidents, referrals) and per database, under
``settings.VAR_DIR/facts/``: the frame of every fact field of every row (NumPy arrays in an
uncompressed ``.npz``, labels and the watermark in a JSON member), written atomically
(temporary file, then ``os.replace``).

Reading (``fact_frame``): the snapshot (from this process's memory, else the file), plus the
rows whose facts changed since its watermark (``facts_changed_at``, stamped by every write;
minus ``OVERLAP`` so a transaction that committed late is not missed) re-read from the
database and put in place by id. A count and id-sum check against the database catches
deletions and rows inserted without a fresh stamp: the ids are then compared, deleted rows
dropped and missing ones read by id (more than RECONCILE_ROWS missing: rebuilt, as when the
file is missing, unreadable or of another format). The result is exactly the frame a
direct read of the database gives (tests/performance/test_facts_snapshot.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connections
from django.utils import timezone

from rightresponse.core.age_bands import AGE_BANDS, AGE_LABELS
from rightresponse.core.metrics import Frame
from rightresponse.core.metrics.facts import FACT_FIELDS, IntArray

log = logging.getLogger(__name__)

FORMAT = 1
# Facts changed this long before the watermark are re-read too: a transaction stamps its
# rows when it writes them, and may commit after a snapshot was taken (the services'
# transactions take milliseconds; `refresh-facts --full` at night bounds the rest).
OVERLAP = timedelta(minutes=2)
# A delta is merged (its cost grows with its rows, not with the snapshot's), and written
# back to the file when it has more rows than PERSIST_ROWS, so that a fresh process does
# not re-read them; a delta of more than half the rows (and REBUILD_ROWS) rebuilds instead:
# the same cost, and the labels no row uses any more go.
PERSIST_ROWS = 500
REBUILD_ROWS = 10_000
# Rows missing from a snapshot (inserted without a stamp) read by id at most; more rebuild.
RECONCILE_ROWS = 5_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# The report's age bands (core/age_bands.py), computed when read: a snapshot holds dates
# of birth, because an age band changes with the day it is read.
SNAPSHOT_FIELDS = {
    "incidents": [name for name in FACT_FIELDS["incidents"] if name != "age_band"],
    "referrals": list(FACT_FIELDS["referrals"]),
}
ID_KEY = {"incidents": "incident_id", "referrals": "referral_id"}


class SnapshotError(Exception):
    """A snapshot file that cannot be used (it is then rebuilt)."""


def enabled() -> bool:
    """On by default; off under test unless a test turns it on (as the frames cache), and
    off with RIGHTRESPONSE_FACTS_SNAPSHOT=0."""
    value = getattr(settings, "RIGHTRESPONSE_FACTS_SNAPSHOT", None)
    if value is None:
        env = os.environ.get("RIGHTRESPONSE_FACTS_SNAPSHOT", "")
        value = env != "0" if env else not getattr(settings, "TESTING", False)
    return bool(value)


@dataclass
class Snapshot:
    """Every row of one kind of facts, sorted by (period stamp, id) as the selectors sort."""

    facts: str
    frame: Frame  # SNAPSHOT_FIELDS of the facts
    ids: IntArray
    period_us: IntArray  # received_at / created_at in exact POSIX microseconds
    birth_ymd: IntArray | None  # incidents: the subject's date of birth as YYYYMMDD, -1 unknown
    watermark: datetime  # every change stamped before watermark - OVERLAP is in

    @property
    def totals(self) -> tuple[int, int]:
        return len(self.ids), int(self.ids.sum())

    def take(self, rows: IntArray | slice) -> Snapshot:
        return Snapshot(
            self.facts,
            self.frame.take(rows),
            self.ids[rows],
            self.period_us[rows],
            None if self.birth_ymd is None else self.birth_ymd[rows],
            self.watermark,
        )


# ---- reading the database
def _microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _read(facts: str, since: datetime | None, ids: list[int] | None = None) -> Snapshot:
    """The rows whose facts changed at or after ``since`` (all when None), or those with
    these ``ids``, from the database, as a snapshot whose watermark is the moment before
    the read."""
    watermark = timezone.now()
    fields = SNAPSHOT_FIELDS[facts]
    if facts == "incidents":
        from rightresponse.dispatch.selectors import incident_facts_snapshot_columns

        columns = incident_facts_snapshot_columns(since, ids)
        size = len(columns["incident_id"])
        frame = Frame.from_columns(facts, columns, size, fields)
        ids = np.array(columns["incident_id"], dtype=np.int64)
        period = np.array(columns["received_us"], dtype=np.int64)
        births: IntArray | None = np.array(columns["birth_ymd"], dtype=np.int64)
    else:
        from rightresponse.ecosystem.selectors import referral_facts_changed

        rows = referral_facts_changed(since, ids)
        frame = Frame.from_rows(facts, rows, fields)
        ids = np.array([row["referral_id"] for row in rows], dtype=np.int64)
        period = np.array([_microseconds(row["created_at"]) for row in rows], dtype=np.int64)
        births = None
    return Snapshot(facts, frame, ids, period, births, watermark)


def _totals(facts: str) -> tuple[int, int]:
    if facts == "incidents":
        from rightresponse.dispatch.selectors import incident_facts_totals

        return incident_facts_totals()
    from rightresponse.ecosystem.selectors import referral_facts_totals

    return referral_facts_totals()


def _ids(facts: str) -> IntArray:
    if facts == "incidents":
        from rightresponse.dispatch.selectors import incident_ids

        return np.array(incident_ids(), dtype=np.int64)
    from rightresponse.ecosystem.selectors import referral_ids

    return np.array(referral_ids(), dtype=np.int64)


def _reconciled(facts: str, snapshot: Snapshot) -> Snapshot | None:
    """The snapshot without the rows deleted from the database and with the rows it lacks
    (inserted without a stamp, or committed very late), by comparing ids; None when too
    many rows are missing (rebuild instead)."""
    present = _ids(facts)
    missing = np.setdiff1d(present, snapshot.ids)
    if len(missing) > RECONCILE_ROWS:
        return None
    kept = snapshot.take(np.flatnonzero(np.isin(snapshot.ids, present)))
    if not len(missing):
        return kept
    return _merge(kept, _read(facts, None, [int(i) for i in missing]))


def _merge(snapshot: Snapshot, delta: Snapshot) -> Snapshot:
    """The snapshot with the delta's rows in place of those with the same ids."""
    if not len(delta.ids):
        return Snapshot(snapshot.facts, snapshot.frame, snapshot.ids, snapshot.period_us,
                        snapshot.birth_ymd, delta.watermark)  # fmt: skip
    kept = snapshot.take(np.flatnonzero(~np.isin(snapshot.ids, delta.ids)))
    ids = np.concatenate([kept.ids, delta.ids])
    period = np.concatenate([kept.period_us, delta.period_us])
    births = None
    if kept.birth_ymd is not None and delta.birth_ymd is not None:
        births = np.concatenate([kept.birth_ymd, delta.birth_ymd])
    merged = Snapshot(snapshot.facts, Frame.concat([kept.frame, delta.frame]), ids, period,
                      births, delta.watermark)  # fmt: skip
    return merged.take(np.lexsort((ids, period)))


# ---- the file
def snapshot_path(facts: str) -> Path:
    """One file per kind of facts and per database (tests, demo and production databases
    never share one)."""
    database = connections["default"].settings_dict
    identity = "|".join(str(database.get(k) or "") for k in ("ENGINE", "HOST", "PORT", "NAME"))
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(str(database.get("NAME") or "db")).name)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "facts" / f"{name}-{digest}-{facts}.npz"


def save(snapshot: Snapshot, path: Path | None = None) -> Path:
    """Write the snapshot atomically: readers see the old file or the new, never half."""
    path = path or snapshot_path(snapshot.facts)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = snapshot.frame
    meta = {
        "format": FORMAT,
        "facts": snapshot.facts,
        "size": frame.size,
        "watermark": snapshot.watermark.isoformat(),
        "labels": frame.labels,
    }
    arrays: dict[str, Any] = {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "ids": snapshot.ids,
        "period_us": snapshot.period_us,
    }
    if snapshot.birth_ymd is not None:
        arrays["birth_ymd"] = snapshot.birth_ymd
    arrays.update({f"t:{k}": v for k, v in frame.times.items()})
    arrays.update({f"n:{k}": v for k, v in frame.numbers.items()})
    arrays.update({f"f:{k}": v for k, v in frame.flags.items()})
    arrays.update({f"c:{k}": v.astype(np.int32) for k, v in frame.codes.items()})
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load(facts: str, path: Path | None = None) -> Snapshot:
    """The snapshot in the file; SnapshotError naming the file and the reason when it
    cannot be used."""
    path = path or snapshot_path(facts)
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if meta.get("format") != FORMAT or meta.get("facts") != facts:
                raise SnapshotError(f"{path}: format {meta.get('format')} of {meta.get('facts')}")
            size = int(meta["size"])
            frame = Frame(facts=facts, size=size)
            kinds = FACT_FIELDS[facts]
            for name in SNAPSHOT_FIELDS[facts]:
                kind = kinds[name]
                if kind == "time":
                    frame.times[name] = data[f"t:{name}"]
                elif kind == "number":
                    frame.numbers[name] = data[f"n:{name}"]
                elif kind == "flag":
                    frame.flags[name] = data[f"f:{name}"]
                else:
                    frame.codes[name] = data[f"c:{name}"].astype(np.int64)
                    frame.labels[name] = list(meta["labels"][name])
                    if len(frame.codes[name]) and (
                        frame.codes[name].min() < 0
                        or frame.codes[name].max() >= len(frame.labels[name])
                    ):
                        raise SnapshotError(f"{path}: codes of {name} out of range")
            births = data["birth_ymd"] if facts == "incidents" else None
            snapshot = Snapshot(facts, frame, data["ids"], data["period_us"], births,
                                datetime.fromisoformat(meta["watermark"]))  # fmt: skip
    except FileNotFoundError:
        raise
    except SnapshotError:
        raise
    except Exception as exc:  # a truncated, foreign or damaged file: name it and why
        raise SnapshotError(f"{path}: {type(exc).__name__}: {exc}") from exc
    columns = [*frame.times.values(), *frame.numbers.values(), *frame.flags.values(),
               *frame.codes.values(), snapshot.ids, snapshot.period_us,
               *([] if births is None else [births])]  # fmt: skip
    if any(len(column) != size for column in columns):
        raise SnapshotError(f"{path}: columns of unequal length")
    return snapshot


# ---- keeping it current
_MEMORY: dict[Path, Snapshot] = {}
_FILE_WATERMARK: dict[Path, datetime] = {}  # of the file as this process last read or wrote it
_LOCK = threading.Lock()


def rebuild(facts: str) -> Snapshot:
    """Read every row from the database and write the snapshot file."""
    snapshot = _read(facts, None)
    path = snapshot_path(facts)
    _write_back(snapshot, path)
    _MEMORY[path] = _frozen(snapshot)
    return snapshot


def _write_back(snapshot: Snapshot, path: Path) -> None:
    """Save; a folder that cannot be written costs fresh processes time, never a page."""
    try:
        save(snapshot, path)
    except OSError as exc:
        log.warning("facts snapshot not written: %s: %s", path, exc)
        return
    _FILE_WATERMARK[path] = snapshot.watermark


def current(facts: str) -> Snapshot:
    """The snapshot brought up to date with the database (see the module's docstring)."""
    path = snapshot_path(facts)
    with _LOCK:  # threads of one process share one refresh
        snapshot = _MEMORY.get(path)
        if snapshot is None:
            try:
                snapshot = load(facts, path)
            except FileNotFoundError:
                return rebuild(facts)
            except SnapshotError as exc:
                log.warning("facts snapshot rebuilt: %s", exc)
                return rebuild(facts)
            _FILE_WATERMARK[path] = snapshot.watermark
        delta = _read(facts, snapshot.watermark - OVERLAP)
        if len(delta.ids) > max(REBUILD_ROWS, len(snapshot.ids) // 2):
            return rebuild(facts)
        merged = _merge(snapshot, delta)
        # Written back when a fresh process would otherwise re-read many rows, at most once
        # per OVERLAP (the rows of the last OVERLAP are re-read anyway).
        write_back = len(delta.ids) > PERSIST_ROWS
        if merged.totals != _totals(facts):  # a deletion, or an insert the stamps missed
            reconciled = _reconciled(facts, merged)
            if reconciled is None:
                return rebuild(facts)
            merged, write_back = reconciled, True
        saved = _FILE_WATERMARK.get(path)
        if write_back and (saved is None or saved < merged.watermark - OVERLAP):
            _write_back(merged, path)
        _MEMORY[path] = _frozen(merged)
        return merged


def refresh(facts: str, *, full: bool = False) -> Snapshot:
    """Bring the file up to date now (the command ``refresh-facts``, the demo seed)."""
    if full:
        return rebuild(facts)
    snapshot = current(facts)
    path = save(snapshot)
    _FILE_WATERMARK[path] = snapshot.watermark
    return snapshot


def _frozen(snapshot: Snapshot) -> Snapshot:
    """Read-only arrays: the frames handed to requests are views of them, and a metric that
    wrote into one would otherwise change every later request's figures."""
    frame = snapshot.frame
    for column in (*frame.times.values(), *frame.numbers.values(), *frame.flags.values(),
                   *frame.codes.values(), snapshot.ids, snapshot.period_us,
                   *([] if snapshot.birth_ymd is None else [snapshot.birth_ymd])):  # fmt: skip
        column.flags.writeable = False
    return snapshot


def forget() -> None:
    """Drop this process's copies (tests; the file stays)."""
    _MEMORY.clear()
    _FILE_WATERMARK.clear()


def fact_frame(
    facts: str, start: datetime | None, end: datetime | None, fields: Iterable[str]
) -> Frame:
    """The frame ``Frame.from_columns`` builds from a direct read of the facts received or
    created in [start, end), with ``fields``, from the snapshot."""
    snapshot = current(facts)
    lo = 0 if start is None else int(np.searchsorted(snapshot.period_us, _microseconds(start)))
    hi = (
        len(snapshot.ids)
        if end is None
        else int(np.searchsorted(snapshot.period_us, _microseconds(end)))
    )
    wanted = set(fields)
    part = snapshot.frame.select(wanted).take(slice(lo, hi))
    if "age_band" in wanted and snapshot.birth_ymd is not None:
        part.codes["age_band"] = age_band_codes(snapshot.birth_ymd[lo:hi], date.today())
        part.labels["age_band"] = list(AGE_LABELS)
    return part.compact()


def age_band_codes(birth_ymd: IntArray, today: date) -> IntArray:
    """Codes into AGE_LABELS, as core/age_bands.age_band bands a date of birth on
    ``today`` (a test compares them): a YYYYMMDD difference divided by 10,000 is the age in
    whole years."""
    age = (today.year * 10000 + today.month * 100 + today.day - birth_ymd) // 10000
    codes = np.full(len(birth_ymd), len(AGE_LABELS) - 1, dtype=np.int64)
    for position, (upper, _) in reversed(list(enumerate(AGE_BANDS, start=1))):
        codes[age <= upper] = position
    codes[birth_ymd < 0] = 0
    return codes


def serves(facts: str, source: Callable[..., Any]) -> bool:
    """Is ``source`` the real selector of these facts (not a stand-in of a test)?"""
    return getattr(source, "__name__", "") == {
        "incidents": "incident_facts",
        "referrals": "referral_facts",
    }.get(facts) and getattr(source, "__module__", "").startswith("rightresponse.")
