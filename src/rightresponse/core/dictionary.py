"""The data dictionary: one plain label and one "what this means" for every key the
analysis, the scorecards and the public dashboard show (issue 18).

Pages, report.html, the CSV headers and docs/data-dictionary.md all take their words from
here, so a reader never meets a raw key (``within_15``, ``quality_of_life``) and the same
figure is called the same thing everywhere. Keys stay in summary.json and the API for
machines; each download carries this dictionary beside it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from rightresponse.core.status_times import INTERVALS


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    meaning: str
    group: str


def _terms(group: str, rows: list[tuple[str, str, str]]) -> list[Term]:
    return [Term(key, label, meaning, group) for key, label, meaning in rows]


# Yardsticks, each only on the interval it was written for (issue 18). NENA's call
# answering standard (NENA-STA-020.1-2020): 90 % of 911 calls answered within 15 s, 95 %
# within 20 s. NFPA 1225 (2022, formerly 1221) alarm processing, from answer to dispatch:
# 90 % within 64 s, 95 % within 106 s. Travel, time on scene and the total have no national
# yardstick here: the city's own targets (scorecards) judge them.
YARDSTICKS: dict[str, tuple[tuple[int, str], ...]] = {
    "answer": ((15, "within_15"), (20, "within_20")),
    "dispatch": ((64, "within_64"), (106, "within_106")),
}

TERMS: list[Term] = [
    *_terms(
        "Columns",
        [
            ("key", "Group", "The group a row counts: a category, call type, area or month."),
            ("calls", "Calls", "Number of calls for service counted in the row."),
            ("share", "Share of calls", "The row's calls as a share of all calls, with its 95 % interval."),
            ("share_of_all", "Share of all calls", "Share of every imported call."),
            ("unit_hours", "Unit-hours", "Hours units spent on the calls, dispatch to clear, every unit counted."),
            ("calls_with_times", "Calls with dispatch and clear times", "Calls whose unit-hours can be measured."),
            ("annual_unit_hours", "Unit-hours a year", "Unit-hours scaled to a full year from the days covered."),
            ("fte", "Full-time officer equivalents", "Unit-hours a year divided by the hours one officer works in a year."),
            ("meets_one_officer_rule", "At least one officer equivalent", "Whether the shift and precinct needs at least one full-time officer (report ~1346)."),
            ("interval", "Interval", "Which stretch of the call is timed."),
            ("n", "Calls timed", "Calls with a valid time for this interval."),
            ("median", "Median", "Half of the calls took less than this."),
            ("p90", "90th percentile", "Nine calls in ten took less than this."),
            ("p99", "99th percentile", "Ninety-nine calls in a hundred took less than this."),
            ("within_15", "Answered within 15 s (NENA: 90 %)", "Share of 911 calls answered within 15 seconds; NENA's standard asks 90 %."),
            ("within_20", "Answered within 20 s (NENA: 95 %)", "Share of 911 calls answered within 20 seconds; NENA's standard asks 95 %."),
            ("within_64", "Dispatched within 64 s (NFPA 1225: 90 %)", "Share of calls dispatched within 64 seconds of being received; NFPA 1225 asks 90 % for emergencies."),
            ("within_106", "Dispatched within 106 s (NFPA 1225: 95 %)", "Share of calls dispatched within 106 seconds of being received; NFPA 1225 asks 95 % for emergencies."),
            ("agency", "Agency", "The agency that answered the call."),
            ("priority", "Priority", "The priority the source system gave the call."),
            ("initial_category", "Category as received", "Category of the call taker's call type."),
            ("final_category", "Category at close", "Category of the final code the officer recorded."),
            ("initial_type", "Call type as received", "The call taker's call type."),
            ("changed_type_share", "Changed type", "Share whose final code differs from the call taker's type."),
            ("changed_category_share", "Changed category", "Share whose final category differs from the category as received."),
            ("tier", "Response tier", "0-1 civilians alone, 2 civilians with police, 3 police with a clinician, 4 police."),
            ("call_share", "Share of triaged calls", "The tier's share of the calls the protocol triaged."),
            ("unit_hour_share", "Share of unit-hours", "The tier's share of measured unit-hours."),
            ("reason", "Why reported apart", "Why the call is not triaged by the protocol."),
            ("shift", "Shift", "Day (07-15), evening (15-23) or night (23-07), local time."),
            ("area", "Area", "Precinct, beat or grid in the source data."),
            ("known", "Outcome known", "Calls with a final code or disposition that tells how they ended."),
            ("unknown", "Outcome unknown", "Calls with no final code or disposition."),
            ("severe", "Needed police", "Calls that ended in an arrest, citation or a violent final code."),
            ("severe_share", "Share that needed police", "Needed police as a share of the calls with a known outcome."),
            ("likelihood", "Likelihood (1-5)", "How often such calls end needing police, on the report's 5x5 matrix."),
            ("consequence", "Consequence (1-5)", "How bad the outcome would be, on the report's 5x5 matrix."),
            ("score", "Risk score", "Likelihood times consequence."),
            ("band", "Risk band", "Low, moderate, high or extreme on the report's matrix (~1125-1137)."),
            ("location", "Location", "Block address (rounded) with repeat calls."),
            ("call_types", "Different call types", "How many different call types came from the location."),
            ("method", "Method", "A published way to count calls eligible for a response without police."),
            ("eligible_calls", "Eligible calls", "Calls the method counts as eligible."),
            ("eligible_share", "Eligible share", "Eligible calls as a share of calls for service."),
            ("published", "Published share", "The share the method's authors published for their own city."),
            ("initial_category_matrix", "Category as received", "Category of the call taker's type."),
            ("hour_of_week", "Hour of the week", "Monday 00 to Sunday 23, local time."),
            ("raised_by_priority", "Raised for emergency priority", "Calls raised to a co-response because their priority says emergency."),
            ("call_type", "Call type (protocol)", "The protocol's call type."),
            ("tier_a", "Tier under protocol A", "Response tier under the first protocol."),
            ("tier_b", "Tier under protocol B", "Response tier under the second protocol."),
        ],
    ),
    # The intervals' labels live with their one definition (core/status_times.py).
    *_terms("Intervals", [(i.key, i.label, i.meaning) for i in INTERVALS.values()]),
    *_terms(
        "Categories",
        [
            ("behavioral_health", "Behavioral health", "Mental health crises, suicide threats, emotional distress."),
            ("welfare", "Welfare checks", "Checks on a person's safety or wellbeing."),
            ("medical", "Medical", "Medical emergencies and requests for EMS."),
            ("violent_crime", "Violent crime", "Assaults, robberies, weapons, crimes against persons."),
            ("property_crime", "Property crime", "Theft, burglary, vandalism."),
            ("traffic", "Traffic", "Collisions, hazards, traffic complaints."),
            ("quality_of_life", "Quality of life", "Noise, disorder, loitering, trespass and similar complaints."),
            ("alarm", "Alarms", "Burglar and other alarms."),
            ("proactive", "Officer-initiated work", "Stops, patrols and other work an officer starts."),
            ("administrative", "Administrative", "Records, follow-ups and other paperwork calls."),
            ("abandoned", "Hang-ups and abandoned calls", "911 hang-ups, open lines and abandoned calls: no need is known."),
            ("fire", "Fire", "Fire calls."),
            ("other", "Other", "Codes the mapping puts in no category above."),
            ("unmapped", "Not in the mapping", "Codes the city's mapping does not list yet."),
        ],
    ),
    *_terms(
        "Reasons a call is reported apart",
        [
            ("officer_initiated", "Officer-initiated", "Work an officer started: no one called."),
            ("cancelled_duplicate_or_test", "Cancelled, duplicate or test", "No call to answer."),
            ("not_triaged", "Not a protocol call type", "A mapped code the protocol does not know."),
        ],
    ),
    *_terms(
        "Public measures",
        [
            ("call_volume", "Calls for service", "All calls received in the period."),
            ("diverted_count", "Calls answered without a police lead", "Calls whose final response was a report, a hotline, civilian responders or a civilian-led joint response."),
            ("time_to_answer", "Time to answer a call", "Average time from a call ringing to a call taker answering."),
            ("time_to_dispatch", "Time from call to dispatch", "Average time from a call being received to a responder being sent."),
            ("time_to_scene", "Time for help to arrive", "Average time from a call being received to the first responder arriving."),
            ("time_to_closure", "Time until the call is closed", "Average time from a call being received to the call being closed."),
            ("diverted_share", "Share answered without a police lead", "Of all calls, the share answered without police leading."),
            ("civilian_response_share", "Share answered by civilians alone", "Of all calls, the share answered by civilian responders alone."),
            ("escalated_share", "Share moved from a civilian to a police lead", "Of all calls, the share that started civilian and needed police to lead."),
            ("deescalated_share", "Share moved from a police to a civilian lead", "Of all calls, the share that started police-led and was handed to civilians."),
            ("co_response_civilian_led_share", "Joint responses led by the civilian", "Of joint police and civilian responses, the share the civilian led."),
            ("hotline_elevated_share", "Hotline calls that needed someone in person", "Of hotline calls, the share that needed a responder to go in person."),
            ("virtual_share_of_volume", "Share handled by phone or online", "Of all calls, the share handled by a telephone or online report."),
            ("location_recurrence_share", "Share at places with repeat calls", "Of calls with a known place, the share at a place with two or more calls."),
            ("use_of_force_share", "Police-led calls where force was used", "Of police-led calls, the share where an officer used force."),
            ("eligible_not_served_share", "Eligible calls not served by an alternative", "Of all calls, the share eligible for an alternative response that did not get one."),
            ("referral_connection_rate", "Referrals that connected a person to a service", "Of referrals sent to a service, the share where the person was connected."),
        ],
    ),
    *_terms(
        "Public downloads",
        [
            ("table", "Table", "Which public table the row belongs to."),
            ("metric_id", "Metric", "The catalog metric the figure measures (docs/metrics.md)."),
            ("row", "Row", "The row of the table: a category or responder."),
            ("column", "Column", "The column of the table: a precinct, or Total."),
            ("value", "Value", "The figure; empty when suppressed to protect privacy."),
            ("note", "Note", "Why a figure is hidden or combined."),
            ("volume_by_category_and_area", "Calls for service by category and precinct", "Calls received in the quarter."),
            ("diverted_by_responder_and_area", "Calls answered without a police lead, by responder and precinct", "Calls whose lead responder was not police."),
            ("rates", "Rates", "Rates and shares for the quarter."),
        ],
    ),
]  # fmt: skip

_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}
NOT_MEASURABLE_NO_TIMES = "not measurable: the data has no dispatch-to-clear times"


def label(key: str) -> str:
    """The plain label of a key; a key the dictionary lacks is shown as it is (a test
    sweeps the pages for any key of this dictionary left raw)."""
    term = _BY_KEY.get(key)
    return term.label if term else key


def meaning(key: str) -> str:
    term = _BY_KEY.get(key)
    return term.meaning if term else ""


def keys() -> frozenset[str]:
    return frozenset(_BY_KEY)


def dictionary_csv() -> str:
    """The dictionary as CSV (key, label, meaning), shipped beside every download."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["key", "label", "meaning"])
    for term in TERMS:
        writer.writerow([term.key, term.label, term.meaning])
    return out.getvalue()


def dictionary_markdown() -> str:
    """docs/data-dictionary.md (a test keeps the file equal to this)."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `src/rightresponse/core/dictionary.py` by",
        "`rightresponse data-dictionary`; a test fails when this file is stale. Pages,",
        "report.html and CSV headers use these labels; summary.json and the API keep the keys.",
        "",
        "A figure that cannot be computed from the data is shown as *not measurable* with the",
        "reason (e.g. *not measurable: the data has no dispatch-to-clear times*), never as 0.",
        "",
    ]
    group = ""
    for term in TERMS:
        if term.group != group:
            group = term.group
            lines += ["", f"## {group}", "", "| Key | Label | What it means |", "|---|---|---|"]
        lines.append(f"| `{term.key}` | {term.label} | {term.meaning} |")
    return "\n".join(lines) + "\n"


def duration(seconds: float | None) -> str:
    """An interval in minutes and seconds ("5 min 00 s", "42 s"); None is not measurable."""
    if seconds is None:
        return "not measurable"
    total = round(float(seconds))
    if total < 60:
        return f"{total} s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"
