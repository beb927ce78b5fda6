"""Dispatch under load, and after a crash.

Starts the app itself with gunicorn on a free loopback port (PostgreSQL when DATABASE_URL
is set, else a fresh SQLite file), runs N concurrent dispatcher clients that create
incidents from triaged calls, assign units, move them on scene and close them, kills the
server with SIGKILL half-way through, restarts it, lets the clients finish (they retry
with the same Idempotency-Key), then checks the database:

- every write the API acknowledged (a 2xx response) is present;
- no unit was ever on two incidents at once (overlapping assignment intervals);
- no status event was lost (every acknowledged status change has its event, and each
  incident's events chain from status to status up to its current status).

The last line printed is one JSON object:
{"clients": 50, "seconds": 60, "acknowledged_writes": N, "present_after_restart": N,
 "double_assignments": 0, "lost_status_events": 0, "p99_ms": X}
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Sync workers: under this load gunicorn 27's gthread worker left accepted requests unread
# (CLOSE-WAIT sockets with their request still queued) until the client timed out.
MAX_WORKERS = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(database_url: str | None, workdir: Path) -> None:
    """Environment shared by this process (setup, checks) and the server it starts."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "rightresponse.config.settings"
    os.environ["RIGHTRESPONSE_VAR"] = str(workdir)
    os.environ.setdefault("RIGHTRESPONSE_SECRET_KEY", "bench-" + uuid.uuid4().hex)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["RIGHTRESPONSE_SQLITE"] = str(workdir / "bench.sqlite3")


def setup(run: str, clients: int, seconds: int) -> tuple[str, list[int]]:
    """Migrate, then create this run's agency, dispatcher, units and triaged calls."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from rightresponse.accounts import roles as r
    from rightresponse.accounts.models import Agency
    from rightresponse.accounts.services import token_create, user_create
    from rightresponse.dispatch.models import Unit
    from rightresponse.triage.models import Call

    agency = Agency.objects.create(
        slug=f"bench-{run}", name=f"Bench {run}", kind="emergency_communications"
    )
    user = user_create(username=f"bench-{run}", password=uuid.uuid4().hex, agency=agency,
                       roles=[r.DISPATCHER])  # fmt: skip
    token = token_create(user, "bench")
    programs = [("community_responder", "civilian"), ("cit_co_response", "co_response"),
                ("police", "police")]  # fmt: skip
    for i in range(max(4, clients // 2)):
        program, kind = programs[i % 3]
        Unit.objects.create(agency=agency, program=program, kind=kind, call_sign=f"B{run}-{i}",
                            latitude=47.55 + 0.01 * (i % 10), longitude=-122.35 + 0.01 * (i // 10))  # fmt: skip
    now = timezone.now()
    count = clients * seconds * 4 + 100
    decision = {"tier": 2, "lead": "civilian", "category": "wellness_check",
                "programs": ["community_responder", "cit_co_response", "police"],
                "risk": {"likelihood": 2, "consequence": 3, "score": 6, "band": "moderate"},
                "screened_out": False, "reasons": ["bench"], "ask_next": [],
                "protocol_version": "bench", "call_type": "welfare_check"}  # fmt: skip
    # bulk_create sends no post_save: the incidents are created by the clients, over HTTP.
    calls = Call.objects.bulk_create(
        Call(agency=agency, received_at=now, answered_at=now, triaged_at=now,
             channel="911", call_type="welfare_check", tier=2, lead="civilian", risk_score=6,
             risk_band="moderate", decision=decision, area=f"beat-{i % 7}",
             address=f"{100 + i} Bench Ave", latitude=47.55 + (i % 50) * 0.002,
             longitude=-122.35 + (i % 37) * 0.002)
        for i in range(count)
    )  # fmt: skip
    ids = [c.pk for c in calls]
    if not ids or ids[0] is None:  # backends that do not return ids from bulk_create
        ids = list(Call.objects.filter(agency=agency).order_by("pk").values_list("pk", flat=True))
    return token, ids


class Server:
    def __init__(self, port: int, workers: int) -> None:
        self.port, self.workers = port, workers
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "rightresponse.config.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
            "--worker-class", "sync", "--timeout", "60", "--access-logfile", "/dev/null",
        ]  # fmt: skip
        # A session of its own, so SIGKILL reaches the master and its workers and nothing else.
        self.process = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the server did not start within 60 s")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Client(threading.Thread):
    def __init__(
        self, index: int, port: int, token: str, calls: Any, stop_at: float, log: Any
    ) -> None:
        super().__init__(daemon=True)
        self.index, self.port, self.token = index, port, token
        self.calls, self.stop_at, self.log = calls, stop_at, log
        self.conn: http.client.HTTPConnection | None = None
        self.acknowledged: list[tuple[Any, ...]] = []
        self.latencies: list[float] = []

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Send with one Idempotency-Key and retry through connection errors (the crash):
        a write committed before the crash is answered from the key on retry."""
        key = uuid.uuid4().hex
        payload = json.dumps(body) if body is not None else None
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                   "Idempotency-Key": key}  # fmt: skip
        give_up = time.monotonic() + 90
        while True:
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                started = time.perf_counter()
                self.conn.request(method, path, payload, headers)
                response = self.conn.getresponse()
                data = response.read()
                self.latencies.append((time.perf_counter() - started) * 1000)
                return response.status, json.loads(data) if data else None
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if time.monotonic() > give_up:
                    return 0, None
                time.sleep(0.05)

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            try:
                call_id = next(self.calls)
            except StopIteration:
                return
            status, incident = self.request("POST", "/api/dispatch/incidents", {"call_id": call_id})
            if status not in (200, 201):
                continue
            self.acknowledged.append(("create", incident["id"]))
            base = f"/api/dispatch/incidents/{incident['id']}"
            unit_id = None
            candidates = (incident.get("recommendation") or {}).get("candidates") or []
            for rank, candidate in enumerate(candidates[:6]):
                body: dict[str, Any] = {"unit_id": candidate["unit_id"]}
                if rank:
                    body["override_reason"] = "recommended unit taken by another dispatcher"
                status, _ = self.request("POST", f"{base}/assign", body)
                if status == 200:
                    unit_id = candidate["unit_id"]
                    self.acknowledged.append(("assign", incident["id"], unit_id))
                    break
            if unit_id is None:
                continue
            for target in ("en_route", "on_scene"):
                status, _ = self.request("POST", f"{base}/status", {"status": target})
                if status == 200:
                    self.acknowledged.append(("status", incident["id"], target))
            status, _ = self.request("POST", f"{base}/close",
                                     {"disposition": "bench", "outcome": "resolved_on_scene"})  # fmt: skip
            if status == 200:
                self.acknowledged.append(("close", incident["id"]))


