"""Triage core: the protocol a city edits and the deterministic decision it drives.

Pure Python (no Django): ``load_protocol(path)`` / ``parse_protocol(data, source)`` give a
validated, compiled ``Protocol``; ``decide(protocol, call_type, answers)`` gives a
``Decision`` whose ``to_dict()`` is the JSON contract shared by every pillar.
"""

from .checks import ExampleResult, run_examples
from .engine import UnknownIdError, decide
from .loader import (
    ProtocolError,
    load_protocol,
    load_protocol_text,
    parse_protocol,
    protocol_schema,
    read_yaml,
    read_yaml_text,
)
from .model import (
    ANSWERS,
    PROGRAM_KINDS,
    TIER_LABELS,
    TIER_SHORT,
    CallType,
    Category,
    Decision,
    Program,
    Protocol,
    Question,
    Risk,
    tier_lead,
)

__all__ = [
    "ANSWERS",
    "PROGRAM_KINDS",
    "TIER_LABELS",
    "TIER_SHORT",
    "CallType",
    "Category",
    "Decision",
    "ExampleResult",
    "Program",
    "Protocol",
    "ProtocolError",
    "Question",
    "Risk",
    "UnknownIdError",
    "decide",
    "load_protocol",
    "load_protocol_text",
    "parse_protocol",
    "protocol_schema",
    "read_yaml",
    "read_yaml_text",
    "run_examples",
    "tier_lead",
]
