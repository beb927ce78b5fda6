"""The system's own incidents as a dataset (issue 13, the re-assessment loop; report line
1137 step 7): exported from the operational database in the layout the import reads
(profile ``rightresponse-incidents``), then imported like any city's export, so the same
analyses (volumes, intervals, reclassification, empirical risk, replay under a proposed
protocol) run on what the city's own 911 center handled.

Least information: no names, numbers, addresses or narratives leave the database; the
point of an incident is rounded to three decimals (about 100 m); times are Unix seconds.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from django.utils import timezone

PROFILE = "rightresponse-incidents"
COLUMNS = ("incident_id", "received", "answered", "dispatched", "en_route", "on_scene",
           "cleared", "closed",
           "initial_type", "final_type", "priority", "disposition", "channel", "area",
           "latitude", "longitude", "units", "agency")  # fmt: skip


def _epoch(value: datetime | None) -> str:
    return "" if value is None else str(int(value.timestamp()))


def _rounded(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def own_incidents_rows(start: datetime, end: datetime) -> list[dict[str, str]]:
    """The incidents received in [start, end), one row each, in ``COLUMNS``."""
    from rightresponse.dispatch.models import Assignment, Incident

    incidents = list(
        Incident.objects.filter(received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "pk")
        .values_list(
            "pk",
            "received_at",
            "answered_at",
            "dispatched_at",
            "en_route_at",
            "on_scene_at",
            "cleared_at",
            "closed_at",
            "initial_call_type",
            "call_type",
            "priority",
            "disposition__outcome",
            "channel",
            "area",
            "latitude",
            "longitude",
            "agency__slug",
        )  # fmt: skip
    )
    units: dict[int, list[str]] = {}
    for incident_id, sign in (
        Assignment.objects.filter(incident_id__in=[i[0] for i in incidents])
        .order_by("assigned_at", "pk")
        .values_list("incident_id", "unit__call_sign")
    ):
        units.setdefault(incident_id, []).append(sign)
    rows = []
    for (pk, received, answered, dispatched, en_route, on_scene, cleared, closed, initial,
         final, priority,
         outcome, channel, area, lat, lon, agency) in incidents:  # fmt: skip
        rows.append({
            "incident_id": str(pk), "received": _epoch(received), "answered": _epoch(answered),
            "dispatched": _epoch(dispatched), "en_route": _epoch(en_route),
            "on_scene": _epoch(on_scene), "cleared": _epoch(cleared), "closed": _epoch(closed),
            "initial_type": initial or final, "final_type": final,
            "priority": "" if priority is None else str(priority), "disposition": outcome or "",
            "channel": channel, "area": area, "latitude": _rounded(lat),
            "longitude": _rounded(lon), "units": ";".join(units.get(pk, [])), "agency": agency,
        })  # fmt: skip
    return rows


def own_incidents_write(path: str | Path, start: datetime, end: datetime) -> int:
    """Write the incidents received in [start, end) as CSV; returns how many."""
    rows = own_incidents_rows(start, end)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def own_incidents_import(
    start: datetime, end: datetime, *, dataset: str = PROFILE, user: Any = None
) -> Any:
    """Export the period's incidents and import them as the dataset ``dataset`` (an
    incident already imported is not added twice). Returns the import run."""
    from .selectors import store_root
    from .services import calls_import

    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    path = store_root() / "exports" / f"incidents-{start:%Y%m%d}-{end:%Y%m%d}-{stamp}.csv"
    own_incidents_write(path, start, end)
    return calls_import(path, PROFILE, dataset_slug=dataset, user=user)
