"""The decision: (protocol, call type, answers) -> tier, lead, programs, risk, reasons.

The protocol is compiled once into bit masks and lookup tables (``compile_protocol``)
so one decision costs a few dozen integer operations instead of walking the protocol.
Answers become two masks over the questions: Y (counts as yes) and U (counts as
unknown); everything else counts as no.

Semantics (docs/protocol.md):
- A question the call type asks and the caller left unanswered counts as its
  ``unknown_as`` (yes, no, or unknown kept as its own answer). A question the call type
  does not ask counts only when answered "yes".
- Tier = max(call-type tier, tiers of matching rules), then bounded by the risk band of
  the likelihood x consequence matrix (report 1127-1135). Rules only match yes or
  unknown, and a rule that matches unknown also matches yes (the loader checks), so a
  "yes" can never lower the tier.
- A screening rule (bias-based complaints, report 1600) gives tier 0 with no response
  unless one of its safety questions counts as yes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .availability import program_unavailable
from .model import (
    TIER_SHORT,
    Decision,
    NotOffered,
    Program,
    Protocol,
    Risk,
    Rule,
    tier_lead,
)

# Rank of program kinds per tier so the lead's program comes first (report 1180, 1582-1586).
_KIND_RANK: dict[int, dict[str, int]] = {
    0: {"virtual": 0},
    1: {"civilian": 0, "medical": 0, "fire": 0, "co_response": 2, "virtual": 3, "police": 4},
    2: {"civilian": 0, "medical": 0, "fire": 0, "co_response": 1, "police": 2, "virtual": 3},
    3: {"co_response": 0, "police": 1, "civilian": 2, "medical": 2, "fire": 2, "virtual": 3},
    4: {"police": 0, "medical": 1, "fire": 1, "co_response": 2, "civilian": 3, "virtual": 4},
}


class UnknownIdError(ValueError):
    """A call names a call type, question or answer the protocol does not know."""

    def __init__(self, call_type: str | None, questions: list[str], answers: list[str]) -> None:
        self.call_type = call_type
        self.questions = questions
        self.answers = answers
        parts = []
        if call_type is not None:
            parts.append(f"unknown call type: {call_type!r}")
        if questions:
            parts.append("unknown question id(s): " + ", ".join(repr(q) for q in questions))
        if answers:
            parts.append("answers must be yes, no or unknown: " + ", ".join(answers))
        super().__init__("; ".join(parts))


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    tier: int
    need: int  # questions that must count as yes or unknown
    yes_only: int  # of those, the ones that must count as yes
    rule: Rule


@dataclass(frozen=True, slots=True)
class _CompiledProgram:
    program: Program
    forbid_yes: int
    forbid_unknown: int
    forbid_no: int


@dataclass(frozen=True, slots=True)
class _CompiledCallType:
    index: int
    asked: int  # bit mask of the questions the call type asks
    asked_bits: tuple[tuple[int, str], ...]  # (bit, question id) in asking order
    base_tier: int
    likelihood: int
    consequence: int
    rules: tuple[_CompiledRule, ...]  # applicable rules, highest tier first
    screens: tuple[tuple[int, str], ...]  # (unless-yes mask, screening id)


@dataclass(frozen=True, slots=True)
class Compiled:
    bit: Mapping[str, int]
    all_bits: int
    unknown_yes: int  # questions whose unknown counts as yes
    unknown_keep: int  # questions whose unknown stays unknown
    # Max-tables over 8-bit chunks of the Y and U masks: likelihood and consequence.
    yes_l: tuple[tuple[int, ...], ...]
    yes_c: tuple[tuple[int, ...], ...]
    unk_l: tuple[tuple[int, ...], ...]
    unk_c: tuple[tuple[int, ...], ...]
    # bounds[(likelihood - 1) * 5 + consequence - 1] = (min tier, max tier)
    bounds: tuple[tuple[int, int], ...]
    call_types: Mapping[str, _CompiledCallType]
    programs: Mapping[str, _CompiledProgram]


def _mask(bit: Mapping[str, int], ids: object) -> int:
    out = 0
    for qid in ids:  # type: ignore[attr-defined]
        out |= bit[qid]
    return out


def _chunk_tables(values: list[int]) -> tuple[tuple[int, ...], ...]:
    """For each 8-question chunk, a 256-entry table: mask -> max value of its set bits."""
    tables = []
    for start in range(0, max(len(values), 1), 8):
        chunk = values[start : start + 8]
        table = [0] * 256
        for m in range(1, 256):
            low = (m & -m).bit_length() - 1
            here = chunk[low] if low < len(chunk) else 0
            table[m] = max(table[m & (m - 1)], here)
        tables.append(tuple(table))
    return tuple(tables)


def _condition_masks(
    bit: Mapping[str, int], conditions: Mapping[str, frozenset[str]]
) -> tuple[int, int, int]:
    """Masks of questions where yes / unknown / no is NOT allowed."""
    forbid_yes = forbid_unknown = forbid_no = 0
    for qid, allowed in conditions.items():
        b = bit[qid]
        if "yes" not in allowed:
            forbid_yes |= b
        if "unknown" not in allowed:
            forbid_unknown |= b
        if "no" not in allowed:
            forbid_no |= b
    return forbid_yes, forbid_unknown, forbid_no


def compile_protocol(protocol: Protocol) -> Compiled:
    bit = {qid: 1 << i for i, qid in enumerate(protocol.questions)}
    questions = list(protocol.questions.values())
    unknown_yes = _mask(bit, [q.id for q in questions if q.unknown_as == "yes"])
    unknown_keep = _mask(bit, [q.id for q in questions if q.unknown_as == "unknown"])
    matrix = protocol.risk_matrix
    bounds = []
    for likelihood in range(1, 6):
        for consequence in range(1, 6):
            band = matrix.band(likelihood, consequence)
            bounds.append((band.min_tier, band.max_tier))
    call_types = {}
    for index, ct in enumerate(protocol.call_types.values()):
        rules = []
        for rule in protocol.rules:
            if ct.id not in rule.call_types:
                continue
            need = _mask(bit, rule.when)
            yes_only = _mask(
                bit, [q for q, allowed in rule.when.items() if "unknown" not in allowed]
            )
            rules.append(_CompiledRule(rule.tier, need, yes_only, rule))
        rules.sort(key=lambda r: -r.tier)  # stable: protocol order within a tier
        screens = tuple(
            (_mask(bit, s.unless_yes), s.id) for s in protocol.screening if ct.id in s.call_types
        )
        call_types[ct.id] = _CompiledCallType(
            index=index,
            asked=_mask(bit, ct.questions),
            asked_bits=tuple((bit[q], q) for q in ct.questions),
            base_tier=ct.tier,
            likelihood=ct.likelihood,
            consequence=ct.consequence,
            rules=tuple(rules),
            screens=screens,
        )
    programs = {
        p.id: _CompiledProgram(p, *_condition_masks(bit, p.eligible_when))
        for p in protocol.programs.values()
    }
    return Compiled(
        bit=bit,
        all_bits=(1 << len(bit)) - 1,
        unknown_yes=unknown_yes,
        unknown_keep=unknown_keep,
        yes_l=_chunk_tables([q.if_yes.likelihood for q in questions]),
        yes_c=_chunk_tables([q.if_yes.consequence for q in questions]),
        unk_l=_chunk_tables([q.if_unknown.likelihood for q in questions]),
        unk_c=_chunk_tables([q.if_unknown.consequence for q in questions]),
        bounds=tuple(bounds),
        call_types=call_types,
        programs=programs,
    )


def _max_over(tables: tuple[tuple[int, ...], ...], mask: int) -> int:
    best = 0
    for table in tables:
        if mask:
            value = table[mask & 255]
            if value > best:
                best = value
            mask >>= 8
    return best


def _risk(c: Compiled, ct: _CompiledCallType, y: int, u: int) -> tuple[int, int]:
    likelihood = max(ct.likelihood, _max_over(c.yes_l, y), _max_over(c.unk_l, u))
    consequence = max(ct.consequence, _max_over(c.yes_c, y), _max_over(c.unk_c, u))
    return likelihood, consequence


def _screened(ct: _CompiledCallType, y: int) -> str | None:
    for unless, screen_id in ct.screens:
        if not y & unless:
            return screen_id
    return None


def _tier(c: Compiled, ct: _CompiledCallType, y: int, u: int) -> int:
    """The tier alone: the hot path used for ask_next (two evaluations per open question)."""
    if ct.screens and _screened(ct, y) is not None:
        return 0
    tier = ct.base_tier
    present = y | u
    for r in ct.rules:
        if r.tier <= tier:
            break
        if not (r.need & ~present) and not (r.yes_only & ~y):
            tier = r.tier
            break
    likelihood, consequence = _risk(c, ct, y, u)
    low, high = c.bounds[(likelihood - 1) * 5 + consequence - 1]
    if tier < low:
        return low
    return high if tier > high else tier


def _masks(
    c: Compiled, ct: _CompiledCallType, call_type: str, answers: Mapping[str, str]
) -> tuple[int, int, int]:
    """(Y, U, answered) masks; raises UnknownIdError naming every unknown id or answer."""
    y = answered = 0
    unknown_ids: list[str] = []
    bad: list[str] = []
    bit = c.bit
    for qid, answer in answers.items():
        b = bit.get(qid)
        if b is None:
            unknown_ids.append(str(qid))
        elif answer == "yes":
            y |= b
            answered |= b
        elif answer == "no":
            answered |= b
        elif answer != "unknown":
            bad.append(f"{qid}={answer!r}")
    if unknown_ids or bad:
        raise UnknownIdError(None, sorted(unknown_ids), bad)
    open_ = ct.asked & ~answered
    y |= open_ & c.unknown_yes
    u = open_ & c.unknown_keep
    return y, u, answered


def _eligible(cp: _CompiledProgram, y: int, u: int, n: int) -> bool:
    return not (y & cp.forbid_yes or u & cp.forbid_unknown or n & cp.forbid_no)


def _programs(
    protocol: Protocol,
    c: Compiled,
    tier: int,
    candidates: list[str],
    y: int,
    u: int,
    at: datetime | None = None,
    area: str | None = None,
    not_offered: list[NotOffered] | None = None,
) -> tuple[str, ...]:
    """The programs offered: each candidate that serves the tier, is eligible and is open
    (its hours and areas, ``availability.py``), else its ``fallback`` chain; when none
    is left, the tier's defaults that are open. Passed-over programs go to ``not_offered``."""
    n = c.all_bits & ~y & ~u
    chosen: list[str] = []
    passed: list[NotOffered] = [] if not_offered is None else not_offered

    def closed(program: Program) -> bool:
        why = program_unavailable(program, at, area)
        if why is not None and all(p.program != why.program for p in passed):
            passed.append(why)
        return why is not None

    for pid in candidates:
        cp: _CompiledProgram | None = c.programs[pid]
        while cp is not None and tier in cp.program.tiers:
            if _eligible(cp, y, u, n) and not closed(cp.program):
                if cp.program.id not in chosen:
                    chosen.append(cp.program.id)
                break
            fallback = cp.program.fallback
            cp = c.programs[fallback] if fallback else None
    if not chosen:
        defaults = [p for p in protocol.tier_programs[tier] if tier in protocol.programs[p].tiers]
        # A call is never left with nobody to send: when every default is closed too,
        # the defaults stand (the reasons say which are closed).
        chosen = [p for p in defaults if not closed(protocol.programs[p])]
        if not chosen and defaults:
            # Nobody of this tier is open: the defaults stay listed (a call is never left
            # with nobody to send) and the reason says so, for the dispatcher to decide.
            chosen = defaults
            closed_defaults = [p for p in passed if p.program in defaults]
            passed[:] = [p for p in passed if p.program not in defaults]
            passed.extend(
                NotOffered(
                    p.program,
                    "none_open",
                    f"No program for tier {tier} is open: {p.text.removeprefix('Not offered: ')}"
                    " Listed anyway; the dispatcher decides.",
                )
                for p in closed_defaults
            )
    rank = _KIND_RANK[tier]
    chosen.sort(key=lambda pid: rank.get(protocol.programs[pid].kind, 9))
    return tuple(chosen)


