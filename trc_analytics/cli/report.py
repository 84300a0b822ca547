"""`trc report`: render a supervisor review, a coach self-audit or the association report."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

KIND_CHOICES = ("supervisor", "self-audit", "association")


def _date(value: dt.datetime | None) -> str | None:
    return value.date().isoformat() if value else None


@click.command("report")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Workspace folder (one file per table) or a single workbook.",
)
@click.option("--coach", help="Coach id (supervisor review of one coach, or the self-audit).")
@click.option("--supervisor", help="Supervisor id: review that supervisor's whole portfolio.")
@click.option(
    "--from",
    "date_from",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="First day of the period (YYYY-MM-DD, inclusive).",
)
@click.option(
    "--to",
    "date_to",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Last day of the period (YYYY-MM-DD, inclusive); standing is judged as of this day.",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of policy values (default: the Code's defaults).",
)
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
@click.option(
    "--keep-valid",
    is_flag=True,
    help="Set invalid rows aside and report on the rest (the report says how many).",
)
@click.option(
    "--min-cell",
    type=int,  # the policy checks the range (and names it)
    help="Association report: smallest count published (default: the policy's, 11; at least 5).",
)
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
    data: Path,
    coach: str | None,
    supervisor: str | None,
    date_from: dt.datetime,
    date_to: dt.datetime,
    policy_file: Path | None,
    out_dir: Path,
    keep_notebook: Path | None,
    keep_valid: bool,
    min_cell: int | None,
    all_coaches: bool,
    workers: int | None,
) -> None:
    """Render a report to one offline HTML file and print its path.

    KIND is `supervisor` (with --coach ID or --supervisor ID), `self-audit` (with --coach ID)
    or `association`. The file is `<out>/<kind>_<subject>_<from>_<to>.html`: no code, no
    script, charts inline, readable and printable without a network. Exit status: 0 written,
    1 invalid data or a failed report, 2 usage error.
    """
    from trc_analytics.period import Period
    from trc_analytics.reports._fastimport import skip_slow_optional_imports

    skip_slow_optional_imports()
    try:
        period = Period.parse(_date(date_from) or "", _date(date_to) or "")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from/--to") from None
    if all_coaches:
        if kind == "association":
            raise click.UsageError("--all-coaches renders supervisor reviews or self-audits")
        if coach or supervisor:
            raise click.UsageError(
                "--all-coaches picks the coaches; do not give --coach/--supervisor"
            )
        _render_batch(kind, data, period, policy_file, out_dir, keep_notebook, keep_valid, workers)
        return
    _render_one(
        kind,
        data,
        period,
        coach,
        supervisor,
        policy_file,
        out_dir,
        keep_notebook,
        keep_valid,
        min_cell,
    )


def _check_request(kind: str, period: object, coach: str | None, supervisor: str | None) -> None:
    from trc_analytics.reports.request import ReportError, ReportRequest

    try:
        ReportRequest(kind=kind, period=period, coach=coach, supervisor=supervisor).check()  # type: ignore[arg-type]
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None


def _invalid(data: Path, exc: Exception) -> None:
    """Print the validation report of an invalid workspace and exit 1."""
    from trc_analytics.cli.validate import print_problems

    problems = getattr(exc, "problems", None)
    if problems is not None and problems.height:
        print_problems(data, {}, problems, keep_valid=False, limit=20)
    click.echo(
        f"error: {exc}\nNo report was written. Fix the rows above, or add --keep-valid to "
        "report on the valid rows only.",
        err=True,
    )
    raise SystemExit(1)


def _render_one(
    kind: str,
    data: Path,
    period: object,
    coach: str | None,
    supervisor: str | None,
    policy_file: Path | None,
    out_dir: Path,
    keep_notebook: Path | None,
    keep_valid: bool,
    min_cell: int | None,
) -> None:
    from rich.console import Console

    from trc_analytics.records.workspace import WorkspaceError
    from trc_analytics.reports.render import render_report
    from trc_analytics.reports.request import KINDS, ReportError, ReportUsageError

    _check_request(kind, period, coach, supervisor)
    console = Console(stderr=True)
    try:
        with console.status(f"Rendering the {KINDS[kind][1].lower()} …", spinner="dots"):
            path = render_report(
                kind,
                data,
                period=period,  # type: ignore[arg-type]
                coach=coach,
                supervisor=supervisor,
                policy_file=policy_file,
                out_dir=out_dir,
                keep_notebook=keep_notebook,
                keep_valid=keep_valid,
                min_cell=min_cell,
            )
    except WorkspaceError as exc:
        _invalid(data, exc)
    except ReportUsageError as exc:
        raise click.UsageError(str(exc)) from None
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(_shown(path))


def _shown(path: Path) -> str:
    """The path relative to the working folder when it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _render_batch(
    kind: str,
    data: Path,
    period: object,
    policy_file: Path | None,
    out_dir: Path,
    keep_notebook: Path | None,
    keep_valid: bool,
    workers: int | None,
) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
    from rich.table import Table

    from trc_analytics.records.workspace import WorkspaceError
    from trc_analytics.reports.batch import active_coaches, check_batch, render_all
    from trc_analytics.reports.request import ReportError

    console = Console(stderr=True)
    try:
        coaches = active_coaches(data, keep_valid=keep_valid)
        check_batch(kind, coaches, period=period, out_dir=out_dir, keep_notebook=keep_notebook)  # type: ignore[arg-type]
    except WorkspaceError as exc:
        _invalid(data, exc)
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    workers = workers or os.cpu_count() or 1
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task(f"{kind} reports ({workers} workers)", total=len(coaches))
        results = render_all(
            kind,
            data,
            coaches,
            period=period,  # type: ignore[arg-type]
            policy_file=policy_file,
            out_dir=out_dir,
            keep_notebook=keep_notebook,
            keep_valid=keep_valid,
            workers=workers,
            on_done=lambda _r: progress.advance(task),
        )
    table = Table(title=f"{len(results)} {kind} reports", header_style="bold")
    for name in ("coach", "status", f"report (in {out_dir}) or error", "seconds"):
        table.add_column(name, overflow="fold")
    failed = 0
    for r in results:
        failed += r.error is not None
        table.add_row(
            escape(r.coach),
            "[red]failed[/]" if r.error else "[green]written[/]",
            escape(r.error or r.path.name),  # type: ignore[union-attr]
            f"{r.seconds:.1f}",
        )
    console.print(table)
    for r in results:
        if r.path is not None:
            click.echo(_shown(r.path))
    if failed:
        click.echo(f"error: {failed} of {len(results)} reports failed (see the table).", err=True)
        raise SystemExit(1)
