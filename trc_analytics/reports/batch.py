"""One report per coach, in parallel worker processes that each keep one kernel.

A fresh kernel per report pays the kernel start and the imports every time (most of a
report's cost). Here each worker process starts one kernel and runs its share of the reports
on it (`NotebookRunner(reuse=True)`: the user namespace is cleared between reports, imported
modules and the loaded workspace stay). A failure for one coach is recorded and the others go
on; the caller gets one `BatchResult` per coach, in the order given. Before any worker starts,
`check_batch` refuses two coaches whose reports would share a file name (case-insensitively,
as on macOS and Windows) and an output folder the reports could not be written to.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trc_analytics.outputs import OutputError, check_folder
from trc_analytics.period import Period
from trc_analytics.reports.request import ReportError, ReportRequest


@dataclass(frozen=True)
class BatchResult:
    """What happened to one coach's report."""

    coach: str
    path: Path | None
    error: str | None
    seconds: float


def active_coaches(data: str | Path, *, keep_valid: bool = False) -> list[str]:
    """Ids of the active coaches of the workspace, sorted (validates the workspace first)."""
    import polars as pl

    from trc_analytics.reports.context import load_cached
    from trc_analytics.reports.source import resolve_data

    ws = load_cached(resolve_data(data), keep_valid=keep_valid)
    return sorted(
        ws["coaches"].filter(pl.col("active").fill_null(False)).get_column("coach_id").to_list()
    )


class FileNameCollision(ReportError):
    """Two coaches' reports would be written to one file (the message names both ids)."""


def check_file_names(kind: str, coaches: Sequence[str], period: Period) -> None:
    """Raise `FileNameCollision` when two coaches' report file names are equal ignoring case.

    `ReportRequest.file_name` replaces characters other than letters, digits, `.`, `_` and `-`,
    so `C/1` and `C_1` meet; macOS and Windows ignore case, so `c-1` and `C-1` meet too. One
    report would silently overwrite the other, so nothing is rendered.
    """
    seen: dict[str, str] = {}
    clashes: list[str] = []
    for coach in coaches:
        name = ReportRequest(kind=kind, period=period, coach=coach).file_name()
        first = seen.setdefault(name.casefold(), coach)
        if first != coach:
            clashes.append(f"coaches {first!r} and {coach!r} would both be written to {name}")
    if clashes:
        raise FileNameCollision(
            "; ".join(clashes)
            + ". File names ignore case and replace characters other than letters, digits, "
            "'.', '_' and '-', so one report would overwrite the other; no report was rendered. "
            "Give one of the coaches a distinct id, or render them one at a time with --coach "
            "and separate --out folders."
        )


def check_batch(
    kind: str,
    coaches: Sequence[str],
    *,
    period: Period,
    out_dir: str | Path,
    keep_notebook: str | Path | None = None,
) -> None:
    """What would stop every report of the batch, checked before it starts (`ReportError`):
    file names that collide, output folders that cannot be written. A problem with one coach's
    file (a folder in its place) stops that report only, before it renders."""
    check_file_names(kind, coaches, period)
    try:
        check_folder(out_dir)
        if keep_notebook:
            check_folder(keep_notebook)
    except OutputError as exc:
        raise ReportError(str(exc)) from None


# --- inside a worker process -------------------------------------------------------------------

_RUNNER: Any = None


def _close_runner() -> None:
    global _RUNNER
    if _RUNNER is not None:
        _RUNNER.close()
        _RUNNER = None


#: This worker's view of the workspace: the file the parent writes it to, and once read,
#: (key, view) or None.
_VIEW: dict[str, Any] = {}


def _worker_init(reuse_kernel: bool, request: ReportRequest, share_file: str) -> None:
    """Start the worker's runner (and kernel); shut the kernel down when the worker exits.

    The kernel inherits this environment: it takes every coach's results from `share_file`
    (written by the parent meanwhile, `BatchShare`) and each report filters its coach. The
    worker itself does not load the workspace: it takes the parent's view of it
    (`_workspace`), which is all it uses.
    """
    from multiprocessing import util

    from trc_analytics.reports.context import SHARE_ENV, SHARE_FILE_ENV
    from trc_analytics.reports.kernel import NotebookRunner

    global _RUNNER
    os.environ[SHARE_ENV] = "1"
    os.environ[SHARE_FILE_ENV] = share_file
    _VIEW["file"] = str(Path(share_file).with_name(VIEW_FILE))
    _RUNNER = NotebookRunner(reuse=reuse_kernel).start(request.kind)
    util.Finalize(None, _close_runner, exitpriority=10)


def _workspace(request: ReportRequest) -> Any:
    """The workspace as this worker uses it (the subject's check, the footer): the view the
    parent handed over (`context.worker_view`, read once) while the files are still those it
    was made from; else loaded and validated here, as before (an invalid workspace raises)."""
    from trc_analytics.reports.context import load_cached, read_worker_view, workspace_key
    from trc_analytics.reports.source import resolve_data

    path = resolve_data(request.data)
    if "view" not in _VIEW and "file" in _VIEW:
        _VIEW["view"] = read_worker_view(_VIEW["file"])
    handed = _VIEW.get("view")
    if handed is not None and handed[0] == workspace_key(path, request.keep_valid):
        return handed[1]
    return load_cached(path, keep_valid=request.keep_valid)


