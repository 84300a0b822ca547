"""Which metrics and checks take the time: each one timed on its own, printed as a table.

    python benchmarks/profile_catalogue.py [--sessions 1000000] [--top 25] [--from D --to D]

Reads the cached Parquet demo workspace of `bench_metrics.py` (generated there when absent),
association-wide over its whole window (or the period given with --from and --to, e.g. the
half-year a report covers). First the shared frames of the one `Scope` are built
and timed (held sessions, attendance, active client-months, the per-day frames the checks start
from, credential standing); then, on that warm scope, every registered metric and every check
of the catalogue is collected alone, so each row is the cost of that metric or check beyond the
shared frames. Wall and CPU time per row; the sum beside the time of `compute_in` and
`run_checks_in` on a fresh scope (everything collected together, as reports do).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from pathlib import Path

import bench_metrics as bench


def cpu() -> float:
    """CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    t, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - t, cpu() - c


def load(folder: Path):
    """The workspace, read from Parquet without validation (as bench's package-compute)."""
    import polars as pl

    from trc_analytics.records.workspace import Workspace

    return Workspace.from_frames({p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*"))})


SHARED = (
    "held_in_period", "group_attendance", "active_client_months", "status_counts",
    "fee_months", "engagement_firsts", "coach_days", "group_days",
)  # fmt: skip


def profile(ws, start, end) -> list[tuple[str, float, float]]:
    """(name, wall, cpu) of the shared frames, then of each metric and check alone."""
    from trc_analytics.checks import runner
    from trc_analytics.checks.catalogue import CHECKS
    from trc_analytics.metrics import registry
    from trc_analytics.metrics.registry import plan
    from trc_analytics.period import Period
    from trc_analytics.scope import Scope

    sc = Scope.make(ws, Period(start, end))
    rows = []
    for name in SHARED:
        rows.append((f"scope.{name}", *timed(lambda n=name: getattr(sc, n)().collect())))
    for name, metric in registry().items():
        rows.append((f"metric {name}", *timed(lambda m=metric: plan(m, sc).collect())))
    for check in CHECKS:
        if check.missing(ws):
            continue
        rows.append(
            (
                f"check {check.id}",
                *timed(lambda c=check: runner._collected(c, sc, None)),
            )
        )
    return rows


def together(ws, start, end) -> tuple[tuple[float, float], tuple[float, float]]:
    """Wall and CPU of every metric, then every check, in one fresh scope, as reports run them."""
    from trc_analytics.checks.runner import run_checks_in
    from trc_analytics.metrics import compute_in
    from trc_analytics.period import Period
    from trc_analytics.scope import Scope

    sc = Scope.make(ws, Period(start, end))
    return timed(lambda: compute_in(sc)), timed(lambda: run_checks_in(sc))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat)
    args = parser.parse_args()
    folder = bench.workspace_for(args.sessions)
    start, end = bench.window()
    start, end = args.start or start, args.end or end
    ws = load(folder)
    print(f"{ws['sessions'].height:,} sessions, {start} to {end}")
    metrics, checks = together(ws, start, end)
    print(
        f"together, fresh scope: metrics {metrics[0]:.2f} s wall / {metrics[1]:.2f} s cpu; "
        f"checks {checks[0]:.2f} s wall / {checks[1]:.2f} s cpu"
    )
    rows = profile(ws, start, end)
    total_wall, total_cpu = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"one at a time on a warm scope: {total_wall:.2f} s wall / {total_cpu:.2f} s cpu\n")
    print(f"{'what':<44}{'wall s':>8}{'cpu s':>8}{'% cpu':>7}")
    for name, wall, cpu_s in sorted(rows, key=lambda r: -r[2])[: args.top]:
        print(f"{name:<44}{wall:>8.3f}{cpu_s:>8.3f}{100 * cpu_s / total_cpu:>7.1f}")


if __name__ == "__main__":
    main()
