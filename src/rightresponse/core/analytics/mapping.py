"""City call-type mappings: each local code to a protocol call type and a report category.

A mapping is a CSV file a city edits (columns in ``COLUMNS``). Codes missing from it, or
listed without a call type, are *unmapped*: analyses list them with their counts, never
drop them. ``draft_row`` proposes a row from keyword rules, the starting point the
shipped mappings were made from. A drafted row's ``source`` starts with "draft"; a row a
person has read and confirmed starts with "reviewed". ``draft_rows`` lists the rows not
reviewed, so that an analysis on a draft mapping says so.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

COLUMNS = (
    "code", "call_type", "category", "answers", "priority", "severe", "consequence", "source",
)  # fmt: skip
# ``priority``: "emergency" when the code itself says the call is an emergency (an officer
# in trouble, a hold-up alarm, "... CRITICAL"): the replay never sends it to civilians
# alone, as with a source priority 1 (docs/analytics.md, "Priority").
PRIORITIES = ("", "emergency")

# Categories used to report volumes: the report's groups of demand (behavioural health,
# ~997 and ~1245; medical; crime against persons and property; traffic; quality of life;
# alarms; proactive and administrative police work) plus fire.
CATEGORIES = (
    "behavioral_health",
    "welfare",
    "medical",
    "violent_crime",
    "property_crime",
    "traffic",
    "quality_of_life",
    "alarm",
    "proactive",
    "administrative",
    # 911 hang-ups, open lines and abandoned calls: no need is known, so they are reported
    # apart from the calls a protocol could triage.
    "abandoned",
    "fire",
    "other",
)


class MappingError(ValueError):
    """A mapping file that cannot be used; the message names the file, the line and why."""


@dataclass(frozen=True)
class MappingRow:
    code: str
    call_type: str  # a protocol call type id, or "" (unmapped)
    category: str
    answers: dict[str, str]  # what intake knows from the code alone (e.g. weapon=yes)
    severe: bool  # as a *final* type or disposition: police action was needed
    consequence: int  # 1..5 on the report's matrix (~1127-1133)
    source: str = ""
    priority: str = ""  # "emergency": never civilian-only in the replay

    @property
    def reviewed(self) -> bool:
        return self.source.startswith("reviewed")

    def answers_text(self) -> str:
        return ";".join(f"{k}={v}" for k, v in sorted(self.answers.items()))


def _answers(text: str, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if not sep or value not in ("yes", "no", "unknown"):
            raise MappingError(f"{where}: answers: {part!r} is not question=yes|no|unknown")
        out[key.strip()] = value
    return out


def load_mapping(path: str | Path) -> dict[str, MappingRow]:
    """Read a mapping CSV; codes are matched exactly (after trimming)."""
    path = Path(path)
    rows: dict[str, MappingRow] = {}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise MappingError(f"{path}: cannot read: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [
            c for c in ("code", "call_type", "category") if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise MappingError(f"{path}: line 1: missing columns {missing}")
        for row in reader:
            where = f"{path}: line {reader.line_num}"
            code = (row.get("code") or "").strip()
            if not code:
                raise MappingError(f"{where}: empty code")
            category = (row.get("category") or "other").strip() or "other"
            if category not in CATEGORIES:
                raise MappingError(f"{where}: category {category!r} is not one of {CATEGORIES}")
            try:
                consequence = int((row.get("consequence") or "3").strip() or "3")
            except ValueError as exc:
                raise MappingError(f"{where}: consequence must be 1..5") from exc
            if not 1 <= consequence <= 5:
                raise MappingError(f"{where}: consequence must be 1..5")
            priority = (row.get("priority") or "").strip().lower()
            if priority not in PRIORITIES:
                raise MappingError(f"{where}: priority {priority!r} is not one of {PRIORITIES}")
            rows[code] = MappingRow(
                code=code,
                call_type=(row.get("call_type") or "").strip(),
                category=category,
                answers=_answers(row.get("answers") or "", where),
                severe=(row.get("severe") or "").strip().lower() in ("yes", "true", "1"),
                consequence=consequence,
                source=(row.get("source") or "").strip(),
                priority=priority,
            )
    return rows


def draft_rows(rows: Mapping[str, MappingRow]) -> list[str]:
    """The codes of a mapping that nobody has reviewed (``source`` not "reviewed...")."""
    return sorted(code for code, row in rows.items() if not row.reviewed)


def mapping_table(rows: dict[str, MappingRow]) -> pa.Table:
    """The mapping as an Arrow table, to join with calls in any Ibis backend."""
    items = list(rows.values())
    return pa.table(
        {
            "code": pa.array([r.code for r in items], pa.string()),
            "call_type": pa.array([r.call_type or None for r in items], pa.string()),
            "category": pa.array([r.category for r in items], pa.string()),
            "severe": pa.array([r.severe for r in items], pa.bool_()),
            "consequence": pa.array([r.consequence for r in items], pa.int64()),
        }
    )


def write_mapping(path: str | Path, rows: list[MappingRow]) -> None:
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in sorted(rows, key=lambda r: r.code):
            writer.writerow(
                [
                    r.code,
                    r.call_type,
                    r.category,
                    r.answers_text(),
                    r.priority,
                    "yes" if r.severe else "no",
                    r.consequence,
                    r.source,
                ]
            )


# Keyword rules, first match wins: (pattern, call type, category, consequence, answers).
# Patterns are matched on the upper-cased code text, on word boundaries: substrings made
# real errors ("NON-RAPE" is not a rape, "SERVICE" holds "VICE", "FOREIGN SEX TRAFFICKING"
# is not road traffic). A draft is only a starting point: every shipped mapping was then
# read row by row (its ``source`` says "reviewed").
_RULES: tuple[tuple[str, str, str, int, str], ...] = (
    (r'\b911\b.*\b(HANG|ABANDON|OPEN)|9-1-1 ABANDON|HANG ?UP|OPEN LINE|SILENT (E-)?911|MISDIAL|NO ANSWER WHEN CALLED|ANI/ALI', '', 'abandoned', 1, ''),
    (r'OFFICER (EMS )?IN TROUBLE|OFFICER NEEDS?\b|HELP THE OFFICER|\bSIGNAL 1\b|EMERGENCY ACTIVATION|BARRICADED|HOSTAGE|SWAT|ACTIVE (SHOOTER|ASSAILANT)', 'violent_crime_in_progress', 'violent_crime', 5, 'threat_to_life=yes'),
    (r'HOLD ?-?UP|PANIC|DURESS', 'robbery', 'alarm', 5, 'crime_in_progress=yes'),
    (r'\bTRAFFICKING\b', 'assault', 'violent_crime', 4, ''),
    (r'SUICID|JUMPER', 'suicidal_person', 'behavioral_health', 5, ''),
    (r'OVERDOSE|\bOD\b|NARCAN|NALOXONE', 'overdose', 'medical', 4, 'medical_emergency=yes'),
    (r'MENTAL|PSYCH|CRISIS|BEHAVIOR|\b5150\b|EMOTIONAL|\bEDP\b|\bMH\b', 'behavioral_crisis', 'behavioral_health', 3, ''),
    (r'PERSON DOWN|DOWN PERSON|MAN DOWN|TROUBLE UNKNOWN', 'welfare_check', 'welfare', 3, ''),
    (r'ROBBER|CARJACK|CAR JACK', 'robbery', 'violent_crime', 5, 'violence=yes'),
    (r'SHOTS|SHOOT|\bGUNSHOT|SHOTSPOTTER', 'shots_fired', 'violent_crime', 5, 'weapon=yes'),
    (r'STAB|\bCUTTING\b', 'assault', 'violent_crime', 5, 'violence=yes;weapon=yes'),
    (r'DOMESTIC|\bDV\b|FAMILY|DOM VIOL|PROTECTION ORDER|PROTECTIVE ORDER|RESTRAINING|CUSTODIAL INT', 'domestic_violence', 'violent_crime', 4, ''),
    (r'CHILD ABUSE|CHILD - |ABUSED|NEGLECT|ENDANGER|CRUEL', 'welfare_check', 'welfare', 4, ''),
    (r'(?<!NON-)\bRAPE\b|SEXUAL ASS|SEX ASS|SEXUAL (BATTERY|OFFENSE)|MOLEST|FONDL', 'sexual_assault', 'violent_crime', 4, ''),
    (r'\bLEWD\b|INDECENT EXPOS|EXPOSING|SEX IN PUBLIC|PEEPING|VOYEUR', 'low_acuity_disorder', 'quality_of_life', 2, ''),
    (r'\bBIAS\b|HATE CRIME', 'assault', 'violent_crime', 4, ''),
    (r'VERBAL', 'low_acuity_disorder', 'quality_of_life', 2, 'violence=no'),
    (r'HOMICIDE|MURDER|KIDNAP|ABDUCT|ASSAULT|\bASLT\b|BATTERY|FIGHT|AGGRAV|VIOLEN|THREAT|MENAC|BRANDISH', 'assault', 'violent_crime', 4, ''),
    (r'\bGUN\b|FIREARM|WEAPON|\bWPNS?\b|KNIFE|ARMED', 'violent_crime_in_progress', 'violent_crime', 5, 'weapon=yes'),
    (r'PREDATOR|LURING|PORNOG', 'sexual_assault', 'violent_crime', 3, ''),
    (r'BURGLAR.*(PROG|\bIP\b|NOW|OCCUPIED)|PROWLER|BREAK.?IN', 'burglary_in_progress', 'property_crime', 4, 'crime_in_progress=yes'),
    (r'WELFARE|WELL ?BEING|CHECK ON|CHK ON|MISSING PERSON|MISSING - |RUNAWAY|LOST PERSON|FOUND PERSON|AWOL|A\.W\.O\.L', 'welfare_check', 'welfare', 3, ''),
    (r'\bDUI\b|\bDWI\b|D\.U\.I|DRUNK.*DRIVER|UNDER (THE )?INFLUENCE', 'traffic_collision', 'traffic', 4, 'crime_in_progress=yes'),
    (r'INTOX|DRUNK|DETOX|LIQUOR|ALCOHOL|IMPAIRED', 'intoxicated_person', 'quality_of_life', 2, ''),
    (r'(PEDESTRIAN|BICYCLIST|PED) STRUCK', 'traffic_collision', 'traffic', 4, 'injury=yes'),
    (r'COLLISION|ACCIDENT|CRASH|\bMVA\b|\bMVC\b|HIT AND RUN|HIT & RUN|H&R|\bACC\b|\bCOLL\b', 'traffic_collision', 'traffic', 3, ''),
    (r'\bALS\b|\bBLS\b|\bCPR\b|PAIN|CHOK|CHILD BIRTH|\bOB\b|COLD EXPOSURE|HEAT EXPOSURE|ALTERED LOC|DROWN|ELECTROCUT|HEADACHE|LACERATION|SYNCOPE|FAINT|ANAPHYL|TRAUMA', 'medical', 'medical', 4, 'medical_emergency=yes'),
    (r'MEDIC|\bEMS\b|SICK|INJUR|UNCONSC|BREATH|CARDIAC|CHEST|\bFALL\b|SEIZ|STROKE|DIABET|BLEED|HEMORR|PREGNAN|ALLERG|HEART|\bDOA\b|DEATH|DECEASED|BODY', 'medical', 'medical', 4, 'medical_emergency=yes'),
    (r'FIRE(?!WORK)|ARSON|FLAM|CONFINED SPACE|ELEVATOR|ELECTRICAL HAZ|HIGH WATER|\bCO\b|SMOKE|GAS LEAK|HAZ ?MAT|EXPLOS|WIRES DOWN|ODOR|RESCUE', 'fire', 'fire', 4, ''),
    (r'ALARM', 'property_crime_report', 'alarm', 2, ''),
    (r'ANIMAL|\bDOG\b|\bCAT\b|WILDLIFE|\bBITE\b|LIVESTOCK', 'animal', 'quality_of_life', 1, ''),
    (r'AGGRESSIVE DRIV|RECKLESS DRIV|WRONG WAY|ROAD RAGE', 'traffic_collision', 'traffic', 3, 'crime_in_progress=yes'),
    (r'DISABLED MOTORIST|BOOT REMOVAL|ONSTAR|VEHICLE ACTIVATION', 'parking', 'traffic', 1, ''),
    (r'PARK(ING)?\b|ABANDONED (VEH|AUTO|CAR)|ABAND VEH|\bTOW|JUNK VEH', 'parking', 'traffic', 1, ''),
    (r'TRAFFIC STOP|VEH(ICLE)? STOP|PURSUIT|ELUDING|\bOFFICER INITIATED\b|ONVIEW|ON VIEW', '', 'proactive', 1, ''),
    (r'TRAFFIC|SPEED|ROAD|HAZARD|SIGNALS?\b|STALLED|DISABLED VEH', 'traffic_collision', 'traffic', 2, ''),
    (r'TRESPASS|UNWANTED|LOITER|PANHANDL|SOLICIT', 'trespass', 'quality_of_life', 2, ''),
    (r'NOISE|PARTY|MUSIC|FIREWORK|BARKING', 'noise_complaint', 'quality_of_life', 1, ''),
    (r'HOMELESS|TRANSIENT|ENCAMP|CAMP|UNHOUSED|SHELTER', 'homelessness_assist', 'quality_of_life', 2, ''),
    (r'DISTURB|DISORDER|NUISANCE|SUSP|CIRCUM|DISPUTE|CIVIL|LANDLORD|NEIGHBOR|ARGUMENT|JUVENILE|JUVS|GRAFFITI|LITTER|DUMP|URINAT|NARCOTIC|DRUG|NEEDLE|SYRINGE|HARASS|PROSTITUT|\bVICE\b|GAMBLING', 'low_acuity_disorder', 'quality_of_life', 2, ''),
    (r'AUTO THEFT|VEHICLE THEFT|THEFT OF VEHICLE|THEFT-VEHICLE|STOLEN VEH|\bGLA\b|UNAUTHORIZED USE OF VEH|RECOVER(ED|Y)? (STOLEN )?VEH|AUTO RECOVERY', 'property_crime_report', 'property_crime', 2, 'firearm_or_vehicle_involved=yes'),
    (r'\bBURG|DEST OF PROP|SWINDLE|FALSE PRETENSE|EXTORTION|BRIBERY', 'property_crime_report', 'property_crime', 2, ''),
    (r'CONT(ROLLED)? SUBST|\bNARC|DELINQ|SALES TO MIN|KEEP THE PEACE|SLEEPING|SMOKING|MUNI CODE|ORDINANCE|PUBLIC HEALTH|PUBLIC WORKS|HARBORING', 'low_acuity_disorder', 'quality_of_life', 2, ''),
    (r'BURGLAR|THEFT|STOLEN|SHOPLIFT|LARCEN|FRAUD|FORGER|VANDAL|DAMAGE|MISCHIEF|PROPERTY|CAR PROWL|EMBEZZ|IDENTITY|BAD CHECK|RECOVER|LOST|FOUND|BICYCLE', 'property_crime_report', 'property_crime', 2, ''),
    (r'WANTED|WARR|PROBATION|PAROLE|BOLO|LOCATE|MONITORING|EXTRADITION|CONTEMPT|OBSTRUCT|PRISONER|L\.A\.R\.', '', 'proactive', 1, ''),
    (r'DEMONSTRAT|PARADE|PICKET|VOTING|911 CALL|EMERGENCY CALL|COMMUNICATIONS|DISPERSE|DISBURSE|SIGNS|TEMPORARY POSSESSION|UNDERPASS|WALK ?IN|LOBBY', '', 'administrative', 1, ''),
    (r'PREMISE|PATROL|DIRECTED|EXTRA WATCH|BUSINESS CHECK|SUBJECT STOP|PED STOP|FIELD (CONTACT|INTERVIEW)|FOLLOW ?UP|FOLLOWUP|WARRANT|INVESTIGAT|K9|SURVEILL|OFF DUTY|DETAIL|ESCORT|COMMUNITY|MEETING|SCHOOL|FOOT', '', 'proactive', 1, ''),
    (r'ASSIST|SERVICE|INFO|ADMIN|TRANSPORT|STATUS|CANCEL|TEST|CALL BACK|CALLBACK|WRONG|PHONE|MESSAGE|DELIVER|LOCKOUT|LOCK OUT|KEYS|\bVIN\b|FINGERPRINT|REPORT', '', 'administrative', 1, ''),
)  # fmt: skip
_SEVERE_FINAL = re.compile(
    r"ARREST|WEAPON|\bGUN|SHOT|SHOOT|STAB|\bCUTTING\b|KNIFE|ARMED|ASSAULT|\bASLT\b|BATTERY|ROBBER|CARJACK|"
    r"HOMICIDE|MURDER|KIDNAP|(?<!NON-)\bRAPE\b|SEXUAL ASS|VIOLEN|INJUR|DOMESTIC|\bDV\b|FIGHT|"
    r"AGGRAV|HOSTAGE|BURGLARY IN PROG"
)
# What the code text itself says about the call (answers the replay can use).
_IN_PROGRESS = re.compile(r"IN PROG|\bIP\b|IP/JO|IN PROGRESS|\bNOW\b")
_NO_INJURY = re.compile(r"\bNO INJ|NON[ -]?INJ|W/?O INJ")
_INJURY = re.compile(r"INJUR|\bINJ\b|TRAUMA|\bALS\b|FATAL")
_NO_WEAPON = re.compile(r"\bNO WEAPONS?\b|\bNO WEA|W/?O WEAPONS?|\bUNARMED\b|NON-?WEAPON")
_NO_VIOLENCE = re.compile(r"\bNO ASLT\b|\bNO ASSAULT\b|NON[ -]?VIOLENT|VERBAL")
_EMERGENCY = re.compile(r"CRITICAL|EMERGENCY|IMMEDIATE|IN TROUBLE|\bALS 2\b|ENTRAP")
_CRIME_TYPES = frozenset(
    {"property_crime_report", "low_acuity_disorder", "assault", "robbery", "trespass", "fire"}
)
_COMPILED = tuple((re.compile(p), ct, cat, c, a) for p, ct, cat, c, a in _RULES)


def draft_row(code: str) -> MappingRow:
    """A proposed mapping row from keyword rules (to be reviewed by the city): its
    ``source`` starts with "draft"."""
    text = code.upper()
    severe = bool(_SEVERE_FINAL.search(text)) and not _NO_INJURY.search(text)
    for pattern, call_type, category, consequence, answers_text in _COMPILED:
        if pattern.search(text):
            if category in ("medical", "fire", "abandoned") or call_type == "animal":
                severe = False  # an injury or a fire is not a reason for police
            answers = _answers(answers_text, "rule")
            if call_type in _CRIME_TYPES and _IN_PROGRESS.search(text):
                answers["crime_in_progress"] = "yes"
            if _NO_INJURY.search(text):
                answers["injury"] = "no"
            elif call_type in ("traffic_collision", "assault", "domestic_violence") and (
                _INJURY.search(text)
            ):
                answers["injury"] = "yes"
            if _NO_WEAPON.search(text):
                answers["weapon"] = "no"
            if _NO_VIOLENCE.search(text):
                answers["violence"] = "no"
                severe = False
            if call_type == "behavioral_crisis" and "VIOLENT" in text:
                answers["violence"] = "yes"
            if "SEX" in text and pattern.pattern == r"\bTRAFFICKING\b":
                call_type = "sexual_assault"
            priority = "emergency" if call_type and _EMERGENCY.search(text) else ""
            return MappingRow(
                code=code,
                call_type=call_type,
                category=category,
                answers=answers,
                severe=severe,
                consequence=consequence,
                source=f"draft rule:{pattern.pattern.split('|')[0]}",
                priority=priority,
            )
    return MappingRow(code, "", "other", {}, severe, 3, "draft rule:none")


# Vera Institute / Two Sigma shared categories (shared/data/real/vera-twosigma-911-taxonomy)
# -> (call type, category): used when no keyword rule matches a code.
VERA_CATEGORIES: dict[str, tuple[str, str]] = {
    "Behavioral Health": ("behavioral_crisis", "behavioral_health"),
    "Medical Emergencies": ("medical", "medical"),
    "Medical": ("medical", "medical"),
    "Violent Crime": ("assault", "violent_crime"),
    "Domestic Violence": ("domestic_violence", "violent_crime"),
    "Sex Offenses": ("sexual_assault", "violent_crime"),
    "Officer Needs Help": ("violent_crime_in_progress", "violent_crime"),
    "Property Crime": ("property_crime_report", "property_crime"),
    "Accidents/Traffic Safety": ("traffic_collision", "traffic"),
    "Traffic": ("traffic_collision", "traffic"),
    "Complaints/Environmental Conditions": ("low_acuity_disorder", "quality_of_life"),
    "Suspicion": ("low_acuity_disorder", "quality_of_life"),
    "Drugs": ("low_acuity_disorder", "quality_of_life"),
    "Liquor Violations": ("intoxicated_person", "quality_of_life"),
    "Status Offenses": ("low_acuity_disorder", "quality_of_life"),
    "Missing Persons": ("welfare_check", "welfare"),
    "Alarms": ("property_crime_report", "alarm"),
    "Fire": ("fire", "fire"),
    "Statuses": ("", "administrative"),
    "Call Related Issues": ("", "administrative"),
    "Call Related Isuues": ("", "administrative"),
    "Callback": ("", "administrative"),
    "Assisting the Public": ("", "administrative"),
    "Assist the Public": ("", "administrative"),
    "Other (Not Crime)": ("", "administrative"),
    "Warrants": ("", "proactive"),
    "Warrant": ("", "proactive"),
    "Other Crimes": ("property_crime_report", "property_crime"),
}


def draft_mapping(codes: dict[str, str]) -> list[MappingRow]:
    """Rows for ``codes`` (code -> an optional Vera category): rules first, then Vera."""
    rows = []
    for code, vera in sorted(codes.items()):
        row = draft_row(code)
        if not row.call_type and row.category == "other" and vera.strip() in VERA_CATEGORIES:
            call_type, category = VERA_CATEGORIES[vera.strip()]
            row = MappingRow(
                code, call_type, category, {}, row.severe, 3, f"draft vera:{vera.strip()}"
            )
        rows.append(row)
    return rows


def category_shares(
    mapping: Mapping[str, MappingRow], counts: Mapping[str, int]
) -> dict[str, float]:
    """Share of calls per category, from call counts per local code (e.g. a published
    table of counts): how a city's mapping compares with figures published elsewhere.
    Codes missing from the mapping count as "unmapped"."""
    totals: dict[str, int] = {}
    for code, n in counts.items():
        row = mapping.get(code)
        category = row.category if row is not None else "unmapped"
        totals[category] = totals.get(category, 0) + n
    grand = sum(totals.values())
    return {k: v / grand for k, v in sorted(totals.items())} if grand else {}
