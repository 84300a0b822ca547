"""`trc report`: render a supervisor review, a coach self-audit or the association report."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trc_analytics.cli.options import (
    coach_option,
    compare_to_option,
    keep_valid_option,
    paper_option,
    period_options,
    policy_option,
    requirements_option,
)
from trc_analytics.cli.workspace import exits_on_invalid

if TYPE_CHECKING:
    from rich.table import Table

    from trc_analytics.period import Period
    from trc_analytics.reports.batch import BatchResult
    from trc_analytics.reports.kernel import NotebookRunner
    from trc_analytics.reports.request import ReportRequest

KIND_CHOICES = ("supervisor", "self-audit", "association")
#: What `trc report` says on stderr when it stops on invalid data.
STOPPED = "No report was written."


@click.command("report")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.argument(
    "folder", required=False, type=click.Path(exists=True, file_okay=True, path_type=Path)
)
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, path_type=Path),
    help="The workspace, as an option (an alias of FOLDER, kept for older scripts).",
)
@coach_option(multiple=False)
@click.option("--supervisor", help="Supervisor id: review that supervisor's whole portfolio.")
@period_options
@policy_option
@click.option(
    "--out",
    "out_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the HTML report is written to (created owner-only).",
)
@click.option(
    "--keep-notebook",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also keep the executed notebook (it holds data) in this folder, owner-only.",
)
@keep_valid_option
@click.option(
    "--min-cell",
    type=int,  # the policy checks the range (and names it)
    help="Association report: smallest count published (default: the policy's, 11; at least 5).",
)
@compare_to_option
@requirements_option
@paper_option
@click.option(
    "--all-coaches",
    is_flag=True,
    help="One report per active coach (supervisor review or self-audit), in parallel.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for --all-coaches (default: the number of cores).",
)
def report(
    kind: str,
    folder: Path | None,
    data: Path | None,
    coach: str | None,
    supervisor: str | None,
    period: Period,
    policy_file: Path | None,
    out_dir: Path,
    keep_notebook: Path | None,
    keep_valid: bool,
    min_cell: int | None,
    compare_to: str | None,
    requirements_file: Path | None,
    paper: str,
    all_coaches: bool,
    workers: int | None,
) -> None:
    """Render a report to one offline HTML file and print its path.

    KIND is `supervisor` (with --coach ID or --supervisor ID), `self-audit` (with --coach ID)
    or `association`; FOLDER is the workspace folder or workbook (`--data` is an alias).
    The file is `<out>/<kind>_<subject>_<from>_<to>.html`: no code, no
    script, charts inline, readable and printable without a network. Exit status: 0 written,
    1 invalid data or a failed report, 2 usage error.
    """
    from trc_analytics.reports._fastimport import skip_slow_optional_imports

    skip_slow_optional_imports()
    data = _workspace(folder, data)
    if all_coaches and kind == "association":
        raise click.UsageError("--all-coaches renders supervisor reviews or self-audits")
    if all_coaches and (coach or supervisor):
        raise click.UsageError(
            "--all-coaches picks the coaches: give --all-coaches or --coach/--supervisor, not both"
        )
    started = (
        None
        if all_coaches
        else _kernel_started_early(kind, coach, supervisor, period, out_dir, keep_notebook)
    )
    # closed on every path: a refused request leaves no kernel
    with closing(started) if started is not None else nullcontext():
        from trc_analytics.reports.request import (
            ReportRequest,
            ReportUsageError,
            parse_compare_to,
        )

        request = ReportRequest(
            kind=kind,
            period=period,
            coach=coach,
            supervisor=supervisor,
            policy_file=str(policy_file) if policy_file else None,
            keep_valid=keep_valid,
            min_cell=min_cell,
            data=str(data),
            paper=paper.lower(),
            requirements_file=str(requirements_file) if requirements_file else None,
        )
        with _failures():
            if compare_to is not None and kind == "association":
                raise ReportUsageError("--compare-to is for the coach reports, not the association")
            request = replace(request, compare_to=parse_compare_to(compare_to))
            # with --all-coaches, checked as it will be for each coach
            (replace(request, coach="each active coach") if all_coaches else request).validate()
            with exits_on_invalid(data, keep_valid=keep_valid, stopped=STOPPED):
                if all_coaches:
                    _render_batch(request, out_dir, keep_notebook, workers)
                else:
                    _render_one(request, out_dir, keep_notebook, started)


def _kernel_started_early(
    kind: str,
    coach: str | None,
    supervisor: str | None,
    period: Period,
    out_dir: Path,
    keep_notebook: Path | None,
) -> NotebookRunner | None:
    """A single report's kernel, started before this process imports the request, polars and
    the report modules (about 0.5 s CPU), so it starts and warms up meanwhile on the other core.

    Only once the report's output folders are known to take its file (`target.check_targets`,
    no polars): a folder the report cannot be written to is refused before any kernel starts.
    When they are not, no kernel is started here and the usual path refuses the request, in the
    order it always did (a refused request before a refused folder).
    """
    from trc_analytics.reports.target import (
        ReportError,
        check_targets,
        report_file_name,
        report_subject,
    )

    if not _subject_given(kind, coach, supervisor):  # refused anyway: start nothing
        return None
    name = report_file_name(kind, report_subject(kind, coach, supervisor), period)
    try:
        check_targets(name, out_dir, keep_notebook)
    except ReportError:
        return None
    from trc_analytics.reports.kernel import NotebookRunner

    return NotebookRunner(reuse=True).start(kind)


def _subject_given(kind: str, coach: str | None, supervisor: str | None) -> bool:
    """Whether a coach report's subject is given as its kind wants it (the request's own check,
    `ReportRequest.validate`, decides; this only keeps a kernel from starting for nothing).
    False for the association report: its kernel computes the report's results itself, so
    starting it early gains less, and its request is refused more often (whole calendar
    months, the smallest cell) by checks only the request can make: it starts as before."""
    if kind == "association":  # its refusals (months, min-cell) come from the request
        return False
    if kind == "self-audit":
        return bool(coach) and not supervisor
    return bool(coach) != bool(supervisor)


def _workspace(folder: Path | None, data: Path | None) -> Path:
    """The workspace of FOLDER or of its alias `--data`: one of them, or both the same."""
    if folder is None and data is None:
        raise click.UsageError("give the workspace: trc report KIND FOLDER ...")
    if folder is not None and data is not None and folder.resolve() != data.resolve():
        raise click.UsageError("give the workspace as FOLDER or --data, not both")
    return folder or data  # type: ignore[return-value]


@contextmanager
def _failures() -> Iterator[None]:
    """A refused request is a usage error (exit 2); a failed report says why on stderr (exit 1)."""
    from trc_analytics.reports.target import ReportError, ReportUsageError

    try:
        yield
    except ReportUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


def _render_one(
    request: ReportRequest,
    out_dir: Path,
    keep_notebook: Path | None,
    started: NotebookRunner | None,
) -> None:
    """Render one report (on the kernel `started` early, if any) with a spinner on stderr; its
    path on stdout."""
    from rich.console import Console

    from trc_analytics.reports.render import render

    with Console(stderr=True).status(f"Rendering the {request.title.lower()} …", spinner="dots"):
        path = render(request, out_dir=out_dir, keep_notebook=keep_notebook, started=started)
    click.echo(_shown(path))


def _shown(path: Path) -> str:
    """The path relative to the working folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _render_batch(
    request: ReportRequest, out_dir: Path, keep_notebook: Path | None, workers: int | None
) -> None:
    """One report per active coach in parallel: progress and a table on stderr, paths on stdout."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from trc_analytics.reports.batch import active_coaches, render_all

    coaches = active_coaches(str(request.data), keep_valid=request.keep_valid)
    workers = workers or os.cpu_count() or 1
    console = Console(stderr=True)
    columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress("[progress.description]{task.description}", *columns, console=console) as bar:
        task = bar.add_task(f"{request.kind} reports ({workers} workers)", total=len(coaches))
        results = render_all(
            request,
            coaches,
            out_dir=out_dir,
            keep_notebook=keep_notebook,
            workers=workers,
            on_done=lambda _r: bar.advance(task),
        )
    console.print(_batch_table(results, request.kind, out_dir))
    for r in results:
        if r.path is not None:
            click.echo(_shown(r.path))
    failed = sum(r.error is not None for r in results)
    if failed:
        click.echo(f"error: {failed} of {len(results)} reports failed (see the table).", err=True)
        raise SystemExit(1)


def _batch_table(results: list[BatchResult], kind: str, out_dir: Path) -> Table:
    """A rich table of the batch: coach, written or failed, file name or error, seconds."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(results)} {kind} reports", header_style="bold")
    for name in ("coach", "status", f"report (in {out_dir}) or error", "seconds"):
        table.add_column(name, overflow="fold")
    for r in results:
        table.add_row(
            escape(r.coach),
            "[red]failed[/]" if r.error else "[green]written[/]",
            escape(r.error or (r.path.name if r.path else "")),
            f"{r.seconds:.1f}",
        )
    return table
