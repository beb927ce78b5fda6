"""A live API for contract tests: the demo data set served by gunicorn as in production.

The tests in tests/api/ call the API as an outside system would, over HTTP, with the demo
logins (one per role). The database is SQLite named by ``DATABASE_URL=sqlite:///...`` (the
configuration issue 20 found answering 500 under concurrent writes), or, when the suite
runs on PostgreSQL (``DATABASE_URL`` set), a database of its own on that server. Migrating
and seeding take half a minute, so it is done once per session; each SQLite server gets a
copy of the seeded file.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from rightresponse.accounts.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# The demo logins the testers used, one per role.
ROLE_USERS = {
    "admin": "admin",
    "calltaker": "calltaker",
    "dispatcher": "dispatcher",
    "supervisor": "supervisor",
    "officer": "officer",
    "responder": "responder",
    "provider": "provider",
    "analyst": "analyst",
    "hotline": "counselor",  # the 988 crisis line's counselor (intake/demo.py)
}


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="rightresponse.config.settings",
        RIGHTRESPONSE_SECRET_KEY="live-api-tests-only",
    )
    env.pop("RIGHTRESPONSE_TESTING", None)
    return env


def _manage(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "rightresponse.cli", *args],
        env=_env(database_url),
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seeded_database(workdir: Path) -> str:
    """Migrate and seed the demo; returns its DATABASE_URL."""
    postgres = os.environ.get("DATABASE_URL", "")
    if postgres.startswith("postgres"):
        import psycopg

        name = (os.environ.get("RIGHTRESPONSE_TEST_DB_NAME") or "test_rr") + "_live"
        with psycopg.connect(postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        parts = urlsplit(postgres)
        url = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        url = f"sqlite:///{workdir / 'template.sqlite3'}"
    _manage(url, "migrate", "--noinput", "-v", "0")
    _manage(url, "seed_demo")
    return url


def working_copy(template_url: str, workdir: Path, name: str) -> str:
    """SQLite: a fresh copy of the seeded file per server; PostgreSQL: the one database."""
    if not template_url.startswith("sqlite"):
        return template_url
    source = Path(template_url.removeprefix("sqlite:///"))
    target = workdir / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return f"sqlite:///{target}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """gunicorn with sync workers, as docs/operations.md runs it."""

    def __init__(self, database_url: str, workers: int = 4) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn", "rightresponse.config.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--worker-class", "sync", "--timeout", "60", "--access-logfile", "/dev/null",
        ]  # fmt: skip
        # A session of its own, so stopping reaches the master and its workers only.
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=_env(database_url), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the live server did not start within 60 s")

    def token(self, role: str) -> str:
        response = requests.post(
            f"{self.url}/api/auth/token",
            json={"username": ROLE_USERS[role], "password": DEMO_PASSWORD, "name": "tests"},
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["token"])

    def stop(self) -> str:
        """Stop the server; returns what it wrote to stderr (its error log)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        assert self.process.stderr is not None
        return self.process.stderr.read().decode(errors="replace")
