"""Is the database ready for a command? A console command run against a database that was
never migrated (a new install, a wrong DATABASE_URL) should say so and what to do, not
print a traceback ending in "no such table" (issue 10, item 10)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor


def database_ready_or_error() -> None:
    """Raise CommandError naming the database and the fix when it cannot be used."""
    name = connection.settings_dict.get("NAME", "")
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise CommandError(f"cannot open the database {name}: {exc}") from None
    if pending:
        raise CommandError(
            f"the database {name} is not migrated ({len(pending)} migrations to apply): "
            "run `rightresponse migrate` first"
        )
