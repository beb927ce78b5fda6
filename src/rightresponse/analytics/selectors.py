"""Reads of the analytics pillar: profiles, mappings, datasets and their calls."""

from __future__ import annotations

import functools
from pathlib import Path

import ibis.expr.types as ir
from django.conf import settings

from rightresponse.core.analytics.mapping import MappingRow, load_mapping
from rightresponse.core.analytics.profile import Profile, ProfileError, load_profile
from rightresponse.core.analytics.store import open_calls, parts

from .models import Analysis, Dataset

PROFILES_DIR = Path(__file__).with_name("profiles")
MAPPINGS_DIR = Path(__file__).with_name("mappings")
SAMPLES_DIR = Path(__file__).with_name("samples")


def store_root() -> Path:
    """Imported calls live under RIGHTRESPONSE_VAR (settings.VAR_DIR, docs/operations.md)."""
    return Path(settings.VAR_DIR) / "analytics"


def database_not_ready() -> str | None:
    """Why the analytics tables cannot be used yet (an unmigrated database), or None.
    Commands say this instead of failing with a database traceback."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        targets = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "analytics"]
        pending = executor.migration_plan(targets)
    except DatabaseError as exc:
        return f"the database cannot be read ({exc})"
    if pending:
        where = connection.settings_dict.get("NAME")
        return (
            f"the database {where} is not migrated ({len(pending)} migration(s) pending, e.g. "
            f"{pending[0][0].app_label}.{pending[0][0].name}): run `rightresponse migrate` first"
        )
    return None


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def profile_get(name: str) -> Profile:
    """A shipped profile by name, or a profile file by path."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_profile(path)
    candidate = PROFILES_DIR / f"{name}.yaml"
    if not candidate.is_file():
        raise ProfileError(f"no profile {name!r}; shipped profiles: {', '.join(profile_names())}")
    return load_profile(candidate)


def mapping_get(profile: Profile) -> dict[str, MappingRow]:
    if not profile.mapping:
        return {}
    path = Path(profile.mapping)
    if not path.is_absolute():
        path = MAPPINGS_DIR / profile.mapping
    return load_mapping(path)


@functools.cache
def vera_taxonomy() -> dict[str, str]:
    """The Vera Institute / Two Sigma taxonomy shipped with the mappings (MIT licence)."""
    from rightresponse.core.analytics.presets import load_vera_taxonomy

    return load_vera_taxonomy(MAPPINGS_DIR / "vera-taxonomy.csv")


def dataset_list() -> list[Dataset]:
    return list(Dataset.objects.prefetch_related("imports", "analyses"))


def dataset_calls(dataset: Dataset, engine: str = "duckdb") -> ir.Table:
    """The dataset's calls as an Ibis table on ``engine`` (analytics.engines)."""
    from .engines import backend

    return open_calls(store_root(), dataset.slug, backend=backend(engine))


def dataset_has_calls(dataset: Dataset) -> bool:
    return bool(parts(store_root(), dataset.slug))


def analysis_latest(dataset: Dataset) -> Analysis | None:
    return dataset.analyses.first()
