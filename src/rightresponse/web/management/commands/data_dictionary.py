"""Write docs/data-dictionary.md from core/dictionary.py (``--check``: fail if stale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rightresponse.core.dictionary import dictionary_markdown


class Command(BaseCommand):
    help = "Generate docs/data-dictionary.md from the data dictionary."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
        parser.add_argument(
            "--output", default=str(Path(settings.PROJECT_DIR) / "docs" / "data-dictionary.md")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = dictionary_markdown()
        path = Path(options["output"])
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is stale: run `rightresponse data-dictionary`")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
