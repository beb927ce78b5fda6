"""Reads of the protocol studio: versions, their state in the schedule, diffs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rightresponse.core.triage import Protocol, ProtocolError, read_yaml_text
from rightresponse.core.triage.diff import ProtocolDiff, diff_protocols

from .live import live_version_id
from .models import ProtocolVersion
from .services import StudioError, file_protocol_text


def versions_list() -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.select_related("author", "approver", "submitted_by")


def version_get(pk: int) -> ProtocolVersion:
    version = versions_list().filter(pk=pk).first()
    if version is None:
        raise ProtocolVersion.DoesNotExist(f"No protocol version {pk}.")
    return version


def live_version(at: datetime | None = None) -> ProtocolVersion | None:
    """The version deciding calls now, or None while the protocol file does."""
    pk = live_version_id(at or timezone.now())
    return versions_list().filter(pk=pk).first() if pk is not None else None


def version_state(version: ProtocolVersion, live_pk: int | None, now: datetime) -> str:
    """What a reader needs: draft, submitted, live, scheduled, superseded or retired."""
    if version.status in ProtocolVersion.SCHEDULED and version.effective_at is not None:
        if version.pk == live_pk:
            return "live"
        return "scheduled" if version.effective_at > now else "superseded"
    return version.status


def _parsed(text: str, what: str) -> Mapping[str, Any]:
    try:
        data = read_yaml_text(text, what)
    except ProtocolError as exc:
        raise StudioError(f"{what} is not readable YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise StudioError(f"{what} is not a protocol (a mapping of sections).")
    return data


def version_diff(before: ProtocolVersion | None, after: ProtocolVersion) -> ProtocolDiff:
    """The semantic diff from ``before`` (None: the protocol file) to ``after``."""
    old_text = before.yaml_text if before is not None else file_protocol_text()
    old_name = f"version {before.pk}" if before is not None else "the protocol file"
    return diff_protocols(
        _parsed(old_text, old_name), _parsed(after.yaml_text, f"version {after.pk}")
    )


def live_text_and_label(at: datetime | None = None) -> tuple[str, str, ProtocolVersion | None]:
    """The live protocol's text, a label for it, and its version row (None: the file)."""
    live = live_version(at)
    if live is not None:
        return live.yaml_text, f"version {live.pk} ({live.version_label})", live
    return file_protocol_text(), "the protocol file", None


def live_protocol() -> tuple[Protocol, str]:
    """The compiled protocol deciding calls now, and a name for it."""
    from rightresponse.triage.protocols import active_protocol

    protocol = active_protocol()
    live = live_version()
    name = (
        f"version {live.pk} ({protocol.version})"
        if live
        else f"the protocol file ({protocol.version})"
    )
    return protocol, name
