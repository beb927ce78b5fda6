"""API latency for creating calls: 20 concurrent clients against the app under gunicorn.

Starts the app on a free loopback port with a fresh SQLite database (or on PostgreSQL
when DATABASE_URL is set: point it at a scratch database, the benchmark adds calls),
creates a call-taker and a token, then 20 client threads POST /api/triage/calls over
keep-alive connections, in two ways:

- offered load (open loop): the 20 clients together send calls at a fixed rate, with
  random (Poisson) gaps, like call takers who each submit when their call is triaged.
  Latency runs from the moment a call was due to be sent, so a slow server cannot hide
  its backlog by delaying the next send (no "coordinated omission"). Rates: 25, 50 and
  100 calls a second; the busiest 911 centres take under one call a second on average.
- saturation (closed loop): every client sends its next call as soon as the last one is
  answered. This measures the most the machine can take; latency there is queueing (20
  requests always in flight on two cores that the clients share).

Prints p50/p95/p99 latency in ms and throughput for each. Target (issue 2): p99 < 50 ms,
judged on the offered loads. Usage: python benchmarks/triage_api.py [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _triage_calls import random_calls  # noqa: E402

from rightresponse.core.triage import load_protocol  # noqa: E402

CLIENTS = 20
SETUP = """
import django
django.setup()
from rightresponse.accounts.models import Agency
from rightresponse.accounts.services import token_create, user_create
from django.contrib.auth.models import User
agency, _ = Agency.objects.get_or_create(
    slug="bench-911", defaults={"name": "Bench 911", "kind": "emergency_communications"})
user = User.objects.filter(username="bench-calltaker").first() or user_create(
    username="bench-calltaker", password="bench-pass-2026-x", agency=agency, roles=["call_taker"])
print(token_create(user, "bench"))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not become healthy")


def post_call(conn: http.client.HTTPConnection, token: str, body: bytes) -> int:
    """POST one call and read the answer; returns its status."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        conn.request("POST", "/api/triage/calls", body=body, headers=headers)
        response = conn.getresponse()
    except (ConnectionError, http.client.RemoteDisconnected):
        # The server closed an idle keep-alive connection: reconnect, as browsers do
        # (the time it takes counts in the latency).
        conn.close()
        conn.request("POST", "/api/triage/calls", body=body, headers=headers)
        response = conn.getresponse()
    response.read()
    return response.status


def client(
    port: int, token: str, bodies: list[bytes], out: list[float], errors: list[str],
    due: list[float] | None = None,
) -> None:  # fmt: skip
    """Send the bodies one after the other; with ``due`` (perf_counter seconds), each at
    its due time, its latency counted from then."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for n, body in enumerate(bodies):
        started = time.perf_counter()
        if due is not None:
            started = due[n]
            if started > time.perf_counter():
                time.sleep(started - time.perf_counter())
        status = post_call(conn, token, body)
        out.append((time.perf_counter() - started) * 1000)
        if status != 201:
            errors.append(str(status))


def run_offered(
    port: int, token: str, bodies: list[bytes], rate: float, seed: int, clients: int = CLIENTS
) -> tuple[list[float], list[str], float]:
    """``clients`` threads sending ``bodies`` at ``rate`` calls/s in all (Poisson arrivals
    shared out at random, so two clients may be due at once)."""
    rng = random.Random(seed)
    start = time.perf_counter() + 0.2
    due_by_client: list[list[float]] = [[] for _ in range(clients)]
    bodies_by_client: list[list[bytes]] = [[] for _ in range(clients)]
    at = start
    for body in bodies:
        at += rng.expovariate(rate)
        i = rng.randrange(clients)
        due_by_client[i].append(at)
        bodies_by_client[i].append(body)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(target=client, args=(port, token, bodies_by_client[i], latencies[i],
                                              errors, due_by_client[i]))
        for i in range(clients)
    ]  # fmt: skip
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [ms for per in latencies for ms in per], errors, time.perf_counter() - start


