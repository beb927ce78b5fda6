"""Performance metrics: the catalog, computations over fact rows, small-cell protection,
equity ratios, pilot evaluation and scorecard logic. Pure Python (NumPy), no Django."""

from .catalog import Catalog, CatalogError, Metric, load_catalog, parse_catalog
from .compute import ComputeError, Evaluator, Result, Value
from .facts import DIMENSIONS, FACT_FIELDS, Frame

__all__ = [
    "DIMENSIONS",
    "FACT_FIELDS",
    "Catalog",
    "CatalogError",
    "ComputeError",
    "Evaluator",
    "Frame",
    "Metric",
    "Result",
    "Value",
    "load_catalog",
    "parse_catalog",
]
