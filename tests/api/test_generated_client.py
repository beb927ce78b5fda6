"""A typed Python client generated from /api/openapi.json drives each role's main flows.

The spec is proven usable by using it as a city would (docs/api.md, "Generate a client"):
openapi-python-client generates a package from the live server's spec into a temporary
directory (about ten seconds, so it is generated during the test rather than committed:
a committed copy would drift from the spec it claims to prove), which is imported and
called. Errors come back as the typed ``Problem`` model.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests
from live_api import LiveServer

pytestmark = pytest.mark.slow

PACKAGE = "rr_city_client"


@pytest.fixture(scope="module")
def client_package(live: LiveServer) -> Iterator[ModuleType]:
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    if generator is None:
        pytest.fail("openapi-python-client is a dev dependency: run make install")
    with tempfile.TemporaryDirectory(prefix="rr-client-") as workdir:
        spec = Path(workdir) / "openapi.json"
        spec.write_bytes(requests.get(f"{live.url}/api/openapi.json", timeout=60).content)
        done = subprocess.run(
            [generator, "generate", "--path", str(spec), "--meta", "none",
             "--output-path", str(Path(workdir) / PACKAGE)],
            capture_output=True, text=True, check=False, cwd=workdir,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        sys.path.insert(0, workdir)
        try:
            yield importlib.import_module(PACKAGE)
        finally:
            sys.path.remove(workdir)
            for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
                del sys.modules[name]


def op(package: ModuleType, tag: str, name: str) -> Any:
    """An operation module, e.g. op(pkg, "triage", "call_create_api")."""
    modules = importlib.import_module(f"{PACKAGE}.api.{tag}").__path__
    for path in Path(modules[0]).glob(f"*_{name}.py"):
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{path.stem}")
    raise AssertionError(f"no generated operation {tag}/{name}")


def model(package: ModuleType, name: str) -> Any:
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def as_role(package: ModuleType, live: LiveServer, role: str) -> Any:
    return package.AuthenticatedClient(base_url=live.url, token=live.token(role))


def test_the_call_taker_takes_a_call_and_a_bad_one_is_a_typed_problem(
    client_package: ModuleType, live: LiveServer
) -> None:
    pkg, client = client_package, as_role(client_package, live, "calltaker")
    call_in = model(pkg, "CallIn")(
        call_type=model(pkg, "CallInCallType").WELFARE_CHECK,
        area="north",
        received_at=datetime.now(UTC) - timedelta(minutes=3),
    )
    created = op(pkg, "triage", "call_create_api").sync_detailed(client=client, body=call_in)
    assert created.status_code == 201
    call = created.parsed
    assert type(call).__name__ == "CallOut" and call.decision.tier >= 0
    # The list holds the 50 most recent calls: on a live server that other tests (the fuzz)
    # also write to, the new call is in it unless 50 calls are as recent as it.
    listed = op(pkg, "triage", "call_list").sync(client=client)
    received = [c.received_at for c in listed]
    assert received == sorted(received, reverse=True)
    assert call.id in [c.id for c in listed] or (
        len(listed) == 50 and received[-1] >= call.received_at
    )
    fetched = op(pkg, "triage", "call_detail").sync(client=client, call_id=call.id)
    assert fetched.id == call.id and fetched.decision.tier == call.decision.tier
    late = model(pkg, "CallIn")(
        call_type=model(pkg, "CallInCallType").WELFARE_CHECK,
        received_at=datetime.now(UTC) + timedelta(days=3),  # beyond the clock-skew allowance
    )
    refused = op(pkg, "triage", "call_create_api").sync_detailed(client=client, body=late)
    assert refused.status_code == 422
    problem = refused.parsed
    assert type(problem).__name__ == "Problem" and "received_at" in problem.detail


def test_the_dispatcher_works_the_queue(client_package: ModuleType, live: LiveServer) -> None:
    pkg, client = client_package, as_role(client_package, live, "dispatcher")
    waiting = op(pkg, "dispatch", "list_incidents").sync(client=client, status="waiting")
    assert waiting, "the demo has waiting incidents"
    incident_id = waiting[0]["id"]
    recommendation = (
        op(pkg, "dispatch", "recommend_units")
        .sync(client=client, incident_id=incident_id)
        .to_dict()
    )
    # The dispatch responses are free-form objects in the spec (a typed incident is not yet
    # declared): the client hands them over as dictionaries.
    units = [u.to_dict() for u in op(pkg, "dispatch", "list_units").sync(client=client)]
    assert units and {"call_sign", "status"} <= set(units[0])
    unit_id = ([c["unit_id"] for c in recommendation.get("candidates", [])] or [units[0]["id"]])[0]
    assign = model(pkg, "AssignIn")(unit_id=unit_id, override_reason="client test")
    assigned = op(pkg, "dispatch", "assign_unit").sync_detailed(
        client=client, incident_id=incident_id, body=assign
    )
    assert assigned.status_code in (200, 409), assigned.content
    if assigned.status_code == 409:  # the unit was taken meanwhile: a typed problem
        assert assigned.parsed.status == 409
    statuses = {s.value for s in model(pkg, "StatusInStatus")}
    assert {"dispatched", "en_route", "on_scene", "closed"} <= statuses


def test_the_officer_sees_units_but_not_the_call_takers_calls(
    client_package: ModuleType, live: LiveServer
) -> None:
    pkg, client = client_package, as_role(client_package, live, "officer")
    units = op(pkg, "dispatch", "list_units").sync(client=client)
    assert units
    me = op(pkg, "auth", "whoami").sync(client=client)
    assert me.roles == ["responder"]
    refused = op(pkg, "triage", "call_list").sync_detailed(client=client)
    assert refused.status_code == 403 and refused.parsed.status == 403


def test_the_provider_updates_capacity_and_reads_the_inbox(
    client_package: ModuleType, live: LiveServer
) -> None:
    pkg, client = client_package, as_role(client_package, live, "provider")
    services = op(pkg, "ecosystem", "services_search").sync(client=client)
    mine = next(s for s in services if s.organization == "Safe Harbor Family Services")
    updated = op(pkg, "ecosystem", "service_capacity").sync(
        client=client, service_id=mine.id, body=model(pkg, "CapacityIn")(available=4, waitlist=1)
    )
    assert updated.capacity_available == 4 and updated.waitlist == 1
    too_big = op(pkg, "ecosystem", "service_capacity").sync_detailed(
        client=client, service_id=mine.id, body=model(pkg, "CapacityIn")(available=2**40)
    )
    assert too_big.status_code == 422 and too_big.parsed.errors[0].field == "available"
    inbox = op(pkg, "ecosystem", "referral_list").sync(client=client)
    assert isinstance(inbox, list)


def test_the_analyst_reads_metrics(client_package: ModuleType, live: LiveServer) -> None:
    pkg, client = client_package, as_role(client_package, live, "analyst")
    values = op(pkg, "performance", "values").sync_detailed(client=client)
    assert values.status_code == 200
    datasets = op(pkg, "analytics", "datasets").sync(client=client)
    assert isinstance(datasets, list)


def test_the_administrator_exports_the_directory(
    client_package: ModuleType, live: LiveServer
) -> None:
    pkg, client = client_package, as_role(client_package, live, "admin")
    me = op(pkg, "auth", "whoami").sync(client=client)
    assert me.username == "admin"
    exported = op(pkg, "ecosystem", "hsds_export_json").sync_detailed(client=client)
    assert exported.status_code == 200 and exported.content.startswith(b"{")
