"""The ``rightresponse`` console command.

Each subcommand is a Django management command (``rightresponse import-calls`` runs
``import_calls``), so the CLI, the API and the pages share one configuration and one
database. ``rightresponse help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")
    from django.core.management import execute_from_command_line

    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["rightresponse", *args])


if __name__ == "__main__":
    main()
