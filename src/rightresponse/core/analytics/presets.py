"""Published eligibility methods as presets, applied to any imported city.

Each preset says which calls a published study would count as eligible for a response
without police, states the assumptions needed to apply it to another city's codes, and
the figure it published, so that a city can set its own numbers beside them (report line
989: "23 to 39 percent of 911 calls were low priority or non-emergent"; line 1245: STAR
"2.8 percent of the total 911 call load"). They work on call counts per (initial code,
intake priority): a few hundred rows, whichever engine counted them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .mapping import MappingRow

DANGER = ("weapon", "violence", "threat_to_life", "victim_in_danger", "injury")
DANGER_OR_CRIME = (*DANGER, "crime_in_progress", "medical_emergency", "suspect_on_scene")

# Our categories -> the nearest Vera/Two Sigma category, for codes the taxonomy lacks.
VERA_OF_CATEGORY = {
    "behavioral_health": "Behavioral Health",
    "welfare": "Missing Persons",
    "medical": "Medical Emergencies",
    "violent_crime": "Violent Crime",
    "property_crime": "Property Crime",
    "traffic": "Accidents/Traffic Safety",
    "quality_of_life": "Complaints/Environmental Conditions",
    "alarm": "Alarms",
    "proactive": "Statuses",
    "administrative": "Assisting the Public",
    "abandoned": "Call Related Issues",
    "fire": "Fire",
    "other": "Other (Not Crime)",
}
# Vera categories that are neither crime nor an emergency nor police activity.
VERA_NON_CRIMINAL = frozenset(
    {
        "Complaints/Environmental Conditions",
        "Behavioral Health",
        "Missing Persons",
        "Assisting the Public",
        "Assist the Public",
        "Other (Not Crime)",
        "Liquor Violations",
        "Status Offenses",
        "Suspicion",
    }
)
# Not calls for service in Vera's own counts: officer statuses and call handling.
VERA_NOT_CALLS = frozenset({"Statuses", "Call Related Issues", "Call Related Isuues", "Callback"})


def load_vera_taxonomy(path: str | Path) -> dict[str, str]:
    """Code text -> Vera category (the first city listing a code wins)."""
    out: dict[str, str] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["category"] and row["code"] not in out:
                out[row["code"]] = row["category"]
    return out


def _danger(row: MappingRow, keys: Iterable[str]) -> bool:
    return any(row.answers.get(k) == "yes" for k in keys)


@dataclass(frozen=True)
class Cell:
    """Calls of one (initial code, intake priority), officer-initiated or not."""

    code: str | None
    priority: str | None
    officer_initiated: bool
    calls: int


@dataclass(frozen=True)
class Preset:
    id: str
    title: str
    source: str
    published: str
    assumptions: tuple[str, ...]
    # (mapping row or None, intake priority, vera category) -> eligible?, or None when
    # the call is outside the preset's denominator.
    rule: Callable[[MappingRow | None, str | None, str | None], bool | None]
    needs_priority: bool = False


def _star(row: MappingRow | None, priority: str | None, vera: str | None) -> bool | None:
    if row is None:
        return False
    star_types = {"welfare_check", "intoxicated_person", "suicidal_person", "trespass"}
    by_text = re.search(r"INDECENT|EXPOS|LEWD|SYRINGE|NEEDLE", row.code.upper()) is not None
    if row.call_type not in star_types and not by_text:
        return False
    # STAR's screen (report 1233): no criminal activity, disturbance, weapons, threats,
    # violence, injuries or serious medical needs known from the call.
    return not _danger(row, DANGER_OR_CRIME) and row.priority != "emergency"


NEAR_TERM = {
    "noise_complaint",
    "parking",
    "animal",
    "welfare_check",
    "behavioral_crisis",
    "emotional_support",
    "intoxicated_person",
    "homelessness_assist",
}
EVENTUAL = NEAR_TERM | {
    "property_crime_report",
    "trespass",
    "low_acuity_disorder",
    "traffic_collision",
    "suicidal_person",
    "bias_based_complaint",
}


def _nicjr(types: set[str]) -> Callable[[MappingRow | None, str | None, str | None], bool | None]:
    def rule(row: MappingRow | None, priority: str | None, vera: str | None) -> bool | None:
        if row is None:
            return False
        if not row.call_type:
            return None if row.category in ("proactive", "abandoned") else False
        return (
            row.call_type in types
            and not _danger(row, DANGER)
            and row.answers.get("firearm_or_vehicle_involved") != "yes"
            and row.priority != "emergency"
        )

    return rule


def _vera(row: MappingRow | None, priority: str | None, vera: str | None) -> bool | None:
    if vera in VERA_NOT_CALLS:
        return None
    return vera in VERA_NON_CRIMINAL


def presets(non_emergent_priority: str) -> list[Preset]:
    low = re.compile(non_emergent_priority, re.IGNORECASE)

    def cap(row: MappingRow | None, priority: str | None, vera: str | None) -> bool | None:
        if priority is None:
            return None  # no priority: outside the measure
        return bool(low.search(priority.strip()))

    return [
        Preset(
            "vera",
            "Vera Institute / Two Sigma five-city taxonomy: non-criminal calls",
            "Vera Institute of Justice and Two Sigma Data Clinic, consolidated 911 call-type "
            "taxonomy of New Orleans, Seattle, Dallas, Detroit and Charleston (2019-2020, MIT)",
            "the taxonomy's own category shares of each city's calls, e.g. New Orleans "
            "Complaints/Environmental Conditions 34.3 %, Behavioral Health 1.1 % (its README)",
            (
                "a code the taxonomy lists (Seattle, New Orleans) takes its Vera category; "
                "another city's code takes the nearest category of its reviewed mapping",
                "non-criminal: Complaints/Environmental Conditions, Behavioral Health, Missing "
                "Persons, Assisting the Public, Liquor and Status offences, Suspicion, Other "
                "(Not Crime); officer statuses and call handling are not calls",
            ),
            _vera,
        ),
        Preset(
            "nicjr_near_term",
            "NICJR Seattle: non-criminal calls a civilian can take now (near term)",
            "National Institute for Criminal Justice Reform, Seattle call analysis (near-term "
            "vs eventual); its tier system is the report's line 1578",
            "not in the shared sources: set the study's own figure beside it before quoting",
            (
                "near term: noise, parking, animal, welfare, behavioural crisis, intoxicated "
                "person, homelessness call types with no weapon, violence, threat, injury or "
                "emergency priority known from the code",
                "proactive and abandoned codes are not calls; unmapped codes count as not eligible",
            ),
            _nicjr(NEAR_TERM),
        ),
        Preset(
            "nicjr_eventual",
            "NICJR Seattle: with low-level crime and disorder added (eventual)",
            "National Institute for Criminal Justice Reform, Seattle call analysis",
            "not in the shared sources: set the study's own figure beside it before quoting",
            (
                "eventual: near term plus property-crime reports, trespass, disorder, "
                "non-injury collisions and suicidal persons, on the same screen",
            ),
            _nicjr(EVENTUAL),
        ),
        Preset(
            "cap_priority",
            "Center for American Progress: low-priority, non-emergent calls",
            "Irwin and Pearl, The Community Responder Model, Center for American Progress "
            "(October 2020), the report's note 14",
            "23-39 % of 911 calls low priority or non-emergent; 18-34 % life-threatening "
            "emergencies (report line 989)",
            (
                f"non-emergent: an intake priority matching {non_emergent_priority!r} (the "
                "profile's non_emergent_priority)",
                "calls without a priority are outside the measure; without any priority it "
                "is not measurable",
            ),
            cap,
            needs_priority=True,
        ),
        Preset(
            "denver_star",
            "Denver STAR screen: the seven STAR call types, screened",
            "City of Denver, Support Team Assisted Response; report lines 1233-1245",
            "2.8 % of the total 911 call load eligible (report line 1245)",
            (
                "STAR's seven types as this city's call types: assist (welfare), intoxicated "
                "person, suicidal series, welfare check, indecent exposure, trespass / unwanted "
                "person, syringe disposal (codes naming exposure or syringes)",
                "screen: nothing known of crime in progress, weapons, threats, violence, "
                "injuries or serious medical needs, and not an emergency priority",
            ),
            _star,
        ),
    ]


def preset_results(
    cells: Iterable[Cell],
    mapping: Mapping[str, MappingRow],
    vera: Mapping[str, str],
    non_emergent_priority: str = r"^[PE]?[3-9]",
    emergency_priority: str | None = r"^[PE]?1[A-Z]?$",
) -> list[dict[str, Any]]:
    """Each preset's eligible share of the calls for service (officer-initiated activity
    excluded: the studies count calls from the public), with its 95 % Wilson interval."""
    from ..intervals import wilson  # one definition of the interval

    public = [c for c in cells if not c.officer_initiated]
    urgent = re.compile(emergency_priority, re.IGNORECASE) if emergency_priority else None
    out = []
    for preset in presets(non_emergent_priority):
        eligible = total = 0
        emergencies = 0
        for cell in public:
            row = mapping.get(cell.code) if cell.code is not None else None
            category = vera.get(cell.code) if cell.code is not None else None
            if category is None and row is not None:
                category = VERA_OF_CATEGORY.get(row.category)
            verdict = preset.rule(row, cell.priority, category)
            if verdict is None:
                continue
            total += cell.calls
            eligible += cell.calls if verdict else 0
            if urgent and cell.priority is not None and urgent.search(cell.priority.strip()):
                emergencies += cell.calls
        measurable = total > 0
        result: dict[str, Any] = {
            "id": preset.id,
            "title": preset.title,
            "source": preset.source,
            "published": preset.published,
            "assumptions": list(preset.assumptions),
            "measurable": measurable,
            "calls": total,
            "eligible_calls": eligible,
            "share": eligible / total if measurable else None,
            "share_ci": wilson(eligible, total),
        }
        if preset.needs_priority:
            result["emergency_share"] = emergencies / total if measurable else None
            result["emergency_share_ci"] = wilson(emergencies, total)
        out.append(result)
    return out
