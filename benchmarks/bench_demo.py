"""Benchmark: generating and writing synthetic demo workspaces, at the default size and at scale.

Scenarios (each run in a fresh process, so imports and memory are those of one `trc demo`):

- `default-csv`, `default-parquet`, `default-xlsx`: 40 coaches over 24 months (what `trc demo`
  writes with no options);
- `scale-parquet`: 2,000 coaches over 36 months (several million sessions), as Parquet;
- `scale-csv` (only with `--with-scale-csv`): the same as CSV, to show the size difference.

For each: generation time, writing time, CPU time (all threads), peak resident memory of the
process, rows of the largest tables, and the size of the files written. Wall time on a shared
machine depends on the neighbours; CPU time much less. Nothing here asserts a time.

    .venv/bin/python benchmarks/bench_demo.py [--runs 3] [--scale-runs 1] [--with-scale-csv]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: name -> (coaches, months, start, format)
SCENARIOS: dict[str, tuple[int, int, str, str]] = {
    "default-csv": (40, 24, "2024-11-01", "csv"),
    "default-parquet": (40, 24, "2024-11-01", "parquet"),
    "default-xlsx": (40, 24, "2024-11-01", "xlsx"),
    "scale-parquet": (2000, 36, "2023-11-01", "parquet"),
    "scale-csv": (2000, 36, "2023-11-01", "csv"),
}
TODAY = dt.date(2026, 11, 30)


def worker(name: str) -> dict:
    """Generate and write one scenario in this process; return the figures."""
    from trc_analytics.demo import DemoConfig, build_demo
    from trc_analytics.demo.writing import write_frames

    coaches, months, start, fmt = SCENARIOS[name]
    cfg = DemoConfig(coaches=coaches, months=months, start=dt.date.fromisoformat(start))
    cfg.refuse_future(TODAY)
    t0, c0 = time.perf_counter(), time.process_time()
    demo = build_demo(cfg)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_frames(demo.frames, Path(tmp) / "ws", format=fmt)
        t2, c2 = time.perf_counter(), time.process_time()
        size = sum(f.stat().st_size for f in files)
    return {
        "generate_s": t1 - t0,
        "write_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "size_mib": size / 2**20,
        "files": len(files),
        "rows": {n: demo.frames[n].height for n in ("clients", "engagements", "sessions", "goals")},
        "planted": demo.planted.height,
    }


def measure(name: str, runs: int) -> dict:
    """Median figures of `runs` fresh processes."""
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", name],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    median = {
        k: statistics.median(r[k] for r in results)
        for k in results[0]
        if k.endswith(("_s", "_mib"))
    }
    return {**results[0], **median, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each default scenario")
    parser.add_argument("--scale-runs", type=int, default=1, help="runs of the 2,000-coach ones")
    parser.add_argument("--with-scale-csv", action="store_true", help="also 2,000 coaches as CSV")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return

    names = ["default-csv", "default-parquet", "default-xlsx", "scale-parquet"]
    if args.with_scale_csv:
        names.append("scale-csv")
    header = (
        f"{'scenario':<16}{'coaches':>8}{'months':>7}{'sessions':>11}{'generate s':>11}"
        f"{'write s':>9}{'total s':>9}{'cpu s':>8}{'peak MiB':>10}{'size MiB':>10}"
    )
    print(header)
    print("-" * len(header))
    for name in names:
        coaches, months, _, _ = SCENARIOS[name]
        runs = args.scale_runs if name.startswith("scale") else args.runs
        r = measure(name, runs)
        print(
            f"{name:<16}{coaches:>8}{months:>7}{r['rows']['sessions']:>11,}{r['generate_s']:>11.2f}"
            f"{r['write_s']:>9.2f}{r['total_s']:>9.2f}{r['cpu_s']:>8.1f}{r['peak_mib']:>10.0f}"
            f"{r['size_mib']:>10.1f}",
            flush=True,
        )
    print(
        "\nMedian of fresh processes (--runs / --scale-runs); peak = maximum resident memory of "
        "the process; size = all files written."
    )


if __name__ == "__main__":
    main()