def _answer_word(qid: str, y: int, u: int, answered: int, bit: Mapping[str, int]) -> str:
    b = bit[qid]
    if b & answered:
        return "Yes." if b & y else "No."
    if b & y:
        return "Not known, counted as yes."
    return "Not known."


def decide(
    protocol: Protocol,
    call_type: str,
    answers: Mapping[str, str],
    *,
    at: datetime | None = None,
    area: str | None = None,
) -> Decision:
    """Decide the response for one call. Deterministic; raises UnknownIdError on bad ids.

    ``at``: when the call was received, as the city's local wall-clock time (the app
    converts with the city's zone); ``area``: the call's area (precinct). They decide only
    which programs are open (their ``hours`` and ``areas``), never the tier; None: not
    known, not checked."""
    c: Compiled = protocol.compiled
    ct = c.call_types.get(call_type)
    if ct is None:
        try:
            _masks(c, next(iter(c.call_types.values())), call_type, answers)
        except UnknownIdError as exc:
            raise UnknownIdError(call_type, exc.questions, exc.answers) from None
        raise UnknownIdError(call_type, [], [])
    y, u, answered = _masks(c, ct, call_type, answers)
    spec = protocol.call_types[call_type]
    bit = c.bit
    reasons: list[str] = []

    likelihood, consequence = _risk(c, ct, y, u)
    matrix = protocol.risk_matrix
    band = matrix.band(likelihood, consequence)
    risk = Risk(likelihood, consequence, matrix.score(likelihood, consequence), band.id)
    risk_text = (
        f"Risk: likelihood {likelihood} ({matrix.likelihood_labels[likelihood - 1]}) x "
        f"consequence {consequence} ({matrix.consequence_labels[consequence - 1]}) = "
        f"{risk.score}, {band.label}."
    )

    screen_id = _screened(ct, y) if ct.screens else None
    if screen_id is not None:
        screen = next(s for s in protocol.screening if s.id == screen_id)
        reasons.append(f"Screened out: {screen.reason}")
        reasons.append(risk_text)
        return Decision(
            tier=0,
            lead=None,
            programs=(),
            risk=risk,
            screened_out=True,
            reasons=tuple(reasons),
            ask_next=_ask_next(c, ct, y, u, answered),
            protocol_version=protocol.version,
            call_type=call_type,
            category=spec.category,
        )

    tier = ct.base_tier
    reasons.append(
        f"{spec.label}: starts at tier {tier} ({TIER_SHORT[tier]})."
        + (f" {spec.reason}" if spec.reason else "")
    )
    present = y | u
    added: list[str] = []
    for r in ct.rules:
        if r.need & ~present or r.yes_only & ~y:
            continue
        added.extend(r.rule.add_programs)
        facts = "; ".join(
            f"{protocol.questions[q].text} {_answer_word(q, y, u, answered, bit)}"
            for q in r.rule.when
        )
        if r.tier > tier:
            tier = r.tier
            reasons.append(f"Tier {r.tier}: {r.rule.reason}" + (f" ({facts})" if facts else ""))
        elif r.rule.add_programs:
            reasons.append(f"Also: {r.rule.reason}" + (f" ({facts})" if facts else ""))
    low, high = c.bounds[(likelihood - 1) * 5 + consequence - 1]
    if tier < low:
        tier = low
        risk_text += f" The {band.label} band needs at least tier {low} ({TIER_SHORT[low]})."
    elif tier > high:
        tier = high
        risk_text += f" The {band.label} band allows at most tier {high} ({TIER_SHORT[high]})."
    reasons.append(risk_text)
    for qid in protocol.questions:
        b = bit[qid]
        if b & ct.asked and not b & answered and b & c.unknown_yes:
            reasons.append(
                f"Not known: {protocol.questions[qid].text} Counted as yes to stay safe."
            )
    not_offered: list[NotOffered] = []
    programs = _programs(
        protocol, c, tier, added + list(spec.programs), y, u, at, area, not_offered
    )
    reasons.extend(p.text for p in not_offered)
    return Decision(
        tier=tier,
        lead=tier_lead(tier),
        programs=programs,
        risk=risk,
        screened_out=False,
        reasons=tuple(reasons),
        ask_next=_ask_next(c, ct, y, u, answered),
        protocol_version=protocol.version,
        call_type=call_type,
        category=spec.category,
        not_offered=tuple(not_offered),
    )


def _ask_next(c: Compiled, ct: _CompiledCallType, y: int, u: int, answered: int) -> tuple[str, ...]:
    """Unanswered questions whose answer could change the tier, the biggest swing first."""
    ranked: list[tuple[int, int, str]] = []
    for order, (b, qid) in enumerate(ct.asked_bits):
        if b & answered:
            continue
        rest_y, rest_u = y & ~b, u & ~b
        if_yes = _tier(c, ct, rest_y | b, rest_u)
        if_no = _tier(c, ct, rest_y, rest_u)
        if if_yes != if_no:
            ranked.append((if_no - if_yes, order, qid))
    ranked.sort()
    return tuple(qid for _, _, qid in ranked)