def verify(run: str, acknowledged: list[tuple[Any, ...]]) -> dict[str, int]:
    from django.db import close_old_connections

    close_old_connections()
    from rightresponse.dispatch.models import Assignment, Incident, IncidentEvent

    incidents = {i.pk: i for i in Incident.objects.filter(agency__slug=f"bench-{run}")}
    assignments = set(
        Assignment.objects.filter(incident_id__in=incidents).values_list("incident_id", "unit_id")
    )
    status_events: dict[int, list[tuple[str, str]]] = {}
    for inc_id, from_value, to_value in (
        IncidentEvent.objects.filter(incident_id__in=incidents, kind="status")
        .order_by("at", "id")
        .values_list("incident_id", "from_value", "to_value")
    ):
        status_events.setdefault(inc_id, []).append((from_value, to_value))
    present = 0
    lost = 0
    for write in acknowledged:
        kind, inc_id = write[0], write[1]
        if kind == "create":
            ok = inc_id in incidents
        elif kind == "assign":
            ok = (inc_id, write[2]) in assignments
        elif kind == "status":
            ok = any(to == write[2] for _, to in status_events.get(inc_id, []))
            lost += 0 if ok else 1
        else:
            ok = inc_id in incidents and incidents[inc_id].status == "closed"
        present += ok
    # Each incident's status events must chain waiting -> ... -> its current status.
    for inc_id, incident in incidents.items():
        state = "waiting"
        for from_value, to_value in status_events.get(inc_id, []):
            if from_value != state:
                lost += 1
            state = to_value
        if state != incident.status:
            lost += 1
    # A unit is on two incidents at once when its assignment intervals overlap.
    double = 0
    by_unit: dict[int, list[tuple[Any, Any]]] = {}
    for unit_id, start, end in Assignment.objects.filter(incident_id__in=incidents).values_list(
        "unit_id", "assigned_at", "released_at"
    ):
        by_unit.setdefault(unit_id, []).append((start, end))
    for spans in by_unit.values():
        spans.sort(key=lambda s: s[0])
        for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
            if end is None or next_start < end:
                double += 1
    return {"present": present, "lost": lost, "double": double}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="4 clients for 3 seconds")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.seconds = 4, 3
    workdir = Path(tempfile.mkdtemp(prefix="rr-dispatch-load-"))
    database_url = os.environ.get("DATABASE_URL") or None
    configure(database_url, workdir)
    run = uuid.uuid4().hex[:8]
    token, call_ids = setup(run, args.clients, args.seconds)
    port = free_port()
    server = Server(port, workers=min(MAX_WORKERS, max(2, args.clients // 4)))
    server.start()
    calls = iter(call_ids)
    lock = threading.Lock()

    def next_call() -> Any:
        while True:
            with lock:
                yield next(calls)

    shared = next_call()
    stop_at = time.monotonic() + args.seconds
    clients = [Client(i, port, token, shared, stop_at, None) for i in range(args.clients)]
    started = time.monotonic()
    for client in clients:
        client.start()
    try:
        time.sleep(args.seconds / 2)
        server.kill()
        killed_at = time.monotonic() - started
        server.start()
        restarted_at = time.monotonic() - started
        for client in clients:
            client.join(timeout=args.seconds + 120)
    finally:
        server.stop()
    acknowledged = [w for c in clients for w in c.acknowledged]
    latencies = sorted(ms for c in clients for ms in c.latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    checks = verify(run, acknowledged)
    engine = "postgresql" if database_url else "sqlite"
    print(
        f"database: {engine}; server killed (SIGKILL) at {killed_at:.1f} s, back at {restarted_at:.1f} s"
    )
    print(
        f"requests answered: {len(latencies)}; p50 {latencies[len(latencies) // 2] if latencies else 0:.1f} ms"
    )
    result = {
        "clients": args.clients,
        "seconds": args.seconds,
        "acknowledged_writes": len(acknowledged),
        "present_after_restart": checks["present"],
        "double_assignments": checks["double"],
        "lost_status_events": checks["lost"],
        "p99_ms": round(p99, 1),
    }
    print(json.dumps(result))
    if not database_url:
        shutil.rmtree(workdir, ignore_errors=True)
    ok = checks["present"] == len(acknowledged) and not checks["double"] and not checks["lost"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
