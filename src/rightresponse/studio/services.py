"""Writes of the protocol studio: drafts, submission, approval (two-person rule), rollback.

Every write is audited (``accounts.services.audit_record``). A change to the schedule of
approved versions raises ``ScheduleRevision.counter`` in the same transaction, which is
how every process learns of it on its next call (``studio.live``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from rightresponse.accounts.services import audit_record
from rightresponse.core.triage import (
    ProtocolError,
    load_protocol_text,
    read_yaml_text,
    run_examples,
)
from rightresponse.core.triage.loader import read_text
from rightresponse.geo.selectors import area_names

from .live import compiled_text, schedule_changed
from .models import ProtocolVersion, ScheduleRevision

MAX_YAML_CHARS = 500_000
# An approval may not take effect in the past: calls already decided stay decided. A
# minute of slack covers the time between choosing "now" on the page and submitting it.
PAST_SLACK = timedelta(minutes=1)
_VERSION_LINE = re.compile(r"""^version:[ \t]*(["']?)(?P<value>[^"'\n#]*?)\1[ \t]*(#.*)?$""", re.M)


class StudioError(ValueError):
    """A studio action refused; the message says why (shown to the user, 4xx in the API)."""

    def __init__(self, message: str, *, problems: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class Checked:
    """A protocol text checked: its version and name, problems, example call results."""

    version: str
    name: str
    problems: list[dict[str, str]]
    examples: list[dict[str, Any]]

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def examples_pass(self) -> bool:
        return all(e["passed"] for e in self.examples)


def protocol_check(yaml_text: str, source: str = "draft", *, city_areas: bool = True) -> Checked:
    """Validate a protocol text with the loader (schema + semantic checks) and run its
    example calls. Never raises for a bad protocol: problems are returned by place.
    ``city_areas``: programs' areas must be the city's (what authors write); False for a
    text that decided calls already (the file, a version restored), which live triage
    loads without that check."""
    if len(yaml_text) > MAX_YAML_CHARS:
        problem = {"path": "(file)", "reason": f"longer than {MAX_YAML_CHARS:,} characters"}
        return Checked("", "", [problem], [])
    try:
        data = read_yaml_text(yaml_text, source)
    except ProtocolError as exc:
        return Checked("", "", [{"path": p, "reason": r} for p, r in exc.problems], [])
    version = str(data.get("version", ""))[:60] if isinstance(data, dict) else ""
    name = str(data.get("name", ""))[:200] if isinstance(data, dict) else ""
    # Programs' areas must be the city's own (its precinct boundaries), once it has any.
    areas = area_names() if city_areas else None
    try:
        protocol = (
            compiled_text(yaml_text, source)
            if areas is None
            else load_protocol_text(yaml_text, source, known_areas=areas)
        )
    except ProtocolError as exc:
        return Checked(version, name, [{"path": p, "reason": r} for p, r in exc.problems], [])
    examples = [
        {
            "index": r.index,
            "name": r.example.name,
            "call_type": r.example.call_type,
            "passed": r.passed,
            "failures": list(r.failures),
            "tier": r.decision.tier if r.decision else None,
            "lead": r.decision.lead if r.decision else None,
        }
        for r in run_examples(protocol)
    ]
    return Checked(protocol.version, protocol.name, [], examples)


def file_protocol_text() -> str:
    """The protocol file's text; a file that cannot be read (missing, another encoding, too
    large) is a ProtocolError naming it, which pages show as 503 with the reason."""
    return read_text(settings.RIGHTRESPONSE_PROTOCOL)


def _file_text_or_none() -> str | None:
    try:
        return file_protocol_text()
    except ProtocolError:
        return None


def _apply_check(version: ProtocolVersion, checked: Checked) -> None:
    version.version_label = checked.version
    version.name = checked.name
    version.valid = checked.valid
    version.problems = checked.problems
    version.example_results = checked.examples


def _with_version(yaml_text: str, new_version: str) -> str:
    """The text with its top-level ``version:`` replaced (comments kept)."""
    return _VERSION_LINE.sub(f'version: "{new_version}"', yaml_text, count=1)


def _audit(
    user: AbstractBaseUser | None, version: ProtocolVersion, purpose: str, **detail: Any
) -> None:
    audit_record(
        user,
        "write",
        "protocol_version",
        version.pk,
        purpose=purpose,
        detail={"version": version.version_label, "status": version.status, **detail},
    )


@transaction.atomic
def draft_create(
    *,
    user: AbstractBaseUser,
    parent: ProtocolVersion | None = None,
    yaml_text: str | None = None,
    note: str = "",
) -> ProtocolVersion:
    """A new draft: the given text, else a copy of ``parent``, else of the protocol file.

    A copy gets a new version string (``<parent's>+s<id>``) so that calls decided by it can
    be told from calls decided by its parent; the author may change it."""
    copied = yaml_text is None
    text = (
        yaml_text
        if yaml_text is not None
        else (parent.yaml_text if parent is not None else file_protocol_text())
    )
    version = ProtocolVersion.objects.create(
        yaml_text=text, parent=parent, author=user, note=note[:4000]
    )
    if copied:
        base = re.sub(r"\+s\d+$", "", read_version(text))
        version.yaml_text = _with_version(text, f"{base[:50]}+s{version.pk}")
    _apply_check(version, protocol_check(version.yaml_text, f"draft {version.pk}"))
    version.save()
    version.editors.add(user)
    _audit(user, version, "protocol draft created", parent=parent.pk if parent else None)
    return version


def read_version(yaml_text: str) -> str:
    match = _VERSION_LINE.search(yaml_text)
    return match["value"].strip() if match else "draft"


@transaction.atomic
def draft_save(
    *, user: AbstractBaseUser, version: ProtocolVersion, yaml_text: str, note: str | None = None
) -> ProtocolVersion:
    """Save a draft's text, valid or not; validation and the example calls are re-run and
    stored with it. Only a draft can change: a submitted version is withdrawn first."""
    version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProtocolVersion.DRAFT:
        raise StudioError(
            f"Version {version.pk} is {version.get_status_display().lower()}: only a draft "
            "can be edited (withdraw it, or start a new draft from it)."
        )
    if len(yaml_text) > MAX_YAML_CHARS:
        raise StudioError(f"The protocol is longer than {MAX_YAML_CHARS:,} characters.")
    version.yaml_text = yaml_text
    if note is not None:
        version.note = note[:4000]
    checked = protocol_check(yaml_text, f"draft {version.pk}")
    _apply_check(version, checked)
    version.save()
    version.editors.add(user)
    _audit(
        user,
        version,
        "protocol draft saved",
        valid=checked.valid,
        examples_failed=sum(1 for e in checked.examples if not e["passed"]),
    )
    return version


def _require_approvable(version: ProtocolVersion, action: str) -> Checked:
    """Re-check the stored text now (never trust a stored flag): valid, examples pass."""
    checked = protocol_check(version.yaml_text, f"version {version.pk}")
    if not checked.valid:
        raise StudioError(
            f"Version {version.pk} cannot be {action}: the protocol has "
            f"{len(checked.problems)} problem(s); fix them in the draft first.",
            problems=checked.problems,
        )
    failing = [e for e in checked.examples if not e["passed"]]
    if failing:
        raise StudioError(
            f"Version {version.pk} cannot be {action}: {len(failing)} example call(s) fail "
            f"(first: {failing[0]['name']!r}: {'; '.join(failing[0]['failures'])}).",
        )
    return checked


@transaction.atomic
def draft_submit(*, user: AbstractBaseUser, version: ProtocolVersion) -> ProtocolVersion:
    version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProtocolVersion.DRAFT:
        raise StudioError(f"Version {version.pk} is not a draft.")
    _require_approvable(version, "submitted")
    version.status = ProtocolVersion.SUBMITTED
    version.submitted_by = user
    version.submitted_at = timezone.now()
    version.save()
    _audit(user, version, "protocol submitted for approval")
    return version


@transaction.atomic
def draft_withdraw(
    *, user: AbstractBaseUser, version: ProtocolVersion, reason: str = ""
) -> ProtocolVersion:
    """A submitted version back to draft: its author withdraws it, or an approver returns
    it with a reason."""
    version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProtocolVersion.SUBMITTED:
        raise StudioError(f"Version {version.pk} is not submitted.")
    version.status = ProtocolVersion.DRAFT
    version.submitted_by = None
    version.submitted_at = None
    version.save()
    _audit(user, version, "protocol returned to draft", reason=reason[:500])
    return version


def _bump_schedule() -> None:
    # This process forgets its cached schedule now and again when the change commits
    # (a reader in between may have cached the old one); other processes see the counter.
    schedule_changed()
    transaction.on_commit(schedule_changed)
    ScheduleRevision.objects.select_for_update().get_or_create(pk=1)
    ScheduleRevision.objects.filter(pk=1).update(
        counter=F("counter") + 1, changed_at=timezone.now()
    )


def _baseline(user: AbstractBaseUser, at: datetime) -> None:
    """The first approval records the protocol file as the version that was live before
    it, so the schedule is complete and a rollback can return to the file."""
    if ProtocolVersion.objects.filter(status__in=ProtocolVersion.SCHEDULED).exists():
        return
    text = _file_text_or_none()
    if text is None:
        return  # no readable file: nothing was live before, nothing to record
    checked = protocol_check(text, str(settings.RIGHTRESPONSE_PROTOCOL), city_areas=False)
    at = at - timedelta(seconds=1)  # sorts before a version approved to take effect now
    if not checked.valid:
        return  # live triage is failing on the file already; nothing to roll back to
    base = ProtocolVersion(
        yaml_text=text,
        status=ProtocolVersion.PUBLISHED,
        note=f"The protocol file {settings.RIGHTRESPONSE_PROTOCOL}, live before the studio.",
        approver=user,
        approved_at=at,
        effective_at=at,
    )
    _apply_check(base, checked)
    base.save()
    _audit(user, base, "protocol file recorded as the live version")


@transaction.atomic
def version_approve(
    *, user: AbstractBaseUser, version: ProtocolVersion, effective_at: datetime | None = None
) -> ProtocolVersion:
    """Approve a submitted version to take effect at ``effective_at`` (now by default).

    Two-person rule: nobody who wrote or submitted the text may approve it. The text is
    validated again and its example calls must pass; its version string must be new."""
    _bump_schedule()  # also serialises approvals and rollbacks (row lock)
    version = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ProtocolVersion.SUBMITTED:
        raise StudioError(
            f"Version {version.pk} is {version.get_status_display().lower()}: only a submitted "
            "version can be approved."
        )
    writers = set(version.editors.values_list("pk", flat=True))
    writers |= {version.author_id, version.submitted_by_id} - {None}
    if user.pk in writers:
        raise StudioError(
            "Two-person rule: you wrote or submitted this version, so another approver "
            "must approve it."
        )
    checked = _require_approvable(version, "approved")
    now = timezone.now()
    effective_at = effective_at or now
    if effective_at < now - PAST_SLACK:
        raise StudioError("The effective time is in the past: choose now or a later time.")
    _apply_check(version, checked)
    other = (
        ProtocolVersion.objects.filter(version_label=version.version_label)
        .exclude(pk=version.pk)
        .exclude(status=ProtocolVersion.DRAFT)
        .exclude(yaml_text=version.yaml_text)
        .first()
    )
    clash = str(other) if other is not None else ""
    # A broken file decides nothing, so it cannot clash (the studio does not need it).
    file_text = _file_text_or_none() or ""
    if not clash and file_text and read_version(file_text) == version.version_label != "":
        clash = "the protocol file" if file_text != version.yaml_text else ""
    if clash:
        raise StudioError(
            f"The version string {version.version_label!r} is already used by {clash}: calls "
            "record it, so a different protocol needs a new one. Return it to draft and "
            "change its version."
        )
    _baseline(user, now)
    version.status = ProtocolVersion.PUBLISHED if effective_at <= now else ProtocolVersion.APPROVED
    version.approver = user
    version.approved_at = now
    version.effective_at = effective_at
    version.save()
    _audit(user, version, "protocol approved", effective_at=effective_at.isoformat())
    return version


@transaction.atomic
def version_rollback(*, user: AbstractBaseUser, target: ProtocolVersion) -> ProtocolVersion:
    """Make an earlier approved version live again now, in one action.

    The schedule is append-only: a new published entry carries the earlier text (and its
    version string, so calls record what decided them), effective now. Versions scheduled
    for later are retired, since they would silently undo the rollback. One person may
    do it: the text restored was approved under the two-person rule before."""
    _bump_schedule()
    target = ProtocolVersion.objects.select_for_update().get(pk=target.pk)
    now = timezone.now()
    if target.status not in ProtocolVersion.SCHEDULED or not target.effective_at:
        raise StudioError(f"Version {target.pk} was never approved: it cannot be restored.")
    if target.effective_at > now:
        raise StudioError(f"Version {target.pk} has not taken effect yet: nothing to roll back to.")
    checked = protocol_check(target.yaml_text, f"version {target.pk}", city_areas=False)
    if not checked.valid:
        raise StudioError(
            f"Version {target.pk} no longer validates: it cannot be restored.",
            problems=checked.problems,
        )
    retired = list(
        ProtocolVersion.objects.filter(
            status__in=ProtocolVersion.SCHEDULED, effective_at__gt=now
        ).values_list("pk", flat=True)
    )
    ProtocolVersion.objects.filter(pk__in=retired).update(
        status=ProtocolVersion.RETIRED, retired_at=now
    )
    restored = ProtocolVersion(
        yaml_text=target.yaml_text,
        status=ProtocolVersion.PUBLISHED,
        parent=target,
        rollback_of=target,
        author=user,
        approver=user,
        approved_at=now,
        effective_at=now,
        note=f"Rollback to version {target.pk} ({target.version_label}).",
    )
    _apply_check(restored, checked)
    restored.save()
    _audit(user, restored, "protocol rolled back", restored_from=target.pk, retired=retired)
    return restored
