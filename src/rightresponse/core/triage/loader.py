"""Load a protocol: YAML -> JSON Schema validation -> semantic checks -> compiled Protocol.

Every problem names the file, the path inside it (``rules[3].when.weapon``) and the
reason, and all problems are reported at once so an author fixes them in one pass.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Collection, Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .availability import hours_text, hours_windows
from .engine import compile_protocol
from .model import (
    Band,
    CallType,
    Category,
    Example,
    FlagRule,
    Program,
    Protocol,
    Question,
    RiskEffect,
    RiskMatrix,
    Rule,
    Screening,
    flag_key,
)

SCHEMA_FILE = "protocol.schema.json"
_CELL = re.compile(r"^(?P<band>.+?) (?P<score>\d+)$")


class ProtocolError(ValueError):
    """An invalid protocol. ``problems`` holds (path inside the file, reason) pairs."""

    def __init__(self, source: str, problems: Sequence[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        if len(self.problems) == 1:
            path, reason = self.problems[0]
            message = f"{source}: at {path}: {reason}"
        else:
            lines = [f"{source}: {len(self.problems)} problems"]
            lines += [f"  at {path}: {reason}" for path, reason in self.problems]
            message = "\n".join(lines)
        super().__init__(message)


class _Loader(yaml.SafeLoader):
    """YAML 1.1 without the 'yes/no/on/off are booleans' surprise, and with duplicate keys
    refused: a protocol says ``weapon: yes`` and means the answer "yes"."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Nor YAML 1.1's base-60 numbers: ``from: 10:00`` is a time of day, not the integer 600.
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, re.compile("(?!.*:)" + regexp.pattern, regexp.flags))
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        else (tag, regexp)
        for tag, regexp in resolvers
    ]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


@cache
def protocol_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = protocol_schema()
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


# A protocol is a few hundred kilobytes at most; anything far larger is not one, and reading
# it whole (or a device such as /dev/zero, which never ends) would only exhaust memory.
MAX_PROTOCOL_BYTES = 5 * 1024 * 1024


