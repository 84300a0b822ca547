"""Every figure behind issue 13's targets in one run, ending with one table: target, measured,
met or missed and by how much.

    .venv/bin/python benchmarks/bench_issue13.py                       # the full run (long)
    .venv/bin/python benchmarks/bench_issue13.py --sessions 1000000 5000000 \\
        --growth 10000000 --runs 3 --scale 2000 --workers 2
    .venv/bin/python benchmarks/bench_issue13.py --sessions 100000 --runs 1 \\
        --report-runs 1 --scale 50 --limit 10                          # a quick try

It measures nothing itself: it runs the benchmark scripts beside it, one after the other, each
with `--json` (their own output is shown as they go), and reads back their figures:

- `bench_metrics.py --sessions ...`: every metric and check through the package, the headline
  set through the public metrics, hand-written polars, DuckDB and pandas;
- `bench_validate.py --rows ... --formats parquet csv`: `load_workspace` beside the plain
  `read_parquet` / `read_csv`, its peak memory beside the loaded frames, and the growth of
  loading per million sessions (at `--sessions` and `--growth` sizes);
- `bench_reports.py`: one supervisor review with a fresh kernel beside papermill's floor, the
  40-coach batch on kept kernels with 1 and `--workers` workers;
- `bench_reports.py --scale N [--limit K]`: every supervisor review of an N-coach association.

`--skip metrics validate reports scale` leaves parts out. A target measured at another size
than the issue's (the compute peak at 5M sessions, 2,000 coaches) is shown without a verdict,
and so is loading's peak above 5M sessions (the issue states that target from a 5M run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = ("metrics", "validate", "reports", "scale")
#: The size at which the issue sets the compute peak-memory target, and the association size.
PEAK_SESSIONS, PEAK_MIB = 5_000_000, 1024
SCALE_COACHES, SCALE_MINUTES = 2000, 10


@dataclass
class Row:
    """One line of the final table: a target, what was measured and the verdict."""

    target: str
    measured: str
    verdict: str


def verdict(value: float, bound: float, at_most: bool = True) -> str:
    """'met', or 'missed by N%' (how far the value is beyond the bound, relative to it)."""
    met = value <= bound if at_most else value >= bound
    if met:
        return "met"
    return f"missed by {abs(value / bound - 1):.0%}"


def run_script(script: str, args: list[str], out: Path) -> object | None:
    """Run one benchmark script with `--json out`, its output shown as it goes; its figures,
    or None (said) when it failed."""
    cmd = [sys.executable, str(HERE / script), *args, "--json", str(out)]
    print(f"\n$ {' '.join(['python', f'benchmarks/{script}', *args])}", flush=True)
    done = subprocess.run(cmd, check=False)
    if done.returncode != 0 or not out.is_file():
        print(f"{script} failed (exit {done.returncode}); its targets are left out", flush=True)
        return None
    return json.loads(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Targets from each script's figures


def ratio_row(label: str, x: dict, ref: dict, bound: float, at_most: bool = True) -> Row:
    """A time-ratio target judged on wall time, as the issue states it, and on CPU time (all
    threads), which a shared machine disturbs less: the CPU verdict is added when it differs.
    `at_most=False` for a speed-up (the reference's time over the measured one)."""

    def ratio(field: str) -> float:
        return x[field] / ref[field] if at_most else ref[field] / x[field]

    wall, cpu = ratio("seconds"), ratio("cpu")
    on_wall, on_cpu = verdict(wall, bound, at_most), verdict(cpu, bound, at_most)
    said = on_wall if on_wall == on_cpu else f"{on_wall} (CPU: {on_cpu})"
    return Row(label, f"{wall:.2f}x (CPU {cpu:.2f}x)", said)


def metrics_rows(figures: list[dict]) -> list[Row]:
    """The catalogue's targets at every size measured (bench_metrics.py)."""
    rows = []
    for size in figures:
        k, at = size["kinds"], f" [{size['sessions']:,} sessions]"
        if size["differ"]:
            rows.append(Row("the headline results agree" + at, "they differ", "missed"))
        if "package-headline" in k and "polars" in k:
            label = "headline via public metrics <= 1.2x polars" + at
            rows.append(ratio_row(label, k["package-headline"], k["polars"], 1.2))
        if "package-compute" in k and "polars" in k:
            label = "all metrics + checks <= 2x polars" + at
            rows.append(ratio_row(label, k["package-compute"], k["polars"], 2.0))
        if "package-compute" in k and "pandas" in k:
            label = "all metrics + checks >= 4x faster than pandas" + at
            rows.append(ratio_row(label, k["package-compute"], k["pandas"], 4.0, at_most=False))
        if "package-compute" in k:
            peak = k["package-compute"]["peak_mib"]
            judged = size["sessions"] >= 0.9 * PEAK_SESSIONS
            rows.append(
                Row(
                    f"metrics + checks peak <= 1 GiB at 5M sessions{at}",
                    f"{peak:,.0f} MiB",
                    verdict(peak, PEAK_MIB) if judged else "(target at 5M)",
                )
            )
    return rows


def validate_rows(figures: list[dict]) -> list[Row]:
    """Loading's targets at every size and format, then the growth of loading."""
    rows = []
    for entry in figures:
        m, fmt = entry["modes"], entry["format"]
        sessions = m["load"]["sessions"]
        at = f" [{fmt}, {sessions:,.0f} sessions]"
        read = "read_parquet" if fmt == "parquet" else "read_csv"
        rows.append(ratio_row(f"load_workspace <= 2x a plain {read}{at}", m["load"], m["read"], 2))
        frames = m["load"]["frames_mib"]
        peak = m["load"]["peak_mib"]
        plain = m["read"]["peak_mib"] / frames
        # the issue states the peak target from a 5M measurement: larger sizes show the figure
        judged = entry["rows"] <= PEAK_SESSIONS
        rows.append(
            Row(
                f"validation peak memory <= 2x the loaded frames{at}",
                f"{peak / frames:.2f}x ({peak:,.0f} of {frames:,.0f} MiB; plain read {plain:.2f}x)",
                verdict(peak / frames, 2.0) if judged else "(target at 5M)",
            )
        )
    for entry in figures:
        load, base = entry["modes"]["load"], entry["modes"]["baseline"]
        millions = load["sessions"] / 1e6
        rows.append(
            Row(
                f"growth: load_workspace per million sessions [{entry['format']}, "
                f"{load['sessions']:,.0f}]",
                f"{load['seconds'] / millions:.2f} s, {load['cpu'] / millions:.2f} CPU s, "
                f"{(load['peak_mib'] - base['peak_mib']) / millions:,.0f} MiB",
                "(no target)",
            )
        )
    return rows


def report_rows(f: dict) -> list[Row]:
    """One report beside the floor, and the kept-kernel batch (bench_reports.py)."""
    n, workers = f["reports"], f["workers"]
    per_report = f["batch1_s"] / n
    speedup = f["batch1_s"] / f["batchN_s"]
    fresh = f["fresh_s"] / f["floor_s"]
    return [
        Row(
            "one report, fresh kernel <= 2.5x the floor",
            f"{fresh:.2f}x ({f['fresh_s']:.2f} s; floor {f['floor_s']:.2f} s)",
            verdict(fresh, 2.5),
        ),
        *(
            [
                Row(
                    "one report through `trc report` (own process) <= 2.5x the floor",
                    f"{f['cli_s'] / f['floor_s']:.2f}x ({f['cli_s']:.2f} s, "
                    f"CPU {f['cli_cpu_s']:.2f} s)",
                    verdict(f["cli_s"] / f["floor_s"], 2.5),
                )
            ]
            if "cli_s" in f
            else []
        ),
        Row(
            f"batch <= 0.25 s per report, kept kernel [{n} reports, 1 worker]",
            f"{per_report:.3f} s (CPU {f['batch1_cpu_s'] / n:.3f} s)",
            verdict(per_report, 0.25),
        ),
        Row(
            f"speed-up >= 1.8x with 2 workers [{workers} workers]",
            f"{speedup:.2f}x ({f['batchN_s'] / n:.3f} s per report)",
            verdict(speedup, 1.8, at_most=False) if workers == 2 else "(target with 2 workers)",
        ),
    ]


def scale_rows(f: dict) -> list[Row]:
    """Every supervisor review of an association (bench_reports.py --scale)."""
    minutes = f["all_coaches_s"] / 60
    how = "extrapolated from " + f"{f['rendered']:,}" if f["rendered"] < f["coaches"] else "all"
    judged = f["coaches"] == SCALE_COACHES and f["workers"] == 2
    return [
        Row(
            f"2,000 supervisor reviews < 10 min on 2 cores [{f['coaches']:,} coaches, "
            f"{f['workers']} workers]",
            f"{minutes:.1f} min ({how}; first {f['first_s']:.0f} s, "
            f"{f['steady_s']:.3f} s/report after)",
            verdict(minutes, SCALE_MINUTES) if judged else "(target at 2,000 coaches, 2 workers)",
        )
    ]


def table(rows: list[Row]) -> None:
    """The final table, one line per target."""
    w1 = max(len(r.target) for r in rows)
    w2 = max(len(r.measured) for r in rows)
    print(f"\nIssue 13 targets ({os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f})")
    print(f"{'target':<{w1}}  {'measured':<{w2}}  verdict")
    for r in rows:
        print(f"{r.target:<{w1}}  {r.measured:<{w2}}  {r.verdict}")


# --------------------------------------------------------------------------------------------


def parts(args: argparse.Namespace) -> list[tuple[str, str, list[str], Callable]]:
    """(part, script, arguments, rows) of every benchmark to run."""
    sizes = [str(n) for n in args.sessions]
    runs = ["--runs", str(args.runs)]
    todo = [
        ("metrics", "bench_metrics.py", ["--sessions", *sizes, *runs], metrics_rows),
        (
            "validate",
            "bench_validate.py",
            ["--rows", *sizes, *map(str, args.growth), *runs, "--formats", *args.formats],
            validate_rows,
        ),
        (
            "reports",
            "bench_reports.py",
            ["--runs", str(args.report_runs), "--workers", "2", "--skip-fresh-batch"],
            report_rows,
        ),
        (
            "scale",
            "bench_reports.py",
            ["--scale", str(args.scale), "--workers", str(args.workers)]
            + (["--limit", str(args.limit)] if args.limit else []),
            lambda f: scale_rows(f["scale"]),
        ),
    ]
    return [t for t in todo if t[0] not in args.skip]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument(
        "--growth", type=int, nargs="*", default=[], help="more sizes for loading's growth only"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median)")
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=SCALE_COACHES, help="coaches")
    parser.add_argument("--limit", type=int, help="render the first K coaches and extrapolate")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", nargs="+", default=[], choices=PARTS)
    parser.add_argument("--json", type=Path, help="also write every figure and row here")
    args = parser.parse_args()
    rows: list[Row] = []
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-issue13-") as tmp:
        for part, script, script_args, to_rows in parts(args):
            got = run_script(script, script_args, Path(tmp) / f"{part}.json")
            if got is None:
                rows.append(Row(f"{part} ({script})", "failed", "not measured"))
                continue
            figures[part] = got
            rows += to_rows(got)
    table(rows)
    if args.json:
        out = {"figures": figures, "rows": [r.__dict__ for r in rows]}
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
