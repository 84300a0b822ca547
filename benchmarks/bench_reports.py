"""Benchmark: rendering reports, beside the floor of executing an empty notebook.

Generates the default demo workspace (40 coaches, 24 months, Parquet) in a temporary folder,
then measures (median of `--runs`):

- `floor`: papermill executing a one-cell empty notebook with a fresh `python3` kernel;
- `report (fresh kernel)`: `render_report` of one supervisor review, start to file, with its
  own kernel (validation, kernel start and warm-up, notebook, HTML export, write);
- `trc report` (own process): the same report as a user runs it, `trc report supervisor
  --coach C-0001 ...` in a process of its own (Python, the command's imports, its kernel
  started before the heavy ones, the hand-over, the notebook, the export);
- `report (kept kernel)`: the same report on a kernel already started and warmed up (what
  each worker of `--all-coaches` pays per report after its first);
- `--all-coaches`: 40 supervisor reviews with 1 worker and with `--workers` workers (kept
  kernel per worker), and with a fresh kernel per report (the design it replaces).

Each figure gives wall time and CPU time (this process, every kernel and worker it waited
for, the kernels' chart helpers, and the kept kernel while it runs): on a shared machine the
wall time depends on the neighbours, the CPU time much less. Targets (issue 5): one report
within 1.5x of the floor; parallel speed-up >= 1.7x on 2 cores.

    .venv/bin/python benchmarks/bench_reports.py [--runs 3] [--coaches 40] [--workers 2]
        [--skip-fresh-batch]

`--scale N` measures the association-sized batch instead (issue 13): every coach's supervisor
review for 2026-01..06 on an N-coach demo (24 months, Parquet; generated once and cached in the
git-ignored `benchmarks/data/reports-<N>/`), with `--workers` workers on kept kernels. It prints
the time to the first finished report (loading and validating the workspace, starting the
kernels, computing every coach's metrics and checks once per kernel), the steady time per
report after it, the total and, with `--limit K` (render the first K coaches only), the total
extrapolated to all N. It also prints the CPU seconds every worker and kernel spent per
steady report (read from /proc between the workers' first reports and the last one; a shared
machine's load changes it much less than the wall time) and what that gives on idle cores.
Target: 2,000 coaches in under 10 minutes on 2 cores.

    .venv/bin/python benchmarks/bench_reports.py --scale 2000 [--limit 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.modules.setdefault("rfc3987_syntax", None)  # as the reports do (see reports/_fastimport)

PERIOD = ("2026-01-01", "2026-06-30")


def cpu_seconds() -> float:
    """CPU time of this process and of every child (and grandchild) it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def adopt_orphans() -> None:
    """Make this process the reaper of its orphaned descendants (Linux; elsewhere nothing).

    A report kernel's chart helper (`reports.chart_engine`) is killed with the kernel's process
    group and, its parent gone, would be reaped by init: its CPU (the charts it drew) would be
    in no figure here. Adopted, it is reaped by `reap_orphans` and counted in `cpu_seconds`.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_child_subreaper = 36
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def reap_orphans(timeout: float = 1.0) -> None:
    """Wait for the adopted chart helpers of finished kernels, so `cpu_seconds` counts them.

    Called only after a measured call has returned, when every child this process started
    itself (kernels, batch workers) has been waited for by its owner, or is still running (a
    kept kernel, which `waitpid(..., WNOHANG)` leaves alone)."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid:
            continue
        helpers = [p for p, cmd in descendants().items() if b"chart_engine" in cmd]
        if not helpers or time.perf_counter() > deadline:
            return
        time.sleep(0.005)


def process_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a running process (a kept kernel), from /proc (Linux)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants() -> dict[int, bytes]:
    """Every live descendant of this process (batch workers and their kernels) with its command
    line, from /proc (Linux; empty elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    mine = {os.getpid()}
    grew = True  # a child's pid may be lower than its parent's: repeat until nothing is added
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in mine and pid not in mine:
                mine.add(pid)
                grew = True
    found: dict[int, bytes] = {}
    for pid in mine - {os.getpid()}:
        try:
            found[pid] = (Path(f"/proc/{pid}") / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
    return found


def live_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a running kernel and its own live children (its chart
    helper)."""
    if pid is None:
        return 0.0
    children = [p for p, cmd in descendants().items() if b"chart_engine" in cmd]
    return process_cpu(pid) + sum(process_cpu(p) for p in children)


