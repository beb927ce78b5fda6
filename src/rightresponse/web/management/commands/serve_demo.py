"""Serve the app for a demo: print the URL and the demo logins, then run gunicorn.

If a pillar provides ``demo_stream`` (a callable in ``<pillar>.demo``) it runs beside the
server so the live pages move.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand

from rightresponse.accounts.demo import DEMO_PASSWORD, USERS

STREAMING_PILLARS = ["dispatch"]


class Command(BaseCommand):
    help = "Serve the demo on localhost and print the URL and logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-stream", action="store_true", help="Do not simulate calls.")

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        lines = [
            "",
            "RightResponse demo",
            f"  Open {url}",
            f"  Every demo login uses the password: {DEMO_PASSWORD}",
        ]
        lines += [
            f"    {u:<11} {', '.join(roles):<18} {title}" for u, _, roles, _, _, title in USERS
        ]
        lines += [f"  API docs: {url}api/docs    Public dashboard: {url}public/", ""]
        self.stdout.write("\n".join(lines))
        if not options["no_stream"]:
            for pillar in STREAMING_PILLARS:
                try:
                    module = importlib.import_module(f"rightresponse.{pillar}.demo")
                except ModuleNotFoundError:
                    continue
                stream = getattr(module, "demo_stream", None)
                if stream is not None:
                    threading.Thread(target=stream, name=f"{pillar}-demo", daemon=True).start()
        command = [
            sys.executable, "-m", "gunicorn", "rightresponse.config.wsgi",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", "4", "--worker-class", "sync", "--timeout", "60",
            "--access-logfile", "-" if os.environ.get("RIGHTRESPONSE_ACCESS_LOG") else "/dev/null",
        ]  # fmt: skip
        sys.exit(subprocess.call(command))
