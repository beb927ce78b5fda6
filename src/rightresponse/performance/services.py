"""Writes of the performance pillar: entered values (form and CSV upload), targets,
CitiStat meetings and action items. Every write records who and when."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from rightresponse.accounts.services import audit_record

from .models import ActionItem, CitiStatMeeting, EnteredValue, MetricTarget
from .selectors import metrics_catalog, previous_meeting

CSV_COLUMNS = ("metric_id", "period_start", "period_end", "value")
CSV_OPTIONAL = ("area", "dimension", "group", "note")
MAX_ROWS = 10_000


class EntryError(ValueError):
    """Bad input: each message names the place (row and column) and the reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Entry:
    metric_id: str
    period_start: date
    period_end: date
    value: float
    area: str = ""
    dimension: str = ""
    group: str = ""
    note: str = ""


def _parse_date(text: str, place: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        problems.append(f"{place}: {text!r} is not a date (YYYY-MM-DD)")
        return None


def entry_check(raw: dict[str, Any], place: str) -> tuple[Entry | None, list[str]]:
    """Validate one entry against the catalog; returns the entry or the problems."""
    problems: list[str] = []
    catalog = metrics_catalog()
    metric_id = str(raw.get("metric_id") or "").strip()
    metric = catalog.metrics.get(metric_id)
    if metric is None:
        problems.append(f"{place}, metric_id: unknown metric {metric_id!r}")
    elif metric.computed:
        problems.append(
            f"{place}, metric_id: {metric_id!r} is computed from records and cannot be entered"
        )
    start = _parse_date(str(raw.get("period_start") or ""), f"{place}, period_start", problems)
    end = _parse_date(str(raw.get("period_end") or ""), f"{place}, period_end", problems)
    if start and end and end < start:
        problems.append(f"{place}, period_end: {end} is before period_start {start}")
    value: float | None = None
    text = str(raw.get("value") if raw.get("value") is not None else "").strip()
    try:
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
    except ValueError:
        problems.append(f"{place}, value: {text!r} is not a number")
        value = None
    if metric is not None and value is not None:
        if value < 0 and metric.unit != "score":
            problems.append(f"{place}, value: {value:g} is negative")
        if metric.unit == "percent" and value > 100:
            problems.append(f"{place}, value: {value:g} is above 100 for a percentage")
    dimension = str(raw.get("dimension") or "").strip()
    group = str(raw.get("group") or "").strip()
    if metric is not None and dimension and dimension not in metric.breakdowns:
        problems.append(
            f"{place}, dimension: {dimension!r} is not a breakdown of {metric_id} "
            f"(allowed: {', '.join(metric.breakdowns) or 'none'})"
        )
    if bool(dimension) != bool(group):
        problems.append(f"{place}, group: give both dimension and group, or neither")
    for key, limit in (("area", 80), ("group", 80), ("note", 300)):
        if len(str(raw.get(key) or "")) > limit:
            problems.append(f"{place}, {key}: longer than {limit} characters")
    if problems or value is None or start is None or end is None:
        return None, problems
    return (
        Entry(
            metric_id,
            start,
            end,
            value,
            str(raw.get("area") or "").strip(),
            dimension,
            group,
            str(raw.get("note") or "").strip(),
        ),
        [],
    )


def _save(user: AbstractBaseUser, entry: Entry, source: str) -> EnteredValue:
    row, _ = EnteredValue.objects.update_or_create(
        metric_id=entry.metric_id,
        period_start=entry.period_start,
        period_end=entry.period_end,
        area=entry.area,
        dimension=entry.dimension,
        group=entry.group,
        defaults={"value": entry.value, "note": entry.note, "source": source, "entered_by": user},
    )
    return row


@transaction.atomic
def entered_value_record(
    user: AbstractBaseUser, raw: dict[str, Any], source: str = "form"
) -> EnteredValue:
    entry, problems = entry_check(raw, "entry")
    if entry is None:
        raise EntryError(problems)
    row = _save(user, entry, source)
    audit_record(user, "write", "performance.EnteredValue", row.pk, purpose="metric value entered")
    return row


def entered_values_import_csv(
    user: AbstractBaseUser, data: bytes, filename: str
) -> list[EnteredValue]:
    """All rows or none: a file with any bad row is refused with every problem listed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EntryError([f"{filename}: not UTF-8 text (byte {exc.start})"]) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise EntryError([f"{filename}, header: missing column(s) {', '.join(missing)}"])
    unknown = [c for c in header if c not in CSV_COLUMNS + CSV_OPTIONAL]
    if unknown:
        raise EntryError([f"{filename}, header: unknown column(s) {', '.join(unknown)}"])
    entries: list[tuple[int, Entry]] = []
    problems: list[str] = []
    seen: dict[tuple[Any, ...], int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise EntryError([f"{filename}: more than {MAX_ROWS} rows; split the file"])
            clean = {(k or "").strip(): (v or "") for k, v in raw.items()}
            entry, row_problems = entry_check(clean, f"{filename}, row {number}")
            problems += row_problems
            if entry is not None:
                key = (
                    entry.metric_id,
                    entry.period_start,
                    entry.period_end,
                    entry.area,
                    entry.dimension,
                    entry.group,
                )
                if key in seen:
                    problems.append(f"{filename}, row {number}: repeats row {seen[key]}")
                seen[key] = number
                entries.append((number, entry))
    except csv.Error as exc:
        raise EntryError([f"{filename}, row {reader.line_num}: {exc}"]) from exc
    if problems:
        raise EntryError(problems)
    if not entries:
        raise EntryError([f"{filename}: no rows"])
    with transaction.atomic():
        rows = [_save(user, entry, f"{filename[:150]} row {n}") for n, entry in entries]
        audit_record(
            user,
            "write",
            "performance.EnteredValue",
            f"csv:{filename[:60]}",
            purpose=f"{len(rows)} metric values imported",
        )
    return rows


@transaction.atomic
def target_set(
    user: AbstractBaseUser,
    metric_id: str,
    *,
    scope: str = "city",
    scope_name: str = "",
    baseline: float | None = None,
    baseline_label: str = "",
    target: float | None = None,
    target_date: date | None = None,
    story: str = "",
    action_plan: str = "",
) -> MetricTarget:
    if metric_id not in metrics_catalog().metrics:
        raise EntryError([f"metric_id: unknown metric {metric_id!r}"])
    if scope not in dict(MetricTarget.SCOPES):
        raise EntryError([f"scope: {scope!r} is not one of city, area, programme"])
    if scope != "city" and not scope_name:
        raise EntryError([f"scope_name: name the {scope}"])
    row, _ = MetricTarget.objects.update_or_create(
        metric_id=metric_id,
        scope=scope,
        scope_name=scope_name if scope != "city" else "",
        defaults={
            "baseline": baseline,
            "baseline_label": baseline_label,
            "target": target,
            "target_date": target_date,
            "story": story,
            "action_plan": action_plan,
            "updated_by": user,
        },
    )
    return row


@transaction.atomic
def citistat_meeting_create(
    user: AbstractBaseUser | None,
    *,
    title: str,
    held_on: date,
    period_start: date,
    period_end: date,
    committee: str = "",
    notes: str = "",
) -> CitiStatMeeting:
    """A meeting; the open action items of the committee's previous meeting are carried
    to it (the old item is marked carried and linked to its continuation)."""
    if committee and committee not in metrics_catalog().committees:
        raise EntryError([f"committee: unknown committee {committee!r}"])
    if period_end < period_start:
        raise EntryError(["period_end: before period_start"])
    prior = previous_meeting(committee, held_on)
    meeting = CitiStatMeeting.objects.create(
        title=title,
        committee=committee,
        held_on=held_on,
        period_start=period_start,
        period_end=period_end,
        notes=notes,
        created_by=user,
    )
    if prior is not None:
        for item in prior.items.filter(status=ActionItem.OPEN):
            ActionItem.objects.create(
                meeting=meeting,
                metric_id=item.metric_id,
                description=item.description,
                owner=item.owner,
                due_on=item.due_on,
                carried_from=item,
            )
            item.status = ActionItem.CARRIED
            item.save(update_fields=["status", "updated_at"])
    return meeting


def action_item_add(
    meeting: CitiStatMeeting, *, description: str, owner: str, due_on: date, metric_id: str = ""
) -> ActionItem:
    if metric_id and metric_id not in metrics_catalog().metrics:
        raise EntryError([f"metric_id: unknown metric {metric_id!r}"])
    if not description.strip() or not owner.strip():
        raise EntryError(["description and owner are required"])
    return ActionItem.objects.create(
        meeting=meeting,
        description=description.strip(),
        owner=owner.strip(),
        due_on=due_on,
        metric_id=metric_id,
    )


def action_item_set_status(item: ActionItem, status: str) -> ActionItem:
    if status not in (ActionItem.OPEN, ActionItem.DONE, ActionItem.DROPPED):
        raise EntryError([f"status: {status!r} is not open, done or dropped"])
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    return item
