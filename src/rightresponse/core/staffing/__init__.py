"""Staffing: call takers by Erlang C / Erlang A, field units by discrete-event simulation."""

from .config import StaffingPlan, staffing_load, staffing_parse
from .demand import streams_from_counts, synthetic_counts, weekly_profile
from .erlang import (
    NENA_STANDARD,
    erlang_a_performance,
    erlang_c,
    erlang_c_performance,
    relief_factor,
    scheduled_staff,
    servers_needed,
    staffing_plan,
)
from .simulation import (
    ICMA_SATURATION,
    Program,
    Result,
    Shift,
    SimulationError,
    Staffing,
    Stream,
    compare,
    simulate,
    uncovered,
)

__all__ = [
    "ICMA_SATURATION",
    "NENA_STANDARD",
    "Program",
    "Result",
    "Shift",
    "SimulationError",
    "Staffing",
    "StaffingPlan",
    "Stream",
    "compare",
    "erlang_a_performance",
    "erlang_c",
    "erlang_c_performance",
    "relief_factor",
    "scheduled_staff",
    "servers_needed",
    "simulate",
    "staffing_load",
    "staffing_parse",
    "staffing_plan",
    "streams_from_counts",
    "synthetic_counts",
    "uncovered",
    "weekly_profile",
]
