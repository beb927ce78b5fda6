"""Write an analysis to a folder: summary.json, one CSV per table, and report.html.

report.html is self-contained (inline CSS and SVG charts, an SVG map of call locations,
no scripts, no tiles, nothing from another host) so it opens offline. It never shows
staff names or free text: the analyses do not read those columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any

from rightresponse.core import charts
from rightresponse.core.dictionary import (
    NOT_MEASURABLE_NO_TIMES,
    YARDSTICKS,
    dictionary_csv,
    duration,
    label,
)

from .analysis import AnalysisResult

SUMMARY_KEYS = (
    "total_calls",
    "by_category",
    "tier_shares",
    "reclassification",
    "unit_hours_by_category",
    "diverted_unit_hours",
    "fte_by_shift_precinct",
    "response_intervals",
    "risk_exposure",
)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2328;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}svg.chart{max-width:100%;height:auto;font-size:12px}
.note{color:#57606a;font-size:.9rem}
"""


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _fmt(value: Any) -> str:
    if value is None:
        return "not measurable"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _pct(value: Any) -> str:
    return "not measurable" if value is None else f"{100 * float(value):.1f}%"


def _ci(interval: Any, pct: bool = True) -> str:
    """A 95 % interval as text; "not measurable" when there is none."""
    if not interval:
        return "not measurable"
    low, high = interval
    return f"{_pct(low)}-{_pct(high)}" if pct else f"{_fmt(low)}-{_fmt(high)}"


# Columns whose values are keys of the data dictionary (categories, intervals, reasons):
# shown by their label. Columns that are durations in seconds: shown in minutes and seconds.
KEYED = frozenset({"key", "reason", "interval", "initial_category", "final_category"})
DURATIONS = frozenset({"median", "p90", "p99"})
# Officer time: None means the data has no dispatch-to-clear times (issue 18).
TIMED = frozenset({"unit_hours", "annual_unit_hours", "fte", "meets_one_officer_rule"})


def _cell(column: str, value: Any) -> str:
    if value is None and column in TIMED:
        return NOT_MEASURABLE_NO_TIMES
    if column in DURATIONS and value is not None:
        return duration(float(value))
    if column in KEYED and isinstance(value, str):
        return label(value)
    return _fmt(value)


