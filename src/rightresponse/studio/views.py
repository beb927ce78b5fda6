"""Pages of the protocol studio: versions, the editor (section forms and YAML), diff,
impact preview, approval and rollback. Thin: parse, authorise, call a service or
selector, render; refusals are shown as messages with the service's reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from rightresponse.accounts import roles as r
from rightresponse.accounts.permissions import role_required
from rightresponse.accounts.selectors import user_has_role
from rightresponse.core.triage import TIER_SHORT, ProtocolError, read_yaml_text
from rightresponse.core.triage.impact import Impact, Share
from rightresponse.core.triage.yaml_edit import (
    EditError,
    add_item,
    remove_item,
    set_fields,
    set_item_scalar,
)

from . import selectors, services
from .impact import city_impact, dataset_impacts
from .live import compiled_text, compiled_version
from .models import ProtocolVersion
from .sections import (
    SECTIONS,
    FieldError,
    added_item,
    changed_edits,
    is_list_section,
    new_item,
    problem_place,
    section_items,
)

AUTHORS = (r.PROTOCOL_AUTHOR,)
APPROVERS = (r.PROTOCOL_APPROVER,)
READERS = (r.PROTOCOL_AUTHOR, r.PROTOCOL_APPROVER, r.SUPERVISOR)
TIERS = [(t, f"{t} · {label}") for t, label in TIER_SHORT.items()]


def _version(pk: int) -> ProtocolVersion:
    try:
        return selectors.version_get(pk)
    except ProtocolVersion.DoesNotExist:
        raise Http404(f"No protocol version {pk}.") from None


def _context(request: HttpRequest, version: ProtocolVersion, **extra: Any) -> dict[str, Any]:
    live = selectors.live_version()
    now = timezone.now()
    return {
        "version": version,
        "state": selectors.version_state(version, live.pk if live else None, now),
        "live": live,
        "can_edit": version.status == ProtocolVersion.DRAFT
        and user_has_role(request.user, *AUTHORS),
        "can_approve": user_has_role(request.user, *APPROVERS),
        "is_author": user_has_role(request.user, *AUTHORS),
        "now_local": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
        "problems": _problem_links(version),
        **extra,
    }


def _problem_links(version: ProtocolVersion) -> list[dict[str, str]]:
    """The version's problems, each with a link to the form field it belongs to (a removed
    item's broken references are in other items, often of other sections)."""
    out = []
    for problem in version.problems:
        place = problem_place(problem["path"])
        url = ""
        if place is not None:
            section, field_name = place
            url = reverse("studio:section", args=[version.pk, section])
            url += f"#f-{field_name}" if field_name else ""
        out.append({**problem, "url": url})
    return out


@role_required(*READERS)
def index(request: HttpRequest) -> HttpResponse:
    live = selectors.live_version()
    now = timezone.now()
    rows = [
        (v, selectors.version_state(v, live.pk if live else None, now))
        for v in selectors.versions_list()[:200]
    ]
    _protocol, live_name = selectors.live_protocol()
    return render(
        request,
        "studio/index.html",
        {
            "rows": rows,
            "live": live,
            "live_name": live_name,
            "is_author": user_has_role(request.user, *AUTHORS),
        },
    )


@role_required(*AUTHORS)
@require_POST
def draft_new(request: HttpRequest) -> HttpResponse:
    parent_id = request.POST.get("parent", "")
    parent = _version(int(parent_id)) if parent_id.isdigit() else selectors.live_version()
    version = services.draft_create(
        user=request.user, parent=parent, note=request.POST.get("note", "")
    )
    messages.success(request, f"Draft {version.pk} started from {parent or 'the protocol file'}.")
    return redirect("studio:rules", pk=version.pk)


@role_required(*READERS)
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    changes: list[str] = []
    if version.status in (ProtocolVersion.DRAFT, ProtocolVersion.SUBMITTED):
        # What the approver reads first: the semantic diff from the live protocol.
        _text, _name, live = selectors.live_text_and_label()
        try:
            changes = [c.describe() for c in selectors.version_diff(live, version).changes]
        except services.StudioError as exc:
            changes = [str(exc)]
    return render(request, "studio/version.html", _context(request, version, changes=changes))


