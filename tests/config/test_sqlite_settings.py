"""Any SQLite database gets the tuned engine (issue 20): named by DATABASE_URL or by default.

With DATABASE_URL=sqlite:///... the settings once used plain SQLite (journal mode delete,
no busy timeout), and concurrent writes answered 500 "database is locked"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PRINT = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'name': str(d['NAME']), 'options': d['OPTIONS']}))"
)


def database_settings(env: dict[str, str]) -> dict:
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RIGHTRESPONSE_SQLITE")
    }
    clean.update(DJANGO_SETTINGS_MODULE="rightresponse.config.settings", **env)
    out = subprocess.run(
        [sys.executable, "-c", PRINT], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_sqlite_database_url_gets_the_tuned_engine(tmp_path: Path) -> None:
    path = tmp_path / "city.sqlite3"
    named = database_settings({"DATABASE_URL": f"sqlite:///{path}"})
    default = database_settings({"RIGHTRESPONSE_SQLITE": str(path)})
    assert named == default
    assert named["engine"] == "rightresponse.config.sqlite"
    assert named["name"] == str(path)
    assert named["options"]["transaction_mode"] == "IMMEDIATE"
    assert named["options"]["timeout"] >= 5
    assert "journal_mode=WAL" in named["options"]["init_command"]


def test_a_postgresql_url_is_left_to_postgresql() -> None:
    config = database_settings({"DATABASE_URL": "postgresql://u:p@db.example/rr"})
    assert config["engine"] == "django.db.backends.postgresql"
