"""Analytics at city scale: import + full analysis of N synthetic calls, against pandas.

Generates N calls over a city-year (rightresponse.core.analytics.generator, calibrated on
the real extracts, seed 2025), then in separate child processes (so each peak memory is
its own):
  import      read the CSV with the import profile and store it as Parquet (RightResponse)
  analyze     every analysis on the stored calls (Ibis on DuckDB), replay under the protocol
  pd_import   the straightforward pandas equivalent of the import
  pd_analyze  the straightforward pandas equivalent of the analysis, same Parquet input
and prints wall time, CPU time, peak RSS and the ratios. Each phase's time counts from
its start, imports of its libraries included. Sizes: 100k, 1M, 5M (``--quick``: 100k).

    .venv/bin/python benchmarks/analytics_scale.py [--quick] [--sizes 100000,1000000]
        [--pandas-up-to 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

PROFILE = REPO / "src/rightresponse/analytics/profiles/rightresponse-synthetic.yaml"
MAPPING = REPO / "src/rightresponse/analytics/mappings/seattle.csv"
PROTOCOL = REPO / "protocols/default.yaml"
SAMPLES = REPO / "src/rightresponse/analytics/samples"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: on a shared machine, where a phase
    running on two threads can get one core, this moves less than the wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _decider():  # type: ignore[no-untyped-def]
    from rightresponse.core import triage

    protocol = triage.load_protocol(PROTOCOL)

    def decide(call_type, answers):  # type: ignore[no-untyped-def]
        if call_type not in protocol.call_types:
            return {"tier": None}
        return triage.decide(protocol, call_type, answers).to_dict()

    return decide


def phase_import(csv_path: Path, store: Path) -> dict:
    from rightresponse.core.analytics.ingest import read_calls
    from rightresponse.core.analytics.profile import load_profile
    from rightresponse.core.analytics.store import store_append

    result = read_calls(csv_path, load_profile(PROFILE))
    added = store_append(store, "bench", result.table, result.sha256)
    return {"rows": added, "rejects": len(result.rejects)}


def phase_analyze(store: Path) -> dict:
    from rightresponse.core.analytics.analysis import AnalysisConfig, analyze
    from rightresponse.core.analytics.mapping import load_mapping
    from rightresponse.core.analytics.store import open_calls

    summary = analyze(
        open_calls(store, "bench"),
        load_mapping(MAPPING),
        config=AnalysisConfig(severe_dispositions="(?<!NO )ARREST"),
        decide=_decider(),
    ).summary
    return {
        "total_calls": summary["total_calls"],
        "civilian_only": summary["risk_exposure"]["civilian_only_calls"],
        "unit_hours": round(summary["unit_hours_total"]["unit_hours"], 1),
    }


def phase_pd_import(csv_path: Path, out: Path) -> dict:
    """The straightforward pandas import, producing what ours produces: the table (UTC
    times, local received time, numbers, units, the constant agency, the latest version
    of a duplicated call), the rejects report's rows (missing id or received time, a
    time or number that does not parse, coordinates out of range, duplicates, negative
    intervals) and the file's SHA-256. What it does not do that ours does: trim values,
    the DST rule for later times in the repeated hour, line numbers across quoted
    newlines. ``checks_cpu_s``: the CPU of the report and hash alone, so the ratio can
    also be read against the bare conversion."""
    import hashlib

    import pandas as pd

    df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    df = df.replace({"": None, "NULL": None})
    times = ("received", "dispatched", "enroute", "arrived", "cleared")
    missing = df["call_id"].isna() | df["received"].isna()
    unparsed = {}
    for col in times:
        local = pd.to_datetime(df[col], format="%Y-%m-%d %H:%M:%S", errors="coerce")
        unparsed[col] = df[col].notna() & local.isna()
        df[col] = (
            local.dt.tz_localize(
                "America/Los_Angeles", ambiguous="NaT", nonexistent="shift_forward"
            )
            .dt.tz_convert("UTC")
            .dt.tz_localize(None)
        )
        if col == "received":
            df["received_local"] = local
    raw_numbers = {c: df[c] for c in ("latitude", "longitude", "units")}
    df["latitude"] = pd.to_numeric(df["latitude"], errors="coerce")
    df["longitude"] = pd.to_numeric(df["longitude"], errors="coerce")
    df["units"] = pd.to_numeric(df["units"], errors="coerce").fillna(1).astype("int32")
    df["agency"] = "CITY"  # the profile's constant
    checks_started = _cpu_s()
    bad = missing
    for col in times:
        bad |= unparsed[col]
    for col, limit in (("latitude", 90), ("longitude", 180)):
        bad |= (raw_numbers[col].notna() & df[col].isna()) | (df[col].abs() > limit)
    bad |= (
        raw_numbers["units"].notna() & pd.to_numeric(raw_numbers["units"], errors="coerce").isna()
    )
    rejects = [int(i) + 2 for i in df.index[bad]]  # line numbers (one line per record)
    df = df[~bad]
    dupes = df["call_id"].duplicated(keep="last")
    rejects += [int(i) + 2 for i in df.index[dupes]]
    df = df[~dupes]
    for col in times[1:]:
        rejects += [int(i) + 2 for i in df.index[df[col] < df["received"]]]
    digest = hashlib.sha256()
    with csv_path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    checks_cpu = _cpu_s() - checks_started
    df.to_parquet(out)
    return {"rows": len(df), "rejects": len(rejects), "checks_cpu_s": round(checks_cpu, 2)}


def phase_pd_analyze(parquet: Path) -> dict:
    """The same analyses written the straightforward pandas way."""
    import numpy as np
    import pandas as pd

    from rightresponse.core.analytics.mapping import load_mapping

    mapping = load_mapping(MAPPING)
    decide = _decider()
    df = pd.read_parquet(parquet).rename(
        columns={
            "received": "received_at",
            "dispatched": "dispatched_at",
            "enroute": "en_route_at",
            "arrived": "on_scene_at",
            "cleared": "cleared_at",
            "precinct": "area",
        }
    )
    m = pd.DataFrame(
        [(r.code, r.call_type, r.category, r.severe, r.consequence) for r in mapping.values()],
        columns=["code", "call_type", "category", "severe", "consequence"],
    )
    df["final_code"] = df["final_type"].fillna(df["initial_type"])
    df = df.merge(
        m.rename(columns={"code": "initial_type", "category": "initial_category"})[
            ["initial_type", "call_type", "initial_category", "consequence"]
        ],
        on="initial_type",
        how="left",
    )
    df = df.merge(
        m.rename(
            columns={"code": "final_code", "category": "final_category", "severe": "final_severe"}
        )[["final_code", "final_category", "final_severe"]],
        on="final_code",
        how="left",
    )
    df["final_category"] = df["final_category"].fillna(df["initial_category"]).fillna("unmapped")
    df["initial_category"] = df["initial_category"].fillna("unmapped")
    df["severe"] = df["final_severe"].fillna(False).astype(bool) | df["disposition"].str.contains(
        r"(?<!NO )ARREST", case=False, na=False
    )
    local = df["received_local"]
    hour = local.dt.hour
    df["hour_of_week"] = local.dt.dayofweek * 24 + hour
    df["month"] = local.dt.to_period("M")
    df["shift"] = np.select(
        [(hour >= 7) & (hour < 15), (hour >= 15) & (hour < 23)], ["day", "evening"], "night"
    )
    busy = (df["cleared_at"].dt.floor("s") - df["dispatched_at"].dt.floor("s")).dt.total_seconds()
    df["unit_seconds"] = busy.where((busy >= 0) & (busy < 86400)) * df["units"]
    intervals = {
        "queue": ("received_at", "dispatched_at"),
        "dispatch": ("received_at", "dispatched_at"),
        "rollout": ("dispatched_at", "en_route_at"),
        "travel": ("en_route_at", "on_scene_at"),
        "on_scene": ("on_scene_at", "cleared_at"),
        "total": ("received_at", "cleared_at"),
    }
    for name, (a, b) in intervals.items():
        df[f"s_{name}"] = (df[b].dt.floor("s") - df[a].dt.floor("s")).dt.total_seconds()
    out: dict = {}
    for col in (
        "final_category",
        "initial_category",
        "initial_type",
        "area",
        "agency",
        "month",
        "hour_of_week",
    ):
        out[col] = df.groupby(col, dropna=False).size()
    loc = df["latitude"].round(3).astype(str) + "," + df["longitude"].round(3).astype(str)
    out["repeat"] = df.groupby(loc).agg(
        calls=("call_id", "size"), types=("initial_type", "nunique")
    )
    for col in ("final_category", "area"):
        out[f"uh_{col}"] = df.groupby(col)["unit_seconds"].sum() / 3600
    for group in (None, "agency", "priority", "final_category"):
        for name in intervals:
            s = df[f"s_{name}"]
            valid = df[s.notna() & (s >= 0)]
            v = valid[f"s_{name}"]
            if group is None:
                out[f"ri_{name}"] = (
                    v.median(),
                    v.quantile(0.9),
                    v.quantile(0.99),
                    (v <= 15).mean(),
                    (v <= 20).mean(),
                )
            else:
                g = v.groupby(valid[group])
                out[f"ri_{group}_{name}"] = pd.DataFrame(
                    {
                        "n": g.size(),
                        "median": g.median(),
                        "p90": g.quantile(0.9),
                        "p99": g.quantile(0.99),
                        "w15": (v <= 15).groupby(valid[group]).mean(),
                        "w20": (v <= 20).groupby(valid[group]).mean(),
                    }
                )
    both = df[df["final_type"].notna() & df["initial_type"].notna()]
    out["matrix"] = both.groupby(["initial_category", "final_category"]).size()
    out["by_type"] = (
        both.assign(
            ct=both["final_type"] != both["initial_type"],
            cc=both["final_category"] != both["initial_category"],
        )
        .groupby("initial_type")[["ct", "cc"]]
        .mean()
    )
    out["type_matrix"] = both.groupby(["initial_type", "final_type"]).size()
    out["risk"] = df.groupby("initial_type").agg(
        calls=("call_id", "size"), severe=("severe", "sum")
    )
    tiers = {}
    for code in df["initial_type"].dropna().unique():
        row = mapping.get(code)
        if row and row.call_type:
            decision = decide(row.call_type, row.answers)
            if decision.get("tier") is not None:
                tiers[code] = decision["tier"]
    df["tier"] = df["initial_type"].map(tiers).where(df["channel"] != "ONVIEW")
    out["tiers"] = df.groupby(df["tier"].fillna(-1)).agg(
        calls=("call_id", "size"), uh=("unit_seconds", "sum")
    )
    out["tier_shift"] = df.groupby(["shift", df["tier"].fillna(-1)]).agg(
        calls=("call_id", "size"), uh=("unit_seconds", "sum")
    )
    out["tier_area"] = df.groupby(["area", df["tier"].fillna(-1)]).agg(
        calls=("call_id", "size"), uh=("unit_seconds", "sum")
    )
    civ = df[df["tier"] <= 1]
    out["fte"] = civ.groupby(["shift", "area"])["unit_seconds"].sum() / 3600 / 1600
    out["exposure"] = civ.groupby("initial_type").agg(
        calls=("call_id", "size"), severe=("severe", "sum")
    )
    return {
        "total_calls": len(df),
        "civilian_only": len(civ),
        "unit_hours": round(df["unit_seconds"].sum() / 3600, 1),
    }


def run_child(phase: str, *args: str) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(wall, 2)
    return result


def child(phase: str, args: list[str]) -> None:
    started = time.perf_counter()
    cpu_started = _cpu_s()
    if phase == "import":
        info = phase_import(Path(args[0]), Path(args[1]))
    elif phase == "analyze":
        info = phase_analyze(Path(args[0]))
    elif phase == "pd_import":
        info = phase_pd_import(Path(args[0]), Path(args[1]))
    else:
        info = phase_pd_analyze(Path(args[0]))
    info["seconds"] = round(time.perf_counter() - started, 2)
    info["cpu_s"] = round(_cpu_s() - cpu_started, 2)
    info["peak_mb"] = round(_peak_mb(), 1)
    print(json.dumps(info))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100k calls only")
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument(
        "--pandas-up-to",
        type=int,
        default=0,
        help="run the pandas baseline only up to this many calls (0: at every size)",
    )
    parser.add_argument("--phase")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.rest)
        return
    from rightresponse.core.analytics.generator import calibrate, generate, write_csv

    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    calibration = calibrate(sorted(SAMPLES.glob("seattle_*.csv")))
    print(f"analytics benchmark: sizes {sizes}, generator seed 2025, 2-core machine shared")
    print(f"load average at start: {os.getloadavg()}")
    header = f"{'calls':>9} {'phase':<11} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}"
    rows = []
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            csv_path = write_csv(generate(n, calibration, seed=2025), Path(tmp) / f"calls_{n}.csv")
            gen_s = time.perf_counter() - t0
            store = Path(tmp) / f"store_{n}"
            ours_import = run_child("import", str(csv_path), str(store))
            ours = run_child("analyze", str(store))
            assert ours["total_calls"] == n, ours
            rows.append((n, gen_s, ours_import, ours))
            phases = [("import", ours_import), ("analyze", ours)]
            if args.pandas_up_to and n > args.pandas_up_to:
                print(header)
                for name, r in phases:
                    print(
                        f"{n:>9,} {name:<11} {r['seconds']:>8.2f} {r['cpu_s']:>8.2f} {r['peak_mb']:>8.0f}"
                    )
                print(f"{n:>9,} (pandas baseline not run above {args.pandas_up_to:,} calls)")
                continue
            pq = Path(tmp) / f"pandas_{n}.parquet"
            pd_import = run_child("pd_import", str(csv_path), str(pq))
            pd_analyze = run_child("pd_analyze", str(pq))
            assert pd_analyze["total_calls"] == n, pd_analyze
            print(header)
            for name, r in [*phases, ("pd_import", pd_import), ("pd_analyze", pd_analyze)]:
                print(
                    f"{n:>9,} {name:<11} {r['seconds']:>8.2f} {r['cpu_s']:>8.2f} {r['peak_mb']:>8.0f}"
                )
            print(
                f"{n:>9,} import speed-up vs pandas: {pd_import['seconds'] / ours_import['seconds']:.2f}x "
                f"(CPU time {pd_import['cpu_s'] / ours_import['cpu_s']:.2f}x; against pandas "
                f"without its rejects report and hash, CPU "
                f"{(pd_import['cpu_s'] - pd_import['checks_cpu_s']) / ours_import['cpu_s']:.2f}x); "
                f"rejects {ours_import['rejects']} vs {pd_import['rejects']}"
            )
            print(
                f"{n:>9,} analysis speed-up vs pandas: {pd_analyze['seconds'] / ours['seconds']:.1f}x "
                f"(CPU time {pd_analyze['cpu_s'] / ours['cpu_s']:.1f}x); "
                f"peak memory {ours['peak_mb']:.0f} MB vs {pd_analyze['peak_mb']:.0f} MB; "
                f"import {ours_import['seconds']:.1f}s vs {pd_import['seconds']:.1f}s "
                f"(generating the CSV took {gen_s:.1f}s)"
            )
    print(f"load average at end: {os.getloadavg()}")
    if len(rows) > 1:
        base_n, base = rows[0][0], rows[0][2]["seconds"] + rows[0][3]["seconds"]
        for n, _, imp, ana in rows[1:]:
            total = imp["seconds"] + ana["seconds"]
            print(
                f"scaling {base_n:,} -> {n:,} calls (x{n / base_n:.0f}): import+analysis "
                f"{base:.1f}s -> {total:.1f}s (x{total / base:.1f})"
            )


if __name__ == "__main__":
    main()
