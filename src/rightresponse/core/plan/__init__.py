"""The action plan: the report's steps as data, and what their statuses add up to."""

from .catalog import Action, LaunchItem, PlanCatalog, PlanFileError, Step, load_plan, parse_plan
from .progress import STATUSES, WEIGHT, Progress, progress

__all__ = [
    "STATUSES",
    "WEIGHT",
    "Action",
    "LaunchItem",
    "PlanCatalog",
    "PlanFileError",
    "Progress",
    "Step",
    "load_plan",
    "parse_plan",
    "progress",
]
