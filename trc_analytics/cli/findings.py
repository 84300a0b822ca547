"""`trc findings DIR --from --to`: run the ethics check catalogue and print the findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trc_analytics.cli.options import (
    coach_option,
    format_option,
    keep_valid_option,
    load_policy,
    period_options,
    policy_option,
    workspace_argument,
)
from trc_analytics.cli.workspace import load_or_exit

if TYPE_CHECKING:
    from trc_analytics.checks import CheckResults
    from trc_analytics.period import Period

SEVERITY_STYLE = {"critical": "bold red", "major": "yellow", "minor": "cyan"}


@click.command("findings")
@workspace_argument
@period_options
@coach_option(multiple=True)
@policy_option
@format_option
@keep_valid_option
def findings(
    folder: Path,
    period: Period,
    coaches: tuple[str, ...],
    policy_file: Path | None,
    fmt: str,
    keep_valid: bool,
) -> None:
    """Check the workspace FOLDER against the Code of Ethics for the period --from..--to.

    One finding a row: check_id, severity, coach_id, client_id, engagement_id, on, detail.
    A check whose tables are absent is "not evaluated", never a pass. Exit status: 0 whether or
    not there are findings, 1 when the workspace is invalid (its problems are printed), 2 for
    a usage error.
    """
    from trc_analytics.checks import run_checks

    policy = load_policy(policy_file)
    ws = load_or_exit(folder, keep_valid=keep_valid, fmt=fmt, stopped="No findings were computed.")
    try:
        results = run_checks(ws, period, policy, coaches=list(coaches) or None)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if fmt == "csv":
        from trc_analytics.exports import safe_csv

        click.echo(safe_csv(results.findings, date_format="%Y-%m-%d"), nl=False)
    elif fmt == "json":
        click.echo(as_json(folder, results))
    else:
        print_table(results)


def as_json(folder: Path, results: CheckResults) -> str:
    """Findings, per-check status and the policy values used, as one JSON document."""
    import json

    def iso(value: object) -> object:
        return value.isoformat() if isinstance(value, dt.date) else value

    doc = {
        "workspace": str(folder),
        "from": results.period.start.isoformat(),
        "to": results.period.end.isoformat(),
        "policy": {name: value for name, value, _ in results.policy.as_rows()},
        "findings": [
            {k: iso(v) for k, v in row.items()} for row in results.findings.iter_rows(named=True)
        ],
        "checks": results.status.to_dicts(),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def print_table(results: CheckResults) -> None:
    """Findings by severity, then the checks not evaluated, then the policy values changed."""
    import polars as pl
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    found, period = results.findings, results.period
    label = f"{period.start.isoformat()} to {period.end.isoformat()}"
    if found.is_empty():
        console.print(f"No findings from {label}.")
    else:
        table = Table(header_style="bold", box=None, pad_edge=False, show_lines=False)
        for name in ("severity", "on", "check", "coach", "client", "detail"):
            table.add_column(name, overflow="fold", no_wrap=name != "detail")
        for rec in found.iter_rows(named=True):
            table.add_row(
                f"[{SEVERITY_STYLE[rec['severity']]}]{rec['severity']}[/]",
                rec["on"].isoformat(),
                rec["check_id"],
                escape(rec["coach_id"] or ""),
                escape(rec["client_id"] or ""),
                escape(rec["detail"]),
            )
        console.print(table)
        counts = found.group_by("severity").len()
        by = dict(counts.iter_rows())
        parts = [f"{by[s]} {s}" for s in ("critical", "major", "minor") if s in by]
        n = found.height
        console.print(f"\n{n} finding{'s' if n != 1 else ''} from {label}: {', '.join(parts)}.")
    missing = results.not_evaluated
    if missing.height:
        console.print("\n[bold]Not evaluated[/] (no records to judge them by, so not a pass):")
        for check_id, reason in missing.iter_rows():
            console.print(f"  {check_id}: {escape(reason.removeprefix('not evaluated: '))}")
    partial = results.status.filter(pl.col("evaluated") & pl.col("reason").is_not_null())
    if partial.height:
        console.print("\n[bold]Evaluated in part[/] (a table it can use is absent):")
        for check_id, reason in partial.select("check_id", "reason").iter_rows():
            console.print(f"  {check_id}: {escape(reason)}")
    changed = [(k, v) for k, v, differs in results.policy.as_rows() if differs]
    if changed:
        console.print(
            "\nPolicy values changed from the defaults: "
            + ", ".join(f"{k} = {v}" for k, v in changed)
        )
