"""Benchmark: loading and validating a demo workspace as Parquet and as CSV, beside a plain
`polars.read_parquet` / `polars.read_csv` of the same files, at one or more sizes.

    .venv/bin/python benchmarks/bench_validate.py                      # 1,000,000 sessions
    .venv/bin/python benchmarks/bench_validate.py --rows 1000000 5000000 10000000 --runs 3
    .venv/bin/python benchmarks/bench_validate.py --rows 200000 --runs 1 --formats parquet

For each size, the Parquet demo workspace of `bench_metrics.py` (all 17 tables, about that many
sessions, generated once and cached in `benchmarks/data/`, git-ignored) is used, and a CSV copy
of it is written once beside it. Then, each in a fresh subprocess, a few runs, median:

- `baseline`: the interpreter and the package's imports only;
- `read`: plain `pl.read_parquet` / `pl.read_csv` of every file (what any loader must do);
- `load`: `trc_analytics.load_workspace(folder)` (validation plus typed frames);
- `validate`: `trc_analytics.validate_workspace(folder)` (the problem report only).

Printed per size and format: wall time and CPU time (all threads; on a shared machine the
wall time depends on the neighbours, the CPU time much less), peak RSS, and the ratios of
issue 13 measured in the same run: load / plain read (target 2x, wall), and validation's peak
memory over the loaded frames (target 2x; the frames are counted as polars holds them, string
views included). Then the growth curve: time and memory of `load_workspace` per million
sessions at every size, so the cost per session can be read off.

Peak memory is the child's maximum resident set size (`getrusage(RUSAGE_CHILDREN)` read by a
small wrapper process around each measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = ("baseline", "read", "load", "validate")
FORMATS = ("parquet", "csv")


# --------------------------------------------------------------------------------------------
# Data


def workspace(sessions: int, format: str) -> Path:
    """The cached demo workspace with about `sessions` sessions in `format` (made when absent:
    Parquet by `bench_metrics.workspace_for`, CSV written once from the Parquet files)."""
    sys.path.insert(0, str(HERE))
    from bench_metrics import workspace_for

    parquet = workspace_for(sessions)
    if format == "parquet":
        return parquet
    folder = parquet.with_name(parquet.name + "-csv")
    done = folder / ".complete"
    if not done.exists():
        import polars as pl

        folder.mkdir(parents=True, exist_ok=True)
        for p in sorted(parquet.glob("*.parquet")):
            frame = pl.read_parquet(p)
            frame.write_csv(folder / f"{p.stem}.csv", date_format="%Y-%m-%d", null_value="")
        done.write_text("")
    return folder


# --------------------------------------------------------------------------------------------
# Measurements (each runs in its own process)


def worker(mode: str, folder: Path) -> dict[str, float]:
    """Run one measurement in this process; returns seconds (and frame size for load)."""
    import polars as pl

    from trc_analytics import load_workspace, validate_workspace

    files = sorted(p for p in folder.iterdir() if p.suffix in (".csv", ".parquet"))
    start, cpu = time.perf_counter(), time.process_time()
    out: dict[str, float] = {}
    if mode == "read":
        frames = [pl.read_parquet(p) if p.suffix == ".parquet" else pl.read_csv(p) for p in files]
        out["frames_mib"] = sum(frame_mib(f) for f in frames)
    elif mode == "validate":
        problems = validate_workspace(folder)
        out["problems"] = problems.height
    elif mode == "load":
        ws = load_workspace(folder)
        out["frames_mib"] = sum(frame_mib(ws[n]) for n in ws)
        out["sessions"] = ws["sessions"].height
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
    cmd = [sys.executable, __file__, "--work", mode, str(folder)]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"wall": wall, "peak_mib": usage.ru_maxrss / 1024}  # ru_maxrss: KiB on Linux
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    result |= json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(result))


def run(folder: Path, runs: int) -> dict[str, dict[str, float]]:
    """Every mode on `folder`, `runs` times each in a fresh process, medians."""
    results = {}
    for mode in MODES:
        done = [measure(mode, folder) for _ in range(runs)]
        results[mode] = {
            k: statistics.median(r[k] for r in done)
            for k in done[0]
            if isinstance(done[0][k], int | float)
        }
    return results


# --------------------------------------------------------------------------------------------
# Report


def report(label: str, results: dict[str, dict[str, float]]) -> None:
    """The measurements of one workspace and the issue 13 ratios."""
    read, load, validate = results["read"], results["load"], results["validate"]
    base = results["baseline"]["peak_mib"]
    frames = load["frames_mib"]
    print(f"\n{label}")
    print(f"{'measurement':<36}{'time s':>9}{'CPU s':>9}{'peak RSS MiB':>14}")
    names = {
        "baseline": "interpreter + imports only",
        "read": "plain polars read",
        "load": "load_workspace (typed frames)",
        "validate": "validate_workspace",
    }
    for mode, name in names.items():
        r = results[mode]
        print(f"{name:<36}{r['seconds']:9.2f}{r['cpu']:9.2f}{r['peak_mib']:14.0f}")
    print(f"loaded frames: {frames:.0f} MiB; problems found: {validate['problems']:.0f}")
    for name, r in (("load", load), ("validate", validate)):
        print(
            f"time {name} / plain read: {r['seconds'] / read['seconds']:.2f}x wall, "
            f"{r['cpu'] / read['cpu']:.2f}x CPU (target 2x)"
        )
    for name, r in (("load", load), ("validate", validate), ("plain read", read)):
        print(
            f"memory {name}: peak {r['peak_mib'] / frames:.2f}x the loaded frames, "
            f"{(r['peak_mib'] - base) / frames:.2f}x above the interpreter baseline (target 2x)"
        )


def growth(curve: list[tuple[str, int, dict[str, dict[str, float]]]]) -> None:
    """load_workspace's time and memory at every size, per million sessions."""
    print("\ngrowth of load_workspace (per million sessions)")
    print(
        f"{'format':<9}{'sessions':>12}{'time s':>9}{'CPU s':>9}{'peak MiB':>10}"
        f"{'s/M':>8}{'CPU s/M':>9}{'MiB/M':>8}{'x read':>8}"
    )
    for format, _rows, r in curve:
        load, read = r["load"], r["read"]
        m = load["sessions"] / 1e6
        above = load["peak_mib"] - r["baseline"]["peak_mib"]
        print(
            f"{format:<9}{load['sessions']:>12,.0f}{load['seconds']:9.2f}{load['cpu']:9.2f}"
            f"{load['peak_mib']:10.0f}{load['seconds'] / m:8.2f}{load['cpu'] / m:9.2f}"
            f"{above / m:8.0f}{load['seconds'] / read['seconds']:8.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[1_000_000], help="sessions, one or more sizes"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--wrap", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--work", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--json", type=Path, help="also write the medians to this file (for bench_issue13.py)"
    )
    args = parser.parse_args()
    if args.work:
        print(json.dumps(worker(args.work[0], Path(args.work[1]))))
        return
    if args.wrap:
        wrap(args.wrap[0], Path(args.wrap[1]))
        return
    print(f"cores: {os.cpu_count()}; runs per measurement: {args.runs} (median)")
    curve = []
    for rows in args.rows:
        for format in args.formats:
            folder = workspace(rows, format)
            size = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            results = run(folder, args.runs)
            label = f"{format}, about {rows:,} sessions ({folder.name}, {size:.0f} MiB of files)"
            report(label, results)
            curve.append((format, rows, results))
    growth(curve)
    if args.json:
        figures = [{"format": f, "rows": n, "modes": r} for f, n, r in curve]
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
