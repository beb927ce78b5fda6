"""City call-type mappings: each local code to a protocol call type and a report category.

A mapping is a CSV file a city edits (columns in ``COLUMNS``). Codes missing from it, or
listed without a call type, are *unmapped*: analyses list them with their counts, never
drop them. ``draft_row`` proposes a row from keyword rules, the starting point the
shipped mappings were made from (reviewed rows say so in ``source``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

COLUMNS = ("code", "call_type", "category", "answers", "severe", "consequence", "source")

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
            rows[code] = MappingRow(
                code=code,
                call_type=(row.get("call_type") or "").strip(),
                category=category,
                answers=_answers(row.get("answers") or "", where),
                severe=(row.get("severe") or "").strip().lower() in ("yes", "true", "1"),
                consequence=consequence,
                source=(row.get("source") or "").strip(),
            )
    return rows


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
                    "yes" if r.severe else "no",
                    r.consequence,
                    r.source,
                ]
            )


# Keyword rules, first match wins: (pattern, call type, category, consequence, answers).
# Patterns are matched on the upper-cased code text.
_RULES: tuple[tuple[str, str, str, int, str], ...] = (
    ('SUICID|JUMPER', 'suicidal_person', 'behavioral_health', 5, ''),
    ('OVERDOSE|\\bOD\\b|NARCAN', 'overdose', 'medical', 4, 'medical_emergency=yes'),
    ('MENTAL|PSYCH|CRISIS|BEHAVIOR|5150|EMOTIONAL|\\bEDP\\b|\\bMH\\b', 'behavioral_crisis', 'behavioral_health', 3, ''),
    ('OFFICER IN TROUBLE|OFFICER NEEDS|BARRICADED|SWAT|ESCAPED PRISONER|ACTIVE (SHOOTER|ASSAILANT)', 'violent_crime_in_progress', 'violent_crime', 5, 'threat_to_life=yes'),
    ('SHOTS|SHOOT|GUN|FIREARM|WEAPON|STAB|KNIFE|ARMED', 'shots_fired', 'violent_crime', 5, 'weapon=yes'),
    ('ROBBER|CARJACK|HOLD ?UP', 'robbery', 'violent_crime', 5, 'violence=yes'),
    ('DOMESTIC|\\bDV\\b|FAMILY VIOL|DOM VIOL|PROTECTION ORDER|RESTRAINING', 'domestic_violence', 'violent_crime', 4, ''),
    ('RAPE|SEXUAL ASS|SEX ASS|SEX OFF|SEXUAL|MOLEST|INDECEN|LEWD', 'sexual_assault', 'violent_crime', 4, ''),
    ('HOMICIDE|MURDER|KIDNAP|ABDUCT|HOSTAGE|ASSAULT|BATTERY|FIGHT|AGGRAV|VIOLEN|THREAT|HARASS|MENAC|BRANDISH', 'assault', 'violent_crime', 4, ''),
    ('PEEPING|VOYEUR|PREDATOR|LURING|PORNOG|SEX IN PUBLIC', 'sexual_assault', 'violent_crime', 3, ''),
    ('PROTECTIVE ORDER|VISITATION VIOL|CUSTODIAL INT', 'domestic_violence', 'violent_crime', 3, ''),
    ('BURGLAR.*(PROG|IN PROG|NOW|OCCUPIED)|PROWLER|BREAK.?IN', 'burglary_in_progress', 'property_crime', 4, 'crime_in_progress=yes'),
    ('BIAS|HATE', 'bias_based_complaint', 'violent_crime', 3, ''),
    ('WELFARE|WELL ?BEING|CHECK ON|CHK ON|MISSING|RUNAWAY|LOST|FOUND PERSON|ELDER|CHILD ABUSE|NEGLECT|ABANDON CHILD', 'welfare_check', 'welfare', 3, ''),
    ('INTOX|DRUNK|DETOX|LIQUOR|ALCOHOL|DUI|DWI|IMPAIRED', 'intoxicated_person', 'quality_of_life', 2, ''),
    ('COLLISION|ACCIDENT|CRASH|\\bMVA\\b|\\bMVC\\b|HIT AND RUN|HIT & RUN|H&R|\\bACC\\b|COLL ', 'traffic_collision', 'traffic', 3, ''),
    ('\\bALS\\b|\\bBLS\\b|\\bCPR\\b|PAIN|CHOK|CHILD BIRTH|\\bOB ALS|COLD EXPOSURE|HEAT EXPOSURE|ALTERED LOC|DROWN|ELECTROCUT|HEADACHE|LACERATION|SYNCOPE|FAINT|ANAPHYL|TRAUMA|MUTUAL A', 'medical', 'medical', 4, 'medical_emergency=yes'),
    ('MEDIC|EMS|SICK|(?<!NO )INJUR|UNCONSC|BREATH|CARDIAC|CHEST|FALL|SEIZ|STROKE|DIABET|BLEED|HEMORR|PREGNAN|ALLERG|BURN PAT|HEART|DOA|DEATH|DECEASED|BODY', 'medical', 'medical', 4, 'medical_emergency=yes'),
    ('FIRE(?!WORK)|ARSON|FLAM|CONFINED SPACE|ELEVATOR|ELECTRICAL HAZ|HIGH WATER|\\bCO INCIDENT|SMOKE|ALARM FIRE|GAS LEAK|HAZMAT|EXPLOS|WIRES DOWN|ODOR', 'fire', 'fire', 4, ''),
    ('ALARM', 'property_crime_report', 'alarm', 2, ''),
    ('DISABLED MOTORIST|AGGRESSIVE DRIV|STRUCK|BOOT REMOVAL|FLAG DOWN|POSTING VEH|ONSTAR|VEHICLE ACTIVATION', 'parking', 'traffic', 1, ''),
    ('PARK|ABANDONED VEH|ABAND VEH|TOW|BLOCK(ING|ED) (DRIVE|ALLEY)|JUNK VEH', 'parking', 'traffic', 1, ''),
    ('TRAFFIC STOP|TRAFFIC|SPEED|RECKLESS|ROAD|HAZARD|VEH STOP|SIGNAL|STALLED|DISABLED VEH|PURSUIT', 'traffic_collision', 'traffic', 2, ''),
    ('TRESPASS|UNWANTED|LOITER|PANHANDL|SOLICIT|PROWL', 'trespass', 'quality_of_life', 2, ''),
    ('NOISE|PARTY|MUSIC|FIREWORK|BARKING', 'noise_complaint', 'quality_of_life', 1, ''),
    ('HOMELESS|TRANSIENT|ENCAMP|CAMP|UNHOUSED|SHELTER', 'homelessness_assist', 'quality_of_life', 2, ''),
    ('DISTURB|DISORDER|NUISANCE|SUSP|CIRCUM|DISPUTE|CIVIL|LANDLORD|NEIGHBOR|ARGUMENT|JUVENILE|JUVS|GRAFFITI|LITTER|DUMP|URINAT|NARCOTIC|DRUG|NEEDLE|SYRINGE', 'low_acuity_disorder', 'quality_of_life', 2, ''),
    ('ANIMAL|DOG|CAT\\b|WILDLIFE|BITE|LIVESTOCK', 'animal', 'quality_of_life', 1, ''),
    ('\\bBURG|\\bGLA\\b|DEST OF PROP|SWINDLE|FALSE PRETENSE|EXTORTION|BRIBERY|CUTTING', 'property_crime_report', 'property_crime', 2, ''),
    ('CONT(ROLLED)? SUBST|NARC|VICE|GAMBLING|DELINQ|SALES TO MIN|KEEP THE PEACE|SLEEPING|SMOKING|MUNI CODE|ORDINANCE|PUBLIC HEALTH|PUBLIC WORKS|CHILD LOCKED|HARBORING', 'low_acuity_disorder', 'quality_of_life', 2, ''),
    ('BURGLAR|THEFT|STOLEN|SHOPLIFT|LARCEN|FRAUD|FORGER|VANDAL|DAMAGE|MISCHIEF|PROPERTY|AUTO THEFT|CAR PROWL|EMBEZZ|IDENTITY|CHECK|BAD CHECK|RECOVER|LOST PROP|FOUND PROP|BICYCLE', 'property_crime_report', 'property_crime', 2, ''),
    ('WANTED|WARR|PROBATION|PAROLE|BOLO|LOCATE|MONITORING|EXTRADITION|CONTEMPT|OBSTRUCT|ON VIEW|PRISONER|L\\.A\\.R\\.', '', 'proactive', 1, ''),
    ('DEMONSTRAT|PARADE|PICKET|VOTING|SILENT|911 CALL|EMERGENCY CALL|COMMUNICATIONS|DISPERSE|DISBURSE|SIGNS|TEMPORARY POSSESSION|UNDERPASS|WALK IN|LOBBY', '', 'administrative', 1, ''),
    ('PREMISE|PATROL|DIRECTED|EXTRA WATCH|BUSINESS CHECK|SUBJECT STOP|PED STOP|FIELD (CONTACT|INTERVIEW)|FOLLOW ?UP|FOLLOWUP|WARRANT|INVESTIGAT|K9|SURVEILL|OFF DUTY|DETAIL|ESCORT|COMMUNITY|MEETING|SCHOOL|FOOT', '', 'proactive', 1, ''),
    ('ASSIST|SERVICE|INFO|ADMIN|TRANSPORT|STATUS|CANCEL|TEST|911 HANG|HANG ?UP|ABANDON|OPEN LINE|MISDIAL|CALL BACK|CALLBACK|WRONG|PHONE|MESSAGE|DELIVER|LOCKOUT|LOCK OUT|KEYS|VIN|FINGERPRINT|REPORT', '', 'administrative', 1, ''),
)  # fmt: skip
_SEVERE_FINAL = re.compile(
    r"ARREST|WEAPON|GUN|SHOT|SHOOT|STAB|KNIFE|ARMED|ASSAULT|BATTERY|ROBBER|CARJACK|HOMICIDE|MURDER|"
    r"KIDNAP|RAPE|SEXUAL ASS|VIOLEN|(?<!NO )INJUR|DOMESTIC|\bDV\b|FIGHT|AGGRAV|HOSTAGE|BURGLARY IN PROG"
)
_COMPILED = tuple((re.compile(p), ct, cat, c, a) for p, ct, cat, c, a in _RULES)


def draft_row(code: str) -> MappingRow:
    """A proposed mapping row from keyword rules (to be reviewed by the city)."""
    text = code.upper()
    severe = bool(_SEVERE_FINAL.search(text))
    for pattern, call_type, category, consequence, answers in _COMPILED:
        if pattern.search(text):
            if category in ("medical", "fire") or call_type == "animal":
                severe = False  # an injury or a fire is not a reason for police
            return MappingRow(
                code=code,
                call_type=call_type,
                category=category,
                answers=_answers(answers, "rule"),
                severe=severe,
                consequence=consequence,
                source=f"rule:{pattern.pattern.split('|')[0]}",
            )
    return MappingRow(code, "", "other", {}, severe, 3, "rule:none")


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
            row = MappingRow(code, call_type, category, {}, row.severe, 3, f"vera:{vera.strip()}")
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