def percentiles(values: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return q[49], q[94], q[98]


def run_clients(
    port: int, token: str, bodies: list[bytes], per_client: int, clients: int = CLIENTS
) -> tuple[list[list[float]], list[str], float]:
    """``clients`` threads at once, each sending its share of bodies; latencies per client."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=client,
            args=(port, token, bodies[i * per_client : (i + 1) * per_client], latencies[i], errors),
        )
        for i in range(clients)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()
    per_client = 15 if args.quick else 100
    offered_calls = 300 if args.quick else 1500
    rates = (25.0, 50.0, 100.0)
    # As docs/operations.md runs it in production: sync workers, about two per core plus
    # one. BENCH_WORKER_CLASS=gthread BENCH_WORKERS=2 (BENCH_THREADS=8) tries the threaded
    # worker, which keeps connections alive.
    worker_class = os.environ.get("BENCH_WORKER_CLASS", "sync")
    workers = int(os.environ.get("BENCH_WORKERS", "5"))
    threads = int(os.environ.get("BENCH_THREADS", "1" if worker_class == "sync" else "8"))

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "rightresponse.config.settings")
    env["PYTHONPATH"] = str(ROOT / "src")
    tmp = tempfile.TemporaryDirectory(prefix="rr-bench-")
    env["RIGHTRESPONSE_VAR"] = tmp.name
    env["RIGHTRESPONSE_SECRET_KEY"] = "bench-only-secret-key-not-for-production-0123456789"
    database = "postgresql" if env.get("DATABASE_URL") else "sqlite (WAL)"
    if not env.get("DATABASE_URL"):
        env["RIGHTRESPONSE_SQLITE"] = str(Path(tmp.name) / "bench.sqlite3")
    python = sys.executable
    subprocess.run([python, "-m", "django", "migrate", "--noinput", "-v", "0"], env=env, check=True)
    token = subprocess.run(
        [python, "-c", SETUP], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()

    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "rightresponse.config.wsgi",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", worker_class, "--keep-alive", "30", "--access-logfile", "/dev/null", "--log-level", "warning"],
        env=env, start_new_session=True,
    )  # fmt: skip
    offered: list[tuple[float, list[float], float]] = []
    errors: list[str] = []
    try:
        wait_healthy(port)
        protocol = load_protocol(ROOT / "protocols" / "default.yaml")
        needed = CLIENTS * (per_client + 5) + 200 + offered_calls * len(rates)
        calls = random_calls(protocol, needed, seed=11)
        bodies = [
            json.dumps(
                {"call_type": ct, "answers": answers, "caller_name": "Bench Caller",
                 "caller_phone": "555-0100", "address": "1 Bench St", "area": "P1"}
            ).encode()
            for ct, answers in calls
        ]  # fmt: skip
        warm_up = 5  # per client: every worker loads the protocol and opens its connections
        run_clients(port, token, bodies[: CLIENTS * warm_up], warm_up)
        used = CLIENTS * warm_up
        # One client alone first: the service time without queueing.
        alone = sorted(run_clients(port, token, bodies[used : used + 200], 200, clients=1)[0][0])
        used += 200
        for n, rate in enumerate(rates):
            ms, failed, elapsed = run_offered(
                port, token, bodies[used : used + offered_calls], rate, seed=n
            )
            used += offered_calls
            errors += failed
            offered.append((rate, ms, elapsed))
        latencies, failed, saturated_for = run_clients(
            port, token, bodies[used : used + CLIENTS * per_client], per_client
        )
        errors += failed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        tmp.cleanup()

    print(f"database: {database}; gunicorn {workers} {worker_class} workers x {threads} threads; "
          f"{CLIENTS} concurrent clients; POST /api/triage/calls")  # fmt: skip
    p50, _, p99 = percentiles(alone)
    print(f"one client alone (200 calls): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    for rate, ms, elapsed in offered:
        p50, p95, p99 = percentiles(ms)
        verdict = "met" if p99 < 50 else "NOT met"
        print(f"offered {rate:5.0f} calls/s ({len(ms)} calls, {len(ms) / elapsed:5.1f}/s served): "
              f"p50 {p50:5.1f}  p95 {p95:6.1f}  p99 {p99:6.1f}  max {max(ms):6.1f} ms"
              f"   target p99 < 50 ms: {verdict}")  # fmt: skip
    all_ms = [ms for per in latencies for ms in per]
    p50, p95, p99 = percentiles(all_ms)
    print(f"saturation, {CLIENTS} clients back to back ({len(all_ms)} calls): "
          f"p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {max(all_ms):.1f} ms; "
          f"{len(all_ms) / saturated_for:,.0f} calls/s")  # fmt: skip
    print(f"errors: {len(errors)} (clients and server share this machine's {os.cpu_count()} cores)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