def _rule_rows(version: ProtocolVersion) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rules and call types with their tiers, and problems placed at their field."""
    try:
        data = read_yaml_text(version.yaml_text, f"version {version.pk}")
    except ProtocolError:
        return [], []
    problems: dict[str, list[str]] = {}
    for p in version.problems:
        path = p["path"]
        for section in ("rules", "call_types"):
            if path.startswith(f"{section}["):
                index = path[len(section) + 1 : path.index("]")]
                problems.setdefault(f"{section}:{index}", []).append(f"{path}: {p['reason']}")
    out = []
    for section in ("rules", "call_types"):
        rows = []
        for i, item in enumerate(data.get(section) or [] if isinstance(data, dict) else []):
            if isinstance(item, dict) and "id" in item:
                rows.append(
                    {
                        "id": item["id"],
                        "label": item.get("label") or item.get("reason", ""),
                        "tier": item.get("tier"),
                        # A tier outside 0-4 (typed in the YAML view) stays selected as
                        # it is, marked invalid, so saving the form never changes it silently.
                        "tier_valid": item.get("tier") in TIER_SHORT,
                        "when": item.get("when", {}),
                        "problems": problems.get(f"{section}:{i}", []),
                    }
                )
        out.append(rows)
    return out[0], out[1]


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def rules_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Section forms: each tier rule's tier and each call type's starting tier."""
    version = _version(pk)
    if request.method == "POST":
        if not user_has_role(request.user, *AUTHORS):
            raise PermissionDenied("Only protocol authors edit drafts.")
        text = version.yaml_text
        rules, call_types = _rule_rows(version)
        changed = []
        try:
            for section, rows in (("rules", rules), ("call_types", call_types)):
                for row in rows:
                    posted = request.POST.get(f"{section}:{row['id']}")
                    if posted is not None and posted != str(row["tier"]):
                        if posted not in {str(t) for t in TIER_SHORT}:
                            raise EditError(f"{section} {row['id']}: tier must be 0-4")
                        text = set_item_scalar(text, section, row["id"], "tier", posted)
                        changed.append(f"{row['id']} → tier {posted}")
            if changed:
                version = services.draft_save(user=request.user, version=version, yaml_text=text)
        except (EditError, services.StudioError) as exc:
            messages.error(request, str(exc))
            return redirect("studio:rules", pk=pk)
        if changed:
            state = "valid" if version.valid else f"{len(version.problems)} problem(s)"
            passed = f"{version.examples_passed}/{len(version.example_results)} example calls pass"
            messages.success(request, f"Saved: {', '.join(changed)}. {state}; {passed}.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("studio:rules", pk=pk)
    rules, call_types = _rule_rows(version)
    return render(
        request,
        "studio/rules.html",
        _context(request, version, rules=rules, call_types=call_types, tiers=TIERS),
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def section_form(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """A form for every item of one section, fields from the loader's JSON Schema and
    problems shown at their field (studio.sections)."""
    if section not in SECTIONS:
        raise Http404(f"No section {section!r}; the sections are {', '.join(SECTIONS)}.")
    version = _version(pk)
    items = section_items(version.yaml_text, section, version.problems)
    field_error: dict[str, str] = {}
    if request.method == "POST":
        if not user_has_role(request.user, *AUTHORS):
            raise PermissionDenied("Only protocol authors edit drafts.")
        if items is None:
            messages.error(request, "The text does not parse: fix it in the YAML view.")
            return redirect("studio:section", pk=pk, section=section)
        if "remove" in request.POST and is_list_section(section):
            return _remove_item(request, version, section, items)
        if "add" in request.POST and is_list_section(section):
            added = _add_item(request, version, section)
            if isinstance(added, HttpResponse):
                return added
            field_error, new = added
            return render(
                request,
                "studio/section.html",
                _context(request, version, section=section, section_label=SECTIONS[section],
                         sections=SECTIONS, items=items, field_error=field_error, new=new),
                status=422,
            )  # fmt: skip
        try:
            edits = changed_edits(section, items, dict(request.POST.items()))
            if edits:
                text = set_fields(version.yaml_text, edits)
                version = services.draft_save(user=request.user, version=version, yaml_text=text)
        except FieldError as exc:
            # Nothing saved: the field that does not read is shown with the reason and
            # the text as typed, the rest as it was.
            field_error = {exc.name: str(exc)}
            messages.error(request, f"Not saved: {exc}")
            for item in items:
                for f in item.fields:
                    if f.name == exc.name:
                        f.value = request.POST.get(f.name, f.value)
                        f.problems = [str(exc)]
        except (EditError, services.StudioError) as exc:
            messages.error(request, f"Not saved: {exc}")
            return redirect("studio:section", pk=pk, section=section)
        else:
            if not edits:
                messages.info(request, "Nothing changed.")
            else:
                state = "valid" if version.valid else f"{len(version.problems)} problem(s)"
                passed = (
                    f"{version.examples_passed}/{len(version.example_results)} example calls pass"
                )
                changed = ", ".join(sorted({f"{s}[{i}].{k}" if i is not None else f"{s}.{k}"
                                            for s, i, k, _v in edits}))  # fmt: skip
                messages.success(request, f"Saved {changed}. {state}; {passed}.")
            return redirect("studio:section", pk=pk, section=section)
    new = new_item(section) if is_list_section(section) else None
    return render(
        request,
        "studio/section.html",
        _context(request, version, section=section, section_label=SECTIONS[section],
                 sections=SECTIONS, items=items, field_error=field_error, new=new),
        status=422 if field_error else 200,
    )  # fmt: skip


def _saved_state(version: ProtocolVersion) -> str:
    state = "valid" if version.valid else f"{len(version.problems)} problem(s)"
    return f"{state}; {version.examples_passed}/{len(version.example_results)} example calls pass"


def _remove_item(
    request: HttpRequest, version: ProtocolVersion, section: str, items: list[Any]
) -> HttpResponse:
    """Remove one item; what referred to it is then a problem at its own field (listed,
    each linked to its form), for the author to fix or undo."""
    raw = request.POST.get("remove", "")
    index = int(raw) if raw.isdigit() else -1
    title = next((item.title for item in items if item.index == index), None)
    try:
        if title is None:
            raise EditError(f"{section}: no item {raw[:20]!r}")
        text = remove_item(version.yaml_text, section, index)
        version = services.draft_save(user=request.user, version=version, yaml_text=text)
    except (EditError, services.StudioError) as exc:
        messages.error(request, f"Not removed: {exc}")
        return redirect("studio:section", pk=version.pk, section=section)
    broken = " What referred to it is listed under Problems." if not version.valid else ""
    messages.success(
        request, f"Removed {section}[{index}] ({title}). {_saved_state(version)}.{broken}"
    )
    return redirect("studio:section", pk=version.pk, section=section)


def _add_item(
    request: HttpRequest, version: ProtocolVersion, section: str
) -> HttpResponse | tuple[dict[str, str], Any]:
    """Append the item typed in the "add" form; a field that does not read is refused at
    the field with the text as typed (nothing saved), as for edits."""
    posted = dict(request.POST.items())
    try:
        item = added_item(section, posted)
        text = add_item(version.yaml_text, section, item)
        version = services.draft_save(user=request.user, version=version, yaml_text=text)
    except FieldError as exc:
        new = new_item(section, posted)
        for f in new.fields:
            if f.name == exc.name:
                f.problems = [str(exc)]
        messages.error(request, f"Not added: {exc}")
        return {exc.name: str(exc)}, new
    except (EditError, services.StudioError) as exc:
        messages.error(request, f"Not added: {exc}")
        return redirect("studio:section", pk=version.pk, section=section)
    name = item.get("id") or item.get("name") or "the new item"
    messages.success(request, f"Added {name} to {SECTIONS[section].lower()}. "
                              f"{_saved_state(version)}.")  # fmt: skip
    return redirect(reverse("studio:section", args=[version.pk, section]) + "#section-end")


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def yaml_editor(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    if request.method == "POST":
        if not user_has_role(request.user, *AUTHORS):
            raise PermissionDenied("Only protocol authors edit drafts.")
        try:
            version = services.draft_save(
                user=request.user,
                version=version,
                yaml_text=request.POST.get("yaml", "").replace("\r\n", "\n"),
                note=request.POST.get("note"),
            )
        except services.StudioError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                "Saved. "
                + ("Valid." if version.valid else f"{len(version.problems)} problem(s).")
                + f" {version.examples_passed}/{len(version.example_results)} example calls pass.",
            )
        return redirect("studio:yaml", pk=pk)
    return render(request, "studio/yaml.html", _context(request, version))


@role_required(*READERS)
def diff_page(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    from_id = request.GET.get("from", "")
    if from_id.isdigit():
        before: ProtocolVersion | None = _version(int(from_id))
        before_name = f"version {from_id} ({before.version_label})"
    else:
        _text, before_name, before = selectors.live_text_and_label()
    error = ""
    diff = None
    try:
        diff = selectors.version_diff(before, version)
    except services.StudioError as exc:
        error = str(exc)
    others = [v for v in selectors.versions_list()[:200] if v.pk != version.pk]
    return render(
        request,
        "studio/diff.html",
        _context(
            request,
            version,
            diff=diff,
            error=error,
            before_name=before_name,
            others=others,
            from_id=from_id,
        ),  # fmt: skip
    )


@role_required(*READERS)
def impact_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "studio/impact.html", _context(request, _version(pk)))


@role_required(*READERS)
def impact_partial(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(pk)
    error = ""
    impact = None
    live_name = ""
    started = timezone.now()
    try:
        draft = (
            compiled_version(version)
            if version.status in ProtocolVersion.SCHEDULED
            else compiled_text(version.yaml_text, f"version {version.pk}")
        )
    except ProtocolError as exc:
        error = f"This version does not validate, so it cannot be replayed: {exc}"
    else:
        live, live_name = selectors.live_protocol()
        impact = city_impact(draft, live)
    seconds = (timezone.now() - started).total_seconds()
    context: dict[str, Any] = {"version": version, "error": error, "live_name": live_name,
                               "seconds": seconds, "datasets": []}  # fmt: skip
    if impact is not None:
        context["city"] = _impact_block(impact)
        context["datasets"] = [
            {
                **_impact_block(d.impact),
                "title": d.title,
                "slug": d.slug,
                "unmapped": d.unmapped,
                "diverted": _diverted_rows(d.comparison),
                # An import's unit-hours and FTE are issue 11's comparison (above); its
                # calls carry no shift or dispatch times for the per-shift table.
                "workload_rows": [],
            }  # fmt: skip
            for d in dataset_impacts(draft, live)
        ]
    return render(request, "studio/impact_result.html", context)


def _share_text(share: Share) -> str:
    if share.share is None or share.low is None or share.high is None:
        return "not measurable"
    return f"{share.count:,} · {share.share:.1%} ({share.low:.1%}–{share.high:.1%})"


def _share_rows(before: tuple[Share, ...], after: tuple[Share, ...]) -> list[dict[str, str]]:
    return [
        {"label": b.label, "before": _share_text(b), "after": _share_text(a)}
        for b, a in zip(before, after, strict=True)
    ]


def _diverted_rows(comparison: dict[str, Any]) -> list[dict[str, str]]:
    """Issue 11's comparison as rows: calls to civilians alone, unit-hours and FTE."""

    def fmt(value: Any, ci: Any = None, pct: bool = False) -> str:
        if value is None:
            return "not measurable"
        text = f"{value:.1%}" if pct else f"{value:,.1f}"
        if ci and len(ci) == 2 and ci[0] is not None:
            text += f" ({ci[0]:.1%}–{ci[1]:.1%})" if pct else f" ({ci[0]:,.1f}–{ci[1]:,.1f})"
        return text

    a, b = comparison.get("a", {}), comparison.get("b", {})
    return [
        {"label": "Calls diverted from police", "before": fmt(a.get("calls")), "after": fmt(b.get("calls"))},
        {"label": "Share of calls (95% interval)", "before": fmt(a.get("call_share"), a.get("call_share_ci"), True),
         "after": fmt(b.get("call_share"), b.get("call_share_ci"), True)},
        {"label": "Police unit-hours a year", "before": fmt(a.get("annual_unit_hours")), "after": fmt(b.get("annual_unit_hours"))},
        {"label": "Officer FTE (95% interval)", "before": fmt(a.get("fte"), a.get("fte_ci")), "after": fmt(b.get("fte"), b.get("fte_ci"))},
    ]  # fmt: skip


def _hours_text(hours: float | None, fte: float | None, timed: int, calls: int) -> str:
    if hours is None or fte is None:
        return "not measurable" if calls else "–"
    covered = "" if timed == calls else f" ({timed:,} of {calls:,} calls timed)"
    fte_text = f"{fte:,.2f}" if fte >= 0.01 or fte == 0 else "< 0.01"
    return f"{hours:,.1f} h · {fte_text} FTE{covered}"


def _workload_rows(impact: Impact) -> list[dict[str, Any]]:
    return [
        {
            "program": w.program,
            "label": w.label,
            "shift": w.shift or "(no time)",
            "calls_before": w.calls_before,
            "calls_after": w.calls_after,
            "changed": w.calls_before != w.calls_after,
            "before": _hours_text(w.hours_before, w.fte_before, w.timed_before, w.calls_before),
            "after": _hours_text(w.hours_after, w.fte_after, w.timed_after, w.calls_after),
        }
        for w in impact.workload
    ]


def _reroute_rows(impact: Impact) -> list[dict[str, Any]]:
    """Call types whose first program changes, with the programs' labels (every first
    program is in the workload table, which names it)."""
    label = {w.program: w.label for w in impact.workload}
    return [
        {
            "call_type": r.call_type,
            "label": r.label,
            "calls": r.calls,
            "rerouted": r.rerouted,
            "moves": [(label.get(a, a), label.get(b, b), n) for a, b, n in r.transitions],
        }
        for r in impact.reroutes
    ]


def _impact_block(impact: Impact) -> dict[str, Any]:
    return {
        "impact": impact,
        "tier_rows": _share_rows(impact.before_tiers, impact.after_tiers),
        "lead_rows": _share_rows(impact.before_leads, impact.after_leads),
        "workload_rows": _workload_rows(impact),
        "reroute_rows": _reroute_rows(impact),
    }


def _action(request: HttpRequest, pk: int, action: Any, done: str, **kwargs: Any) -> HttpResponse:
    version = _version(pk)
    try:
        result = action(user=request.user, version=version, **kwargs)
    except services.StudioError as exc:
        messages.error(request, str(exc))
        return redirect("studio:version", pk=pk)
    messages.success(request, done)
    return redirect("studio:version", pk=result.pk)


@role_required(*AUTHORS)
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(request, pk, services.draft_submit, "Submitted for approval.")


@role_required(*AUTHORS, *APPROVERS)
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request, pk, services.draft_withdraw, "Returned to draft.",
        reason=request.POST.get("reason", ""),
    )  # fmt: skip


def _effective(request: HttpRequest) -> datetime | None:
    raw = request.POST.get("effective_at", "").strip()
    if not raw:
        return None
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError:
        raise services.StudioError(f"{raw!r} is not a date and time (YYYY-MM-DDTHH:MM).") from None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(str(timezone.get_current_timezone())))


@role_required(*APPROVERS)
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        effective_at = _effective(request)
    except services.StudioError as exc:
        messages.error(request, str(exc))
        return redirect("studio:version", pk=pk)
    when = timezone.localtime(effective_at).strftime("%Y-%m-%d %H:%M:%S") if effective_at else "now"
    return _action(
        request, pk, services.version_approve, f"Approved: live from {when}.",
        effective_at=effective_at,
    )  # fmt: skip


@role_required(*APPROVERS)
@require_POST
def rollback(request: HttpRequest, pk: int) -> HttpResponse:
    target = _version(pk)
    try:
        restored = services.version_rollback(user=request.user, target=target)
    except services.StudioError as exc:
        messages.error(request, str(exc))
        return redirect("studio:version", pk=pk)
    messages.success(
        request, f"Rolled back: version {target.pk} ({target.version_label}) is live again."
    )
    return redirect("studio:version", pk=restored.pk)
