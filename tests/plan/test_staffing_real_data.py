"""The simulation fed by a real 911 centre's week of calls (imported, replayed through
the default protocol), as ``rightresponse simulate --dataset`` does."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from rightresponse.plan.staffing import dataset_demand
from tests.shared_files import real_file

pytestmark = pytest.mark.django_db

CITY_WIDE_PLAN = {
    "name": "City-wide pools",
    "chains": {"1": ["civilian", "police"], "2": ["police"], "3": ["police"], "4": ["police"]},
    "programs": [
        {
            "id": "civilian",
            "label": "Civilian",
            "max_wait_minutes": 20,
            "service_hours": {"default": 0.75},
            "shifts": [{"name": "day", "start_hour": 10, "hours": 12, "units": {"*": 2}}],
        },
        {
            "id": "police",
            "label": "Patrol",
            "police": True,
            "shifts": [{"name": "all", "start_hour": 0, "hours": 24, "units": {"*": 25}}],
        },
    ],
}


def test_a_real_week_drives_the_simulation(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    path = real_file("decc-cad-weekly-2025/week36.csv")
    call_command(
        "import_calls", str(path), "--profile", "decc-cad", "--no-progress", stdout=StringIO()
    )
    demand = dataset_demand("decc-cad")
    # Police calls only (the profile's police agencies), by tier, area and hour of the week.
    assert 0.9 < demand.weeks_observed < 1.1
    assert sum(c for *_, c in demand.rows) > 500
    assert {t for t, *_ in demand.rows} <= {0, 1, 2, 3, 4}
    assert all(0 <= h < 168 for _, _, h, _ in demand.rows)
    assert demand.unit_hours and all(0 < h < 24 for h in demand.unit_hours.values())

    plan = tmp_path / "city.yaml"
    plan.write_text(yaml.safe_dump(CITY_WIDE_PLAN))
    out = StringIO()
    call_command(
        "simulate",
        "--staffing",
        str(plan),
        "--dataset",
        "decc-cad",
        "--weeks",
        "4",
        "--json",
        stdout=out,
    )
    run = json.loads(out.getvalue())["runs"][0]
    police = run["by_program"]["police"]
    # Patrol serves everything that reaches it; its service time is the data's own.
    assert police["eligible_not_served"] == 0 and police["served"] > 0
    assert run["calls"] == sum(t["calls"] for t in run["by_tier"].values())

    # The example plans name precincts this centre does not have: said, not hidden.
    err = StringIO()
    call_command(
        "simulate",
        "--staffing",
        "example-24x7.yaml",
        "--dataset",
        "decc-cad",
        "--weeks",
        "1",
        stdout=StringIO(),
        stderr=err,
    )
    assert "no unit in area" in err.getvalue()
    with pytest.raises(CommandError, match="dataset: no imported dataset 'nope'"):
        call_command("simulate", "--staffing", str(plan), "--dataset", "nope")


def test_call_takers_from_a_real_week_meet_nena(settings: Any, tmp_path: Path) -> None:
    from rightresponse.plan.staffing import call_taker_week, call_volume

    settings.VAR_DIR = tmp_path / "var"
    path = real_file("decc-cad-weekly-2025/week36.csv")
    call_command(
        "import_calls", str(path), "--profile", "decc-cad", "--no-progress", stdout=StringIO()
    )
    volume, source = call_volume("decc-cad")
    assert len(volume) == 336 and "decc-cad" in source
    # Every agency's calls reach a call taker (police, fire and EMS), officer-initiated excluded.
    assert 900 < sum(volume) < 1300
    plan = call_taker_week(volume, handle_seconds=120, shrinkage=0.3, patience_seconds=60)
    assert all(i["answered_15s"] >= 0.90 and i["answered_20s"] >= 0.95 for i in plan["intervals"])
    assert plan["peak_on_floor"] > plan["least_on_floor"] >= 1
    hours = sum(i["scheduled"] * 0.5 for i in plan["intervals"]) * 52
    assert plan["fte"] == pytest.approx(hours / 1750)
    out = StringIO()
    call_command("call_takers", "--dataset", "decc-cad", "--csv", stdout=out)
    assert out.getvalue().count("\n") == 337


def test_live_incidents_are_demand(agencies: dict[str, Any]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from rightresponse.dispatch.models import Incident
    from rightresponse.plan.staffing import LIVE_WEEKS, call_volume, dataset_demand

    now = timezone.now()
    for i in range(40):
        Incident.objects.create(
            agency=agencies["center"],
            call_type="welfare_check",
            initial_call_type="welfare_check",
            tier=1 if i % 2 else 4,
            area="north",
            received_at=now - timedelta(hours=7 * i),
        )
    Incident.objects.create(
        agency=agencies["center"],
        call_type="x",
        initial_call_type="x",
        tier=4,
        area="north",
        received_at=now - timedelta(weeks=LIVE_WEEKS + 1),
    )
    demand = dataset_demand("live")
    assert sum(c for *_, c in demand.rows) == 40 and demand.weeks_observed == LIVE_WEEKS
    assert {t for t, *_ in demand.rows} == {1, 4}
    volume, _ = call_volume("live")
    assert sum(volume) == pytest.approx(40 / LIVE_WEEKS)


def test_two_protocols_compared_on_the_same_calls(settings: Any, tmp_path: Path) -> None:
    """A protocol that sends civilian-tier calls to a police-led co-response instead: the
    same real week and staffing, and the civilians get fewer calls."""
    import re

    settings.VAR_DIR = tmp_path / "var"
    path = real_file("decc-cad-weekly-2025/week36.csv")
    call_command(
        "import_calls", str(path), "--profile", "decc-cad", "--no-progress", stdout=StringIO()
    )
    default = Path(settings.RIGHTRESPONSE_PROTOCOL).read_text()
    start, end = default.index("\ncall_types:"), default.index("\nscreening:")
    variant = tmp_path / "police-led.yaml"
    variant.write_text(
        default[:start]
        + re.sub(r"\n    tier: 1\n", "\n    tier: 3\n", default[start:end])
        + default[end:]
    )
    plan = tmp_path / "city.yaml"
    plan.write_text(yaml.safe_dump(CITY_WIDE_PLAN))
    out = StringIO()
    call_command(
        "simulate",
        "--staffing",
        str(plan),
        "--dataset",
        "decc-cad",
        "--weeks",
        "2",
        "--compare-protocol",
        str(variant),
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    first, second = body["runs"]
    assert first["by_program"]["civilian"]["eligible_first"] > 0
    assert second["by_program"]["civilian"]["eligible_first"] == 0
    assert second["by_program"]["police"]["served"] > first["by_program"]["police"]["served"]
    rows = {(r["program"], r["measure"]): r for r in body["compare"]}
    assert rows[("civilian", "served")]["difference"] < 0
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\n")
    with pytest.raises(CommandError, match="protocol: "):
        call_command(
            "simulate",
            "--staffing",
            str(plan),
            "--dataset",
            "decc-cad",
            "--compare-protocol",
            str(broken),
            stdout=StringIO(),
        )
