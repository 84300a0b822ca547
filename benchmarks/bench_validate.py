"""Benchmark: validating and loading a workspace with 1,000,000 sessions, beside a plain
`polars.read_csv` of the same files.

Builds sessions (plus the coaches, clients and engagements they reference) as CSV in a
temporary folder, then measures, each in a fresh subprocess, a few runs, median:

- `read`: plain `pl.read_csv` of every file (what any loader must at least do);
- `validate`: `trc_analytics.validate_workspace(folder)`;
- `load`: `trc_analytics.load_workspace(folder)` (validation plus typed frames);
- `cli`: `trc validate FOLDER --format csv`, wall time including interpreter start.

Wall time and CPU time (all threads) are both printed: on a shared machine the wall time of
a run depends on the neighbours, the CPU time much less.

Peak memory is the child's maximum resident set size (`getrusage(RUSAGE_CHILDREN)` read by a
small wrapper process around each measurement). Targets (issue 2): validation within 3x of the
plain read's time, peak memory within 3x of the loaded frames.

    .venv/bin/python benchmarks/bench_validate.py [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = ("baseline", "read", "validate", "load", "cli")


# --------------------------------------------------------------------------------------------
# Data


def build_workspace(folder: Path, sessions: int, seed: int = 7) -> dict[str, int]:
    """Write coaches, clients, engagements and `sessions` sessions as CSV; rows per table."""
    import numpy as np
    import polars as pl

    from trc_analytics.records.schema import load_schema

    schema = load_schema()
    rng = np.random.default_rng(seed)
    n_coaches, n_clients = 400, max(sessions // 20, 10)
    n_eng = n_clients

    def pick(values, n):
        return pl.Series(list(values)).gather(rng.integers(0, len(values), n))

    def ids(prefix, n, width):
        return pl.Series([f"{prefix}-{i:0{width}d}" for i in range(1, n + 1)])

    def days(n, start="2022-01-01", span=1400):
        base = np.datetime64(start)
        return pl.Series(base + rng.integers(0, span, n).astype("timedelta64[D]"))

    coaches = pl.DataFrame(
        {
            "coach_id": ids("C", n_coaches, 4),
            "region": pick(["north_west", "north_east", "south_west", "south_east"], n_coaches),
            "joined_on": days(n_coaches, "2015-01-01", 2000),
            "active": pick([True, False], n_coaches),
        }
    )
    client_coach = rng.integers(0, n_coaches, n_clients)
    clients = pl.DataFrame(
        {
            "client_id": ids("CL", n_clients, 6),
            "coach_id": coaches["coach_id"].gather(client_coach),
            "intake_on": days(n_clients, "2021-01-01", 1000),
            "age_band": pick(schema.vocabulary("age_band"), n_clients),
            "client_type": pick(["individual"], n_clients),
            "fee_basis": pick(schema.vocabulary("fee_basis"), n_clients),
            "low_income": pick([True, False, None], n_clients),
        }
    )
    engagements = pl.DataFrame(
        {
            "engagement_id": ids("E", n_eng, 6),
            "coach_id": clients["coach_id"],
            "client_id": clients["client_id"],
            "format": pick(["one_to_one"], n_eng),
            "coaching_relationship": pick([True], n_eng),
            "started_on": clients["intake_on"],
        }
    )
    eng = rng.integers(0, n_eng, sessions)
    session_frame = pl.DataFrame(
        {
            "session_id": ids("S", sessions, 8),
            "engagement_id": engagements["engagement_id"].gather(eng),
            "coach_id": engagements["coach_id"].gather(eng),
            "client_id": engagements["client_id"].gather(eng),
            "held_on": days(sessions, "2023-01-01", 1000),
            "duration_min": pl.Series(rng.integers(30, 120, sessions)),
            "delivery": pick(schema.vocabulary("delivery"), sessions),
            "status": pick(schema.vocabulary("session_status"), sessions),
            "fee_type": pick(schema.vocabulary("fee_type"), sessions),
            "fee_amount": pl.Series(rng.integers(0, 150, sessions).astype(float)),
            "currency": pick(["EUR", "GBP", "USD"], sessions),
            "area": pick(schema.vocabulary("area")[:19], sessions),
            "client_under_influence": pick([False, True, None], sessions),
            "left_triggered_unsafe": pick([False, None], sessions),
            "decompensation_observed": pick([False, None], sessions),
            "psychoactive_used": pick([False, None], sessions),
            "supervised_case": pick([False, True], sessions),
        }
    )
    tables = {
        "coaches": coaches,
        "clients": clients,
        "engagements": engagements,
        "sessions": session_frame,
    }
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name}.csv", date_format="%Y-%m-%d")
    return {name: frame.height for name, frame in tables.items()}


# --------------------------------------------------------------------------------------------
# Measurements (each runs in its own process)


def worker(mode: str, folder: Path) -> dict[str, float]:
    """Run one measurement in this process; returns seconds (and frame size for load)."""
    import polars as pl

    from trc_analytics import load_workspace, validate_workspace

    files = sorted(folder.glob("*.csv"))
    start, cpu = time.perf_counter(), time.process_time()
    out: dict[str, float] = {}
    if mode == "read":
        frames = [pl.read_csv(p) for p in files]
        out["frames_mib"] = sum(frame_mib(f) for f in frames)
    elif mode == "validate":
        problems = validate_workspace(folder)
        out["problems"] = problems.height
    elif mode == "load":
        ws = load_workspace(folder)
        out["frames_mib"] = sum(frame_mib(ws[n]) for n in ws)
    out["seconds"] = time.perf_counter() - start
    out["cpu"] = time.process_time() - cpu  # all threads; steadier than wall time on a busy host
    return out


def frame_mib(frame) -> float:
    """Memory a frame holds. polars' estimated_size counts a string's bytes, but a string
    column stores a 16-byte view per value (strings up to 12 bytes live inside it) plus a
    buffer for longer strings, so string columns are counted that way."""
    import polars as pl

    total = 0
    for s in frame.get_columns():
        if s.dtype == pl.String:
            lengths = s.str.len_bytes()
            total += 16 * s.len() + int(lengths.filter(lengths > 12).sum() or 0)
            total += (s.len() + 7) // 8 if s.null_count() else 0
        else:
            total += s.estimated_size()
    return total / 2**20


def measure(mode: str, folder: Path) -> dict[str, float]:
    """Run `mode` in a wrapper process whose child does the work; time and the child's peak
    RSS come back as JSON."""
    out = subprocess.run(
        [sys.executable, __file__, "--wrap", mode, str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def wrap(mode: str, folder: Path) -> None:
    """Wrapper process: run the measured child, then report its peak RSS (RUSAGE_CHILDREN)."""
    if mode == "cli":
        trc = Path(sys.executable).with_name("trc")
        cmd = [str(trc), "validate", str(folder), "--format", "csv"]
    else:
        cmd = [sys.executable, __file__, "--work", mode, str(folder)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"wall": wall, "peak_mib": usage.ru_maxrss / 1024}  # ru_maxrss: KiB on Linux
    if mode == "cli":
        result["seconds"] = wall
        result["cpu"] = usage.ru_utime + usage.ru_stime
        result["exit"] = done.returncode
    else:
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        result |= json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result))


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="sessions to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the workspace here")
    parser.add_argument("--wrap", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--work", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.work:
        print(json.dumps(worker(args.work[0], Path(args.work[1]))))
        return
    if args.wrap:
        wrap(args.wrap[0], Path(args.wrap[1]))
        return

    tmp = Path(tempfile.mkdtemp(prefix="trc-bench-"))
    folder = args.keep or tmp
    folder.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        rows = build_workspace(folder, args.rows)
        size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 2**20
        print(
            f"workspace: {', '.join(f'{n} {r:,}' for n, r in rows.items())} rows; "
            f"{size:.0f} MiB of CSV (built in {time.perf_counter() - start:.1f} s)"
        )
        print(f"cores: {os.cpu_count()}; runs per measurement: {args.runs} (median)\n")
        results = {}
        for mode in MODES:
            runs = [measure(mode, folder) for _ in range(args.runs)]
            results[mode] = {
                k: statistics.median(r[k] for r in runs)
                for k in runs[0]
                if isinstance(runs[0][k], int | float)
            }
        report(results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(results: dict[str, dict[str, float]]) -> None:
    read, validate, load = results["read"], results["validate"], results["load"]
    base = results["baseline"]["peak_mib"]
    frames = load["frames_mib"]
    print(f"{'measurement':<34}{'time s':>9}{'CPU s':>9}{'peak RSS MiB':>14}")
    names = {
        "baseline": "interpreter + imports only",
        "read": "plain polars.read_csv",
        "validate": "validate_workspace",
        "load": "load_workspace (typed frames)",
        "cli": "trc validate --format csv (wall)",
    }
    for mode, label in names.items():
        r = results[mode]
        print(f"{label:<34}{r['seconds']:9.2f}{r['cpu']:9.2f}{r['peak_mib']:14.0f}")
    print()
    print(
        f"loaded frames: {frames:.0f} MiB (string views counted; the plain read's frames: "
        f"{read['frames_mib']:.0f} MiB)"
    )
    for label, r in (("validate", validate), ("load", load)):
        print(
            f"time {label} / plain read: {r['seconds'] / read['seconds']:.2f}x wall, "
            f"{r['cpu'] / read['cpu']:.2f}x CPU (target 3x)"
        )
    for label, r in (("load", load), ("validate", validate), ("plain read", read)):
        above = r["peak_mib"] - base
        print(
            f"memory {label}: peak {r['peak_mib'] / frames:.2f}x the loaded frames, "
            f"{above / frames:.2f}x above the interpreter baseline (target 3x)"
        )


if __name__ == "__main__":
    main()