def read_text(path: str | Path, limit: int = MAX_PROTOCOL_BYTES) -> str:
    """A protocol file's text: a regular file of at most ``limit`` bytes, in UTF-8.
    Anything else is a ProtocolError naming the file and the reason (never a hang: the file
    is opened without blocking, so a FIFO or a device is refused before anything is read)."""
    source = str(path)

    def refuse(reason: str) -> ProtocolError:
        return ProtocolError(source, [("(file)", reason)])

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise refuse(f"cannot read the file: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise refuse("not a regular file (a directory, device or pipe)")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise refuse(f"cannot read the file: {exc.strerror}") from None
    if len(data) > limit:
        raise refuse(f"larger than {limit // (1024 * 1024)} MB: not a protocol")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ProtocolError(
            source,
            [(f"line {line}", f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8")],
        ) from None


def read_yaml(path: str | Path) -> Any:
    source = str(path)
    text = read_text(path)
    return read_yaml_text(text, source)


def read_yaml_text(text: str, source: str) -> Any:
    """Parse protocol YAML held in memory (the studio keeps versions in the database)."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ProtocolError(source, [(where, f"not valid YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ProtocolError(source, [("(file)", f"not valid YAML: {exc}")]) from None
    except (TypeError, ValueError, RecursionError) as exc:
        # What PyYAML's constructors let through: a list or mapping as a key (unhashable),
        # an impossible date (``!!timestamp 2020-99-99``), nesting deeper than Python's
        # stack. Text typed in the studio is untrusted: a problem by place, never a 500.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ProtocolError(source, [("(file)", f"not valid YAML: {reason}")]) from None


def load_protocol(path: str | Path, *, known_areas: Collection[str] | None = None) -> Protocol:
    """Read, validate and compile a protocol file (YAML or JSON)."""
    return parse_protocol(read_yaml(path), str(path), known_areas=known_areas)


def load_protocol_text(
    text: str, source: str, *, known_areas: Collection[str] | None = None
) -> Protocol:
    """Validate and compile a protocol given as YAML text; ``source`` names it in errors."""
    return parse_protocol(read_yaml_text(text, source), source, known_areas=known_areas)


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _message(error: jsonschema.ValidationError) -> str:
    """The schema's own wording where it gives one (``x-message``: "is not a time of
    day ..."), else jsonschema's."""
    custom = error.schema.get("x-message") if isinstance(error.schema, Mapping) else None
    return f"{error.instance!r} {custom}" if custom else error.message


def parse_protocol(
    data: Any, source: str, *, known_areas: Collection[str] | None = None
) -> Protocol:
    """Validate ``data`` (the parsed file) against the schema and the semantic rules.
    ``known_areas``: the city's areas, when known, which programs' ``areas`` must name."""
    if not isinstance(data, Mapping):
        raise ProtocolError(source, [("(top level)", "a protocol is a mapping of sections")])
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise ProtocolError(source, [(_path(e.absolute_path), _message(e)) for e in errors[:20]])
    problems: list[tuple[str, str]] = []
    protocol = _build(data, problems, known_areas)
    if problems or protocol is None:
        raise ProtocolError(source, problems)
    protocol = _with_source(protocol, source)
    object.__setattr__(protocol, "compiled", compile_protocol(protocol))
    return protocol


def _with_source(protocol: Protocol, source: str) -> Protocol:
    object.__setattr__(protocol, "source", source)
    return protocol


def _ids(section: str, items: list[dict[str, Any]], problems: list[tuple[str, str]]) -> set[str]:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        item_id = item["id"]
        if item_id in seen:
            problems.append(
                (
                    f"{section}[{i}].id",
                    f"duplicate id {item_id!r} (also {section}[{seen[item_id]}])",
                )
            )
        else:
            seen[item_id] = i
    return set(seen)


def _conditions(raw: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    return {q: frozenset([v] if isinstance(v, str) else v) for q, v in raw.items()}


def _find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A cycle in a small reference graph (fallbacks, extends), as the list of ids."""
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in edges.get(node, ()):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt) :] + [nxt]
            if nxt in edges and state.get(nxt) is None:
                found = visit(nxt, trail)
                if found:
                    return found
        trail.pop()
        state[node] = 2
        return None

    for start in edges:
        if state.get(start) is None:
            found = visit(start, [])
            if found:
                return found
    return None


def _build(
    data: Mapping[str, Any],
    problems: list[tuple[str, str]],
    known_areas: Collection[str] | None = None,
) -> Protocol | None:
    def bad(path: str, reason: str) -> None:
        problems.append((path, reason))

    categories_raw = data["categories"]
    questions_raw = data["questions"]
    programs_raw = data["programs"]
    call_types_raw = data["call_types"]
    rules_raw = data["rules"]
    screening_raw = data.get("screening", [])
    defaults = data.get("defaults", {})
    category_ids = _ids("categories", categories_raw, problems)
    question_ids = _ids("questions", questions_raw, problems)
    program_ids = _ids("programs", programs_raw, problems)
    call_type_ids = _ids("call_types", call_types_raw, problems)
    rule_ids = _ids("rules", rules_raw, problems)
    _ids("screening", screening_raw, problems)

    def check_refs(path: str, refs: Iterable[str], known: set[str], kind: str) -> None:
        for i, ref in enumerate(refs):
            if ref not in known:
                bad(f"{path}[{i}]", f"unknown {kind} {ref!r}")

    def check_conditions(path: str, conditions: Mapping[str, Any]) -> None:
        for qid in conditions:
            if qid not in question_ids:
                bad(f"{path}.{qid}", f"unknown question {qid!r}")

    # Risk matrix: 5 x 5 exactly as printed, bands ordered and monotone.
    matrix_raw = data["risk_matrix"]
    bands_raw = matrix_raw["bands"]
    _ids("risk_matrix.bands", bands_raw, problems)
    band_rank = {}
    for i, b in enumerate(bands_raw):
        band_rank[b["id"]] = i
        band_rank.setdefault(b["label"].lower(), i)
        if b["min_tier"] > b["max_tier"]:
            bad(f"risk_matrix.bands[{i}]", "min_tier is above max_tier")
        if i and (
            b["min_tier"] < bands_raw[i - 1]["min_tier"]
            or b["max_tier"] < bands_raw[i - 1]["max_tier"]
        ):
            bad(
                f"risk_matrix.bands[{i}]",
                "a higher band may not allow lower tiers than the band before it "
                "(min_tier and max_tier must not decrease)",
            )
    for axis in ("likelihood", "consequence"):
        if len(matrix_raw[axis]) != 5:
            bad(
                f"risk_matrix.{axis}", f"needs 5 labels (levels 1-5), found {len(matrix_raw[axis])}"
            )
    rows = matrix_raw["rows"]
    cells: list[list[tuple[str, int]]] = []
    if len(rows) != 5 or any(len(row) != 5 for row in rows):
        shape = " x ".join(str(len(r)) for r in rows) if rows else "empty"
        bad(
            "risk_matrix.rows",
            f"the risk matrix must be 5 x 5 (likelihood 5..1 by consequence 1..5); "
            f"found {len(rows)} row(s) of {shape} cell(s)",
        )
    else:
        for r, row in enumerate(rows):
            likelihood = 5 - r
            parsed = []
            for col, cell in enumerate(row):
                m = _CELL.match(cell)
                band_key = m["band"].strip().lower() if m else ""
                score = int(m["score"]) if m else 0
                band_id = bands_raw[band_rank[band_key]]["id"] if band_key in band_rank else ""
                if not band_id:
                    bad(f"risk_matrix.rows[{r}][{col}]", f"unknown band {band_key!r}")
                if score != likelihood * (col + 1):
                    bad(
                        f"risk_matrix.rows[{r}][{col}]",
                        f"score {score} is not likelihood {likelihood} x consequence {col + 1}",
                    )
                parsed.append((band_id, score))
            cells.insert(0, parsed)
        for li in range(5):
            for ci in range(5):
                here = band_rank.get(cells[li][ci][0], 0)
                lower = [cells[li - 1][ci][0]] if li else []
                lower += [cells[li][ci - 1][0]] if ci else []
                if any(band_rank.get(b, 0) > here for b in lower):
                    bad(
                        f"risk_matrix.rows[{4 - li}][{ci}]",
                        "the band must not fall as likelihood or consequence rises",
                    )

    # Questions
    questions = {}
    default_unknown = defaults.get("unknown_as", "yes")
    for i, q in enumerate(questions_raw):
        if_yes = RiskEffect(**q.get("if_yes", {}))
        if_unknown = RiskEffect(**q.get("if_unknown", {}))
        if if_unknown.likelihood > if_yes.likelihood or if_unknown.consequence > if_yes.consequence:
            bad(f"questions[{i}].if_unknown", "may not exceed if_yes (a yes never lowers risk)")
        questions[q["id"]] = Question(
            id=q["id"],
            text=q["text"],
            help=q.get("help", ""),
            unknown_as=q.get("unknown_as", default_unknown),
            if_yes=if_yes,
            if_unknown=if_unknown,
        )

    # Programs and their fallback chains
    programs = {}
    for i, p in enumerate(programs_raw):
        check_conditions(f"programs[{i}].eligible_when", p.get("eligible_when", {}))
        if "fallback" in p and p["fallback"] not in program_ids:
            bad(f"programs[{i}].fallback", f"unknown program {p['fallback']!r}")
        for j, span in enumerate(p.get("hours", [])):
            if span["from"] == span["to"]:
                bad(f"programs[{i}].hours[{j}].to", "the span ends when it starts")
        if known_areas is not None:
            for j, area in enumerate(p.get("areas", [])):
                if area not in known_areas:
                    bad(
                        f"programs[{i}].areas[{j}]",
                        f"unknown area {area!r}: the city's areas are "
                        + (", ".join(sorted(known_areas)) or "(none imported)"),
                    )
        programs[p["id"]] = Program(
            id=p["id"],
            label=p["label"],
            kind=p["kind"],
            tiers=frozenset(p["tiers"]),
            eligible_when=_conditions(p.get("eligible_when", {})),
            fallback=p.get("fallback"),
            hours=hours_windows(p["hours"]) if "hours" in p else None,
            hours_text=hours_text(p["hours"]) if "hours" in p else "",
            areas=frozenset(p["areas"]) if "areas" in p else None,
        )
    cycle = _find_cycle({p["id"]: [p["fallback"]] for p in programs_raw if "fallback" in p})
    if cycle:
        bad("programs", "program fallback cycle: " + " -> ".join(cycle))

    # Call types
    call_types = {}
    for i, ct in enumerate(call_types_raw):
        if ct["category"] not in category_ids:
            bad(f"call_types[{i}].category", f"unknown category {ct['category']!r}")
        check_refs(f"call_types[{i}].questions", ct["questions"], question_ids, "question")
        check_refs(f"call_types[{i}].programs", ct["programs"], program_ids, "program")
        if len(set(ct["questions"])) != len(ct["questions"]):
            bad(f"call_types[{i}].questions", "a question is listed twice")
        call_types[ct["id"]] = CallType(
            id=ct["id"],
            label=ct["label"],
            category=ct["category"],
            tier=ct["tier"],
            likelihood=ct["risk"]["likelihood"],
            consequence=ct["risk"]["consequence"],
            questions=tuple(ct["questions"]),
            programs=tuple(ct["programs"]),
            reason=ct.get("reason", ""),
        )
    by_category: dict[str, set[str]] = {}
    for ct_id, ct_obj in call_types.items():
        by_category.setdefault(ct_obj.category, set()).add(ct_id)

    # Rules: references, extends cycles, and the monotone-answer discipline.
    raw_by_id = {r["id"]: r for r in rules_raw}
    for i, r in enumerate(rules_raw):
        if "extends" in r and r["extends"] not in rule_ids:
            bad(f"rules[{i}].extends", f"unknown rule {r['extends']!r}")
    extends_cycle = _find_cycle({r["id"]: [r["extends"]] for r in rules_raw if "extends" in r})
    if extends_cycle:
        bad("rules", "rule extends cycle: " + " -> ".join(extends_cycle))

    def merged_when(rule: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
        parent = raw_by_id.get(rule.get("extends", ""))
        base = merged_when(parent, depth + 1) if parent is not None and depth < 50 else {}
        return {**base, **rule.get("when", {})}

    rules = []
    for i, r in enumerate(rules_raw):
        check_refs(f"rules[{i}].call_types", r.get("call_types", []), call_type_ids, "call type")
        check_refs(f"rules[{i}].categories", r.get("categories", []), category_ids, "category")
        check_refs(
            f"rules[{i}].except_categories",
            r.get("except_categories", []),
            category_ids,
            "category",
        )
        check_refs(f"rules[{i}].add_programs", r.get("add_programs", []), program_ids, "program")
        check_conditions(f"rules[{i}].when", r.get("when", {}))
        when = _conditions(merged_when(r) if not extends_cycle else r.get("when", {}))
        for qid, allowed in when.items():
            if "no" in allowed:
                bad(
                    f"rules[{i}].when.{qid}",
                    "a tier rule may not match 'no' (it could let a yes lower the tier); "
                    "put 'no' criteria in a program's eligible_when",
                )
            elif "unknown" in allowed and "yes" not in allowed:
                bad(
                    f"rules[{i}].when.{qid}",
                    "a rule that matches 'unknown' must also match 'yes' "
                    "(write [yes, unknown]): a yes can never lower the tier",
                )
        if "call_types" in r or "categories" in r:
            scope = set(r.get("call_types", []))
            for cat in r.get("categories", []):
                scope |= by_category.get(cat, set())
        else:
            scope = set(call_types)
        for cat in r.get("except_categories", []):
            scope -= by_category.get(cat, set())
        rules.append(
            Rule(
                id=r["id"],
                when={q: v for q, v in when.items() if q in question_ids},
                call_types=frozenset(scope),
                tier=r["tier"],
                add_programs=tuple(r.get("add_programs", [])),
                reason=r["reason"],
            )
        )

    screening = []
    for i, s in enumerate(screening_raw):
        check_refs(f"screening[{i}].call_types", s["call_types"], call_type_ids, "call type")
        check_refs(f"screening[{i}].unless_yes", s.get("unless_yes", []), question_ids, "question")
        screening.append(
            Screening(
                s["id"], frozenset(s["call_types"]), tuple(s.get("unless_yes", [])), s["reason"]
            )
        )

    flag_rules = _flag_rules(
        data.get("flag_rules", []), question_ids, program_ids, call_type_ids, problems
    )

    tier_programs_raw = defaults.get("tier_programs", [[], [], [], [], []])
    for tier, ids in enumerate(tier_programs_raw):
        check_refs(f"defaults.tier_programs[{tier}]", ids, program_ids, "program")
        for j, pid in enumerate(ids):
            if pid in programs and tier not in programs[pid].tiers:
                bad(
                    f"defaults.tier_programs[{tier}][{j}]",
                    f"program {pid!r} does not serve tier {tier}",
                )

    examples = []
    for i, ex in enumerate(data.get("examples", [])):
        if ex["call_type"] not in call_type_ids:
            bad(f"examples[{i}].call_type", f"unknown call type {ex['call_type']!r}")
        check_conditions(f"examples[{i}].answers", ex.get("answers", {}))
        expect = ex["expect"]
        if "first_program" in expect and expect["first_program"] not in program_ids:
            bad(
                f"examples[{i}].expect.first_program",
                f"unknown program {expect['first_program']!r}",
            )
        if "band" in expect and expect["band"] not in {b["id"] for b in bands_raw}:
            bad(f"examples[{i}].expect.band", f"unknown band {expect['band']!r}")
        examples.append(
            Example(
                ex["name"],
                ex["call_type"],
                dict(ex.get("answers", {})),
                dict(expect),
                tuple((f["on"], f["flag"]) for f in ex.get("flags", ())),
            )  # fmt: skip
        )

    if problems:
        return None
    matrix = RiskMatrix(
        likelihood_labels=tuple(matrix_raw["likelihood"]),
        consequence_labels=tuple(matrix_raw["consequence"]),
        cells=tuple(tuple(row) for row in cells),
        bands=tuple(Band(b["id"], b["label"], b["min_tier"], b["max_tier"]) for b in bands_raw),
    )
    return Protocol(
        version=data["version"],
        name=data["name"],
        source="",
        categories={c["id"]: Category(c["id"], c["label"]) for c in categories_raw},
        questions=questions,
        programs=programs,
        call_types=call_types,
        rules=tuple(rules),
        screening=tuple(screening),
        risk_matrix=matrix,
        tier_programs=tuple(tuple(ids) for ids in tier_programs_raw),
        examples=tuple(examples),
        flag_rules=flag_rules,
    )


def _flag_rules(
    raw: list[dict[str, Any]],
    question_ids: set[str],
    program_ids: set[str],
    call_type_ids: set[str],
    problems: list[tuple[str, str]],
) -> tuple[FlagRule, ...]:
    """The ``flag_rules`` section: every question, program and call type it names must
    exist, and a rule must change something (ask, min_tier or programs)."""
    _ids("flag_rules", raw, problems)
    out = []
    for i, r in enumerate(raw):
        for key, known, kind in (("call_types", call_type_ids, "call type"),
                                 ("ask", question_ids, "question"),
                                 ("exclude_programs", program_ids, "program"),
                                 ("prefer_programs", program_ids, "program")):  # fmt: skip
            for j, ref in enumerate(r.get(key, [])):
                if ref not in known:
                    problems.append((f"flag_rules[{i}].{key}[{j}]", f"unknown {kind} {ref!r}"))
        if not any(r.get(k) for k in ("ask", "exclude_programs", "prefer_programs")) and (
            r.get("min_tier") is None
        ):
            problems.append((f"flag_rules[{i}]", "changes nothing: give ask, min_tier, "
                             "exclude_programs or prefer_programs"))  # fmt: skip
        both = set(r.get("exclude_programs", [])) & set(r.get("prefer_programs", []))
        if both:
            problems.append((f"flag_rules[{i}].prefer_programs",
                             f"also excluded: {', '.join(sorted(both))}"))  # fmt: skip
        out.append(
            FlagRule(
                id=r["id"],
                on=r["on"],
                flags=frozenset(flag_key(f) for f in r["flags"]),
                call_types=frozenset(r.get("call_types") or call_type_ids),
                ask=tuple(r.get("ask", [])),
                min_tier=r.get("min_tier"),
                exclude_programs=tuple(r.get("exclude_programs", [])),
                prefer_programs=tuple(r.get("prefer_programs", [])),
                note=r["note"],
            )
        )
    return tuple(out)