def _started() -> int:
    """A no-op task: submitting one per worker starts every worker (and its kernel) at once."""
    return os.getpid()


def _render_one(request: ReportRequest, out_dir: str, keep_notebook: str | None) -> BatchResult:
    """Render one coach's report in this worker; never raises (errors become the result)."""
    from trc_analytics.reports.render import render

    start = time.perf_counter()
    coach = str(request.coach)
    try:
        ws = _workspace(request)
        path = render(
            request, out_dir=out_dir, keep_notebook=keep_notebook, runner=_RUNNER, workspace=ws
        )
        return BatchResult(coach, path, None, time.perf_counter() - start)
    except Exception as exc:  # one coach's failure must not stop the batch
        message = str(exc) or type(exc).__name__
        return BatchResult(coach, None, message, time.perf_counter() - start)


# --- in the calling process --------------------------------------------------------------------

#: The hand-over's file name in the parent's private runtime folder.
SHARE_FILE = "batch-share.pickle"
#: The workers' view of the workspace (`context.worker_view`), beside it.
VIEW_FILE = "batch-workspace-view.pickle"


def share_batch(request: ReportRequest, coach: str, target: Path) -> bool:
    """Validate the workspace and compute every coach's results once, here, and leave them in
    `target` for the kernels (`context.share_for_batch`, `write_share`). False when nothing
    was handed over: the workspace is invalid, the policy is refused, or the file could not
    be written; every kernel then loads and computes itself, and a failure is reported for
    each coach as before."""
    from trc_analytics.reports.context import share_for_batch, write_share
    from trc_analytics.reports.progress import share_progress
    from trc_analytics.reports.source import resolve_data

    one = replace(request, coach=coach)
    try:
        policy = one.validate()
        periods = [one.period] + ([one.comparison] if one.comparison is not None else [])
        share = share_for_batch(
            resolve_data(one.data),
            keep_valid=one.keep_valid,
            periods=periods,
            policy=policy,
            prepare=share_progress,
        )
    except Exception:  # each report meets it again and says so, as without a hand-over
        return False
    return write_share(share, target, target.with_name(VIEW_FILE))


def _collect(
    pending: dict[Future[BatchResult], str],
    on_done: Callable[[BatchResult], None] | None,
) -> dict[str, BatchResult]:
    """Wait for every submitted report; one result per coach (a dead worker's as an error)."""
    results: dict[str, BatchResult] = {}
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in done:
            coach = pending.pop(fut)
            try:
                result = fut.result()
            except Exception as exc:  # the worker process itself died
                result = BatchResult(coach, None, f"worker stopped: {exc}", 0.0)
            results[coach] = result
            if on_done is not None:
                on_done(result)
    return results


def render_all(
    request: ReportRequest,
    coaches: Sequence[str],
    *,
    out_dir: str | Path = "reports",
    keep_notebook: str | Path | None = None,
    workers: int = 1,
    reuse_kernel: bool = True,
    on_done: Callable[[BatchResult], None] | None = None,
) -> list[BatchResult]:
    """Render `request` for every coach of `coaches` (its own coach is replaced) in `workers`
    processes.

    The workers and their kernels start first; while they do, this process validates the
    workspace and computes every coach's metrics, checks and credential progress once
    (`share_batch`), and hands them to every kernel through an owner-only file in a private
    folder removed when the batch ends. `reuse_kernel=False` starts a fresh kernel per report
    (the benchmark compares both). Returns one result per coach, in the order of `coaches`;
    `on_done` is called as each finishes (for a progress bar). Raises `ReportError` before any
    report is rendered when `check_batch` finds a problem.
    """
    from trc_analytics.reports.kernel_runtime import make_runtime_dir, remove_runtime_dir

    if request.data is None:
        raise ReportError("the batch needs a workspace folder (request.data)")
    request = replace(request, data=str(Path(request.data).resolve()), supervisor=None)
    kind = request.kind
    check_batch(kind, coaches, period=request.period, out_dir=out_dir, keep_notebook=keep_notebook)
    if not coaches:
        return []
    out, kept = str(Path(out_dir).resolve()), str(keep_notebook) if keep_notebook else None
    workers = max(1, min(workers, len(coaches)))
    folder = make_runtime_dir()  # 0700, this user's; the hand-over lives and dies here
    share_file = folder / SHARE_FILE
    try:
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(reuse_kernel, request, str(share_file)),
        ) as pool:
            for _ in range(workers):  # each submit starts one more worker while none is idle
                pool.submit(_started)
            share_batch(request, coaches[0], share_file)
            pending = {
                pool.submit(_render_one, replace(request, coach=c), out, kept): c for c in coaches
            }
            results = _collect(pending, on_done)
    finally:
        remove_runtime_dir(folder)
    return [results[c] for c in coaches]