def html_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(label(c))}</th>' for c in columns)
    body = []
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c)
            as_share = ("share" in c or c.startswith("within")) and not isinstance(v, str)
            text = _pct(v) if as_share else _cell(c, v)
            if as_share and v is not None and f"{c}_ci" in row:
                text += f" ({_ci(row[f'{c}_ci'])})"  # its 95 % interval
            cls = ' class="num"' if isinstance(v, int | float) and not isinstance(v, bool) else ""
            cells.append(f"<td{cls}>{escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _csv(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    """One table as CSV: headers are the dictionary's plain labels (data-dictionary.csv
    beside it gives each label's key and meaning); values stay as computed."""
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([label(c) for c in columns] or ["empty"])
        for row in rows:
            writer.writerow(
                [json_default(v) if isinstance(v := row.get(c), date) else v for c in columns]
            )


def sections(
    summary: dict[str, Any], points: Sequence[tuple[float, float]]
) -> list[tuple[str, str]]:
    """(heading, HTML) pairs shared by report.html and the app's dataset page."""
    out: list[tuple[str, str]] = []
    review = summary.get("mapping") or {}
    if review.get("draft"):
        out.append(
            (
                "Warning: draft mapping",
                f"<p><strong>The call-type mapping is a draft:</strong> {_fmt(review['draft_codes'])}"
                f" of {_fmt(review['codes'])} codes have not been reviewed (e.g. "
                f"{escape(', '.join(review['draft_examples'][:3]))}). Shares and tiers below may "
                "be wrong until a person has read every row.</p>",
            )
        )
    cats = summary["by_category"]
    out.append(
        (
            "Volume by category",
            charts.bar_chart(
                [label(r["key"]) for r in cats],
                [r["calls"] for r in cats],
                title="Calls by category (final type where known)",
            )
            + html_table(cats, ["key", "calls", "share"], "Calls by category"),
        )
    )
    types = summary["by_call_type"]
    out.append(
        ("Top call types (as received)", html_table(types, ["key", "calls", "share"], "Call types"))
    )
    how = {r["hour_of_week"]: r["calls"] for r in summary["by_hour_of_week"]}
    labels = [f"{DAYS[h // 24]} {h % 24:02d}" for h in range(168)]
    out.append(
        (
            "Calls by hour of the week",
            charts.line_chart(
                labels,
                {"calls": [float(how.get(h, 0)) for h in range(168)]},
                title="Calls by hour of the week (local time, Monday 00 to Sunday 23)",
                width=760,
            ),
        )
    )
    months = summary["by_month"]
    if len(months) > 1:
        months = sorted(months, key=lambda r: str(r["key"]))
        out.append(
            (
                "Calls by month",
                charts.line_chart(
                    [str(r["key"])[:7] for r in months],
                    {"calls": [float(r["calls"]) for r in months]},
                    title="Calls by month",
                ),
            )
        )
    areas = summary["by_area"][:30]
    out.append(("Calls by area", html_table(areas, ["key", "calls", "share"], "Calls by area")))
    uh = summary["unit_hours_by_category"]
    total = summary["unit_hours_total"]
    if total["calls_with_times"]:
        hours = charts.bar_chart(
            [label(r["key"]) for r in uh if r["unit_hours"] is not None],
            [round(float(r["unit_hours"]), 1) for r in uh if r["unit_hours"] is not None],
            title="Unit-hours on calls by category (dispatch to clear, every unit)",
            unit=" h",
        )
    else:
        hours = f"<p><strong>Unit-hours: {NOT_MEASURABLE_NO_TIMES}</strong>.</p>"
    out.append(
        (
            "Unit-hours by category",
            hours
            + f'<p class="note">{_fmt(total["calls_with_times"])} of {_fmt(total["calls"])} calls '
            "have dispatch and clear times.</p>",
        )
    )
    ri = summary["response_intervals"]
    cols = ["interval", "n", "median", "p90", "p99"]
    tables = []
    for name, title in (
        ("overall", "All calls"),
        ("by_agency", "By agency"),
        ("by_priority", "By priority"),
    ):
        group = {"by_agency": ["agency"], "by_priority": ["priority"]}.get(name, [])
        rows = ri[name]
        tables.append(html_table(rows, [*group, *cols], title))
        for interval, yardsticks in YARDSTICKS.items():
            measured = [r for r in rows if r["interval"] == interval]
            if measured and name == "overall":
                tables.append(
                    html_table(
                        measured,
                        ["interval", "n", *(key for _, key in yardsticks)],
                        f"{label(interval)} against its national yardstick",
                    )
                )
    out.append(
        (
            "Response intervals",
            '<p class="note">Times in minutes and seconds. NENA\'s 15 and 20 second standard '
            "applies to answering 911 calls only; NFPA 1225's 64 and 106 seconds to call "
            "processing (received to dispatched). Travel, time on scene and the whole call are "
            "judged against the city's own targets (scorecards).</p>" + "".join(tables),
        )
    )
    rc = summary["reclassification"]
    out.append(
        (
            "Reclassification: initial to final type",
            f"<p>{_fmt(rc['calls'])} calls have both an initial and a final type; "
            f"{_pct(rc['changed_type_share'])} ({_ci(rc.get('changed_type_share_ci'))}) changed "
            "type (the final code the officer recorded differs from the call taker's type) and "
            f"{_pct(rc['changed_category_share'])} ({_ci(rc.get('changed_category_share_ci'))}) "
            "changed category (95% intervals).</p>"
            + html_table(
                rc["matrix"], ["initial_category", "final_category", "calls"], "Category matrix"
            )
            + html_table(
                rc["by_initial_type"],
                ["initial_type", "calls", "changed_type_share", "changed_category_share"],
                "Share that changed, by initial type",
            ),
        )
    )
    if summary.get("tier_shares") is not None:
        tiers = summary["tier_shares"]
        exposure = summary["risk_exposure"]
        diverted = summary["diverted_unit_hours"]
        if diverted["measurable"]:
            time_text = (
                f"{_fmt(diverted['unit_hours'])} unit-hours in {_fmt(diverted['days_covered'])} "
                f"days covered, {_fmt(diverted['fte'])} full-time officer equivalents a year "
                f"(95% interval {_ci(diverted.get('fte_ci'), pct=False)})"
            )
        else:
            time_text = (
                f"unit-hours and full-time officer equivalents <strong>{NOT_MEASURABLE_NO_TIMES}"
                "</strong> (no dispatch and clear times)"
            )
        if exposure["measurable"]:
            exposure_text = (
                f"of {_fmt(exposure['civilian_only_calls'])} calls the protocol would send to "
                f"civilians alone, {_fmt(exposure['calls_with_outcome'])} have a known outcome; "
                f"{_fmt(exposure['severe_outcomes'])} of them "
                f"({_pct(exposure['severe_share'])}, 95% interval "
                f"{_ci(exposure['severe_share_ci'])}) ended with an outcome that needed police. "
                f"{_fmt(exposure['unknown_outcome'])} outcomes are unknown (not counted as safe): "
                f"if all were severe the share would be "
                f"{_pct(exposure['severe_share_if_unknown_severe'])}."
            )
        else:
            exposure_text = (
                f"<strong>not measurable</strong>: none of the "
                f"{_fmt(exposure['civilian_only_calls'])} civilian-only calls has a final type "
                "or a disposition that tells how it ended."
            )
        out.append(
            (
                f"Replay under protocol {summary.get('protocol_version') or ''}",
                charts.bar_chart(
                    [f"Tier {r['tier']}" for r in tiers],
                    [round(100 * float(r["call_share"] or 0), 1) for r in tiers],
                    title="Share of triaged calls per tier under the protocol",
                    unit="%",
                )
                + html_table(
                    tiers,
                    ["tier", "calls", "call_share", "unit_hours", "unit_hour_share"],
                    "Triaged calls and unit-hours per tier (95% Wilson interval of each share)",
                )
                + f"<p>{_fmt(summary.get('raised_by_priority'))} calls were raised to a "
                "co-response because their source priority or their code says emergency.</p>"
                + html_table(
                    [{**r, "share_of_all_ci": r.get("share_ci")} for r in summary["excluded"]],
                    ["reason", "calls", "share_of_all", "unit_hours"],
                    "Reported apart, not triaged (officer-initiated, abandoned, administrative...)",
                )
                + f"<p>Civilian-only tiers (0-1): {_fmt(diverted['calls'])} calls "
                f"({_pct(diverted['call_share'])}, 95% interval {_ci(diverted['call_share_ci'])}"
                f"), {time_text}.</p>"
                + html_table(
                    summary["fte_by_shift_precinct"],
                    [
                        "shift",
                        "area",
                        "calls",
                        "annual_unit_hours",
                        "fte",
                        "meets_one_officer_rule",
                    ],
                    "Officer equivalents per shift and precinct (report ~1346: at least one per shift and precinct)",
                )
                + f"<p><strong>Risk exposure:</strong> {exposure_text}</p>"
                + html_table(
                    exposure["by_call_type"],
                    ["initial_type", "calls", "known", "unknown", "severe", "severe_share"],
                    "Risk exposure by call type",
                ),
            )
        )
    if summary.get("presets"):
        rows = [
            {
                "method": r["title"],
                "calls": r["calls"],
                "eligible_calls": r["eligible_calls"],
                "eligible_share": r["share"],
                "eligible_share_ci": r["share_ci"],
                "published": r["published"],
            }
            for r in summary["presets"]
        ]
        assumptions = "".join(
            f"<li><strong>{escape(r['title'])}</strong> ({escape(r['source'])}): "
            + " ".join(escape(a) + "." for a in r["assumptions"])
            + "</li>"
            for r in summary["presets"]
        )
        out.append(
            (
                "Published eligibility methods on these calls",
                html_table(
                    rows,
                    ["method", "calls", "eligible_calls", "eligible_share", "published"],
                    "Share of calls for service (officer-initiated excluded) each method counts "
                    "as eligible for a response without police, with its 95% interval",
                )
                + f"<ul>{assumptions}</ul>",
            )
        )
    out.append(
        (
            "Empirical risk by initial call type",
            html_table(
                summary["empirical_risk"][:40],
                [
                    "initial_type",
                    "calls",
                    "severe",
                    "severe_share",
                    "likelihood",
                    "consequence",
                    "score",
                    "band",
                ],
                "Observed likelihood of a severe outcome on the 5x5 matrix (report ~1125-1137)",
            ),
        )
    )
    out.append(
        (
            "Where calls come from",
            charts.dot_map(points, title="Call locations (rounded coordinates)"),
        )
    )
    repeat = summary["repeat_locations"]
    if repeat:
        out.append(
            (
                "Repeat locations",
                html_table(
                    repeat, ["location", "calls", "call_types"], "Locations with repeat calls"
                ),
            )
        )
    unmapped = summary["unmapped"]
    out.append(
        (
            "Unmapped call types",
            (
                html_table(
                    unmapped[:50], ["initial_type", "calls"], "Codes missing from the mapping"
                )
                if unmapped
                else "<p>Every call type is in the mapping.</p>"
            ),
        )
    )
    return out


def write_report(
    result: AnalysisResult,
    out_dir: str | Path,
    *,
    title: str,
    points: Sequence[tuple[float, float]] = (),
) -> Path:
    """Write summary.json, tables as CSV and report.html to ``out_dir``; returns the HTML path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(
        json.dumps(result.summary, indent=2, default=json_default), encoding="utf-8"
    )
    for name, rows in result.tables.items():
        _csv(out / f"{name}.csv", rows)
    (out / "data-dictionary.csv").write_text(dictionary_csv(), encoding="utf-8")
    body = "".join(
        f"<section><h2>{escape(h)}</h2>{html}</section>"
        for h, html in sections(result.summary, points)
    )
    period = result.summary["period"]
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{_fmt(result.summary['total_calls'])} calls, "
        f"{escape(str(period['first']))} to {escape(str(period['last']))}. Made by RightResponse; "
        "the numbers are in summary.json and the CSV files beside this page.</p>"
        f"<main>{body}</main></body></html>"
    )
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