def tree_cpu() -> float:
    """CPU seconds used so far by every live descendant of this process (batch workers and
    their kernels). Sampled at the first finished report and at the last, the difference is
    the CPU the steady part of a batch cost, whatever the neighbours on a shared machine
    took."""
    return sum(process_cpu(pid) for pid in descendants())


def descendant_cpu() -> dict[str, float]:
    """CPU seconds used so far by this process's live batch workers and by their kernels
    (each kernel's chart helper counted with the kernels: it draws their charts)."""
    totals = {"workers": 0.0, "kernels": 0.0}
    for pid, cmd in descendants().items():
        if b"report_kernel" in cmd or b"chart_engine" in cmd:
            totals["kernels"] += process_cpu(pid)
        elif b"multiprocessing" in cmd:
            totals["workers"] += process_cpu(pid)
    return totals


class BatchPhases:
    """The CPU of a batch's fixed part and of its steady reports, workers and kernels apart.

    Sampled when as many reports as workers have finished (each worker's first, most likely:
    kernel start and warm-up, the workspace, the hand-over) and at the last report; the
    difference over the reports between is what a steady report costs. The parent's own CPU
    (computing every coach's results once) is in the batch's CPU total.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.count = 0
        self.first: dict[str, float] = {}
        self.last: dict[str, float] = {}

    def done(self, _result: object) -> None:
        self.count += 1
        if self.count == self.workers:
            self.first = descendant_cpu()
        self.last = descendant_cpu()

    def summary(self) -> str:
        steady = self.count - self.workers
        if not self.first or steady <= 0:
            return "(too few reports to split the CPU)"
        per = {k: (self.last[k] - self.first[k]) / steady for k in self.first}
        return (
            f"CPU to the first reports: workers {self.first['workers']:.2f} s, kernels "
            f"{self.first['kernels']:.2f} s; per steady report: workers {per['workers']:.3f} s, "
            f"kernels {per['kernels']:.3f} s"
        )


def measure(
    fn: Callable[[], object], runs: int, live_pid: int | None = None
) -> tuple[float, float]:
    """Median wall and CPU seconds of `runs` calls (plus a live kernel's CPU, if given)."""
    walls, cpus = [], []
    for _ in range(runs):
        c0, k0, t0 = cpu_seconds(), live_cpu(live_pid), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        reap_orphans()
        cpus.append(cpu_seconds() - c0 + live_cpu(live_pid) - k0)
    return statistics.median(walls), statistics.median(cpus)


def empty_notebook(folder: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    return path


def row(name: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"{name:<44} {wall:8.2f} s wall {cpu:8.2f} s CPU   {note}", flush=True)


def scale_workspace(coaches: int) -> Path:
    """The cached `coaches`-coach demo (Parquet) in benchmarks/data/, generated when absent."""
    from trc_analytics.demo import write_demo

    folder = Path(__file__).resolve().parent / "data" / f"reports-{coaches}"
    if not (folder / "sessions.parquet").is_file():
        t0 = time.perf_counter()
        write_demo(folder, format="parquet", coaches=coaches, force=True)
        print(f"generated {folder.name}: {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def bench_scale(coaches: int, limit: int | None, workers: int) -> dict[str, float]:
    """Every coach's supervisor review on an association-sized demo, with extrapolation;
    returns the figures printed."""
    import polars as pl

    from trc_analytics.period import Period
    from trc_analytics.reports.batch import BatchResult, render_all
    from trc_analytics.reports.request import ReportRequest

    data = scale_workspace(coaches)
    ids = sorted(pl.read_parquet(data / "coaches.parquet")["coach_id"].to_list())
    sessions = pl.scan_parquet(data / "sessions.parquet").select(pl.len()).collect().item()
    todo = ids[:limit] if limit else ids
    print(
        f"{len(ids):,} coaches, {sessions:,} sessions; rendering {len(todo):,} supervisor "
        f"reviews with {workers} workers; {os.cpu_count()} cores; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    done: list[float] = []
    cpu_per = float("nan")
    # descendants' CPU when every worker has (likely) finished its first report, and at the
    # latest finished report: between the two only steady reports run
    tree: list[float] = []
    failed: list[BatchResult] = []

    def on_done(result: BatchResult) -> None:
        done.append(time.perf_counter())
        if len(done) >= workers:
            tree[1 if tree else 0 :] = [tree_cpu()]
        if len(done) % 100 == 0:
            print(f"  {len(done):,} done at {done[-1] - t0:.0f} s", flush=True)
        if result.error:
            failed.append(result)

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        c0, t0 = cpu_seconds(), time.perf_counter()
        render_all(
            ReportRequest("supervisor", Period.parse(*PERIOD), data=str(data)),
            todo,
            out_dir=Path(tmp) / "reports",
            workers=workers,
            on_done=on_done,
        )
        wall = time.perf_counter() - t0
    reap_orphans()
    cpu = cpu_seconds() - c0
    if failed:
        raise SystemExit(f"{len(failed)} reports failed, e.g. {failed[0].coach}: {failed[0].error}")
    first = done[0] - t0
    steady = (done[-1] - done[0]) / max(len(done) - 1, 1)
    row("to the first report (load, kernels, shared)", first, 0.0)
    row(f"{len(todo):,} reports", wall, cpu, f"{steady:.3f} s/report after the first")
    est = first + steady * (len(ids) - 1) if len(todo) < len(ids) else wall
    if len(tree) == 2 and len(done) > workers:
        per = (tree[1] - tree[0]) / (len(done) - workers)
        cpu_per = per
        print(
            f"CPU per steady report (workers and kernels): {per:.3f} s; on {workers} "
            f"idle cores that is {per / workers:.3f} s/report, "
            f"{(first + per / workers * (len(ids) - 1)) / 60:.1f} min for {len(ids):,}"
        )
    if len(todo) < len(ids):
        print(f"extrapolated to {len(ids):,} reports: {est / 60:.1f} min (target < 10 min)")
    else:
        print(f"all {len(ids):,} reports: {wall / 60:.1f} min (target < 10 min)")
    return {
        "coaches": len(ids),
        "rendered": len(todo),
        "workers": workers,
        "first_s": first,
        "steady_s": steady,
        "wall_s": wall,
        "cpu_s": cpu,
        "all_coaches_s": est,
        "cpu_per_report_s": cpu_per,
    }


def trc_report(data: Path, out: Path) -> None:
    """`trc report supervisor --coach C-0001` of the period, in its own process: what a user
    waits for, imports and all (the in-process figure above has them done already)."""
    import subprocess

    trc = Path(sys.executable).with_name("trc")
    command = [str(trc), "report", "supervisor", "--coach", "C-0001", str(data)]
    command += ["--from", PERIOD[0], "--to", PERIOD[1], "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True)


def compile_package() -> None:
    """Byte-compile the package first, as installing a wheel does: an editable install under
    PYTHONDONTWRITEBYTECODE has no bytecode, and every kernel would compile it again (about
    0.15 s CPU a kernel) — a cost users of an installed package never pay."""
    import compileall

    import trc_analytics

    compileall.compile_dir(Path(trc_analytics.__file__).parent, quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--coaches", type=int, default=40)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--skip-fresh-batch", action="store_true")
    ap.add_argument("--scale", type=int, help="coaches of the association-sized batch")
    ap.add_argument("--limit", type=int, help="with --scale: render the first K coaches only")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    args = ap.parse_args()
    compile_package()
    adopt_orphans()
    if args.scale:
        figures = bench_scale(args.scale, args.limit, args.workers)
        if args.json:
            args.json.write_text(json.dumps({"scale": figures}, indent=1), encoding="utf-8")
        return
    figures = one_and_batch(args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def one_and_batch(args: argparse.Namespace) -> dict[str, float]:
    """One report (fresh and kept kernel) beside the floor, and the 40-coach batch; returns
    the figures printed (wall and CPU seconds)."""
    import papermill as pm

    from trc_analytics.demo import write_demo
    from trc_analytics.period import Period
    from trc_analytics.reports.batch import render_all
    from trc_analytics.reports.kernel import NotebookRunner
    from trc_analytics.reports.render import render_report
    from trc_analytics.reports.request import ReportRequest

    period = Period.parse(*PERIOD)
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        root = Path(tmp)
        data = root / "demo"
        t0 = time.perf_counter()
        write_demo(data, format="parquet", coaches=max(args.coaches, 8))
        print(
            f"demo workspace ({args.coaches} coaches, 24 months): "
            f"{time.perf_counter() - t0:.1f} s; {os.cpu_count()} cores; load average "
            f"{os.getloadavg()[0]:.1f}",
            flush=True,
        )
        empty = empty_notebook(root)
        out = root / "reports"

        def floor() -> None:
            pm.execute_notebook(
                str(empty), None, kernel_name="python3", language="python", progress_bar=False
            )

        def fresh() -> None:
            render_report("supervisor", data, coach="C-0001", period=period, out_dir=out)

        f_wall, f_cpu = measure(floor, args.runs)
        row("floor: papermill, empty notebook", f_wall, f_cpu)
        r_wall, r_cpu = measure(fresh, args.runs)
        row("one report, fresh kernel", r_wall, r_cpu, f"ratio {r_wall / f_wall:.2f}x floor")
        c_wall, c_cpu = measure(lambda: trc_report(data, out / "cli"), args.runs)
        row("one report, `trc report` (own process)", c_wall, c_cpu,
            f"ratio {c_wall / f_wall:.2f}x floor")  # fmt: skip
        with NotebookRunner(reuse=True) as runner:
            render_report(
                "supervisor", data, coach="C-0001", period=period, out_dir=out, runner=runner
            )  # first report: kernel start and warm-up

            def kept() -> None:
                render_report(
                    "supervisor", data, coach="C-0001", period=period, out_dir=out, runner=runner
                )

            pid = runner._km.provisioner.process.pid  # the kept kernel, still running
            k_wall, k_cpu = measure(kept, max(args.runs, 5), live_pid=pid)
        row("one report, kept kernel", k_wall, k_cpu, f"ratio {k_wall / f_wall:.2f}x floor")
        figures = {
            "floor_s": f_wall,
            "fresh_s": r_wall,
            "fresh_cpu_s": r_cpu,
            "cli_s": c_wall,
            "cli_cpu_s": c_cpu,
            "kept_s": k_wall,
            "kept_cpu_s": k_cpu,
        }

        import polars as pl

        coaches = sorted(pl.read_parquet(data / "coaches.parquet")["coach_id"].to_list())
        coaches = coaches[: args.coaches]
        n = len(coaches)

        def batch(workers: int, reuse: bool) -> Callable[[], object]:
            def go() -> None:
                phases = BatchPhases(workers)
                results = render_all(
                    ReportRequest("supervisor", period, data=str(data)),
                    coaches,
                    out_dir=out / f"w{workers}{reuse}",
                    workers=workers,
                    reuse_kernel=reuse,
                    on_done=phases.done,
                )
                failed = [r for r in results if r.error]
                if failed:
                    raise SystemExit(f"{len(failed)} reports failed: {failed[0].error}")
                print(f"  {phases.summary()}", flush=True)

            return go

        s_wall, s_cpu = measure(batch(1, True), 1)
        row(f"--all-coaches, {n} reports, 1 worker", s_wall, s_cpu, f"{s_wall / n:.2f} s/report")
        p_wall, p_cpu = measure(batch(args.workers, True), 1)
        row(
            f"--all-coaches, {n} reports, {args.workers} workers",
            p_wall,
            p_cpu,
            f"{p_wall / n:.2f} s/report, speed-up {s_wall / p_wall:.2f}x",
        )
        figures |= {"reports": n, "workers": args.workers, "batch1_s": s_wall}
        figures |= {"batch1_cpu_s": s_cpu, "batchN_s": p_wall, "batchN_cpu_s": p_cpu}
        if not args.skip_fresh_batch:
            x_wall, x_cpu = measure(batch(args.workers, False), 1)
            row(
                "  same, fresh kernel per report",
                x_wall,
                x_cpu,
                f"{x_wall / n:.2f} s/report; kept kernels {x_wall / p_wall:.1f}x faster",
            )
    return figures


if __name__ == "__main__":
    main()
