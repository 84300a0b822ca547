"""`trc metrics DIR --from --to`: the headline practice metrics (or any other) as table/CSV/JSON."""

from __future__ import annotations

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
    import polars as pl

    from trc_analytics.period import Period


@click.command("metrics")
@workspace_argument
@period_options
@coach_option(multiple=True)
@click.option(
    "--by",
    type=click.Choice(["coach", "region"]),
    default="coach",
    show_default=True,
    help="One row per coach, or per region (all its coaches together).",
)
@click.option(
    "--metric",
    default="headline",
    show_default=True,
    help="Which metric to print (see `trc metrics --list`).",
)
@policy_option
@keep_valid_option
@format_option
@click.option(
    "--list",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _param, value: _list_metrics(ctx) if value else None,
    help="List the metrics (name: what it counts), then exit.",
)
def metrics(
    folder: Path,
    period: Period,
    coaches: tuple[str, ...],
    by: str,
    metric: str,
    policy_file: Path | None,
    keep_valid: bool,
    fmt: str,
) -> None:
    """Print practice metrics for the workspace FOLDER over a period (both days included).

    By default the headline figures: active clients, new intakes, closures, sessions held,
    hours and no-show rate. Exit status: 0 ok, 1 invalid workspace (with the validation
    report) or missing tables, 2 usage error.
    """
    from trc_analytics.metrics import registry

    known = registry()
    if metric not in known:
        raise click.BadParameter(
            f"{metric!r} is not a metric; known: {', '.join(known)}", param_hint="--metric"
        )
    from trc_analytics.errors import MissingTables
    from trc_analytics.metrics import compute_all

    policy = load_policy(policy_file)
    ws = load_or_exit(folder, keep_valid=keep_valid, fmt=fmt, stopped="No metrics were computed.")
    try:
        result = compute_all(
            ws, period, coaches=list(coaches) or None, by=by, policy=policy, names=[metric]
        )[metric]
    except ValueError as exc:  # unknown coach ids
        raise click.UsageError(str(exc)) from None
    if isinstance(result, MissingTables):
        click.echo(f"error: {metric}: {result} in {folder}", err=True)
        raise SystemExit(1)
    _print(result, fmt, title=f"{metric}, {period.start} to {period.end}")


def _list_metrics(ctx: click.Context) -> None:
    """Print every metric with the first line of its docstring, and stop."""
    from trc_analytics.metrics import registry

    for entry in registry().values():
        kind = "by coach or region" if entry.grouped else "list"
        click.echo(f"{entry.name} ({kind}): {entry.title}")
    ctx.exit(0)


def _print(df: pl.DataFrame, fmt: str, *, title: str) -> None:
    if fmt == "csv":
        from trc_analytics.exports import safe_csv

        click.echo(safe_csv(df), nl=False)
        return
    if fmt == "json":
        import json

        click.echo(json.dumps(df.to_dicts(), indent=2, default=str, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    cells = [[_cell(k, v) for k, v in row.items()] for row in df.iter_rows(named=True)]
    table = Table(title=title, header_style="bold")
    widths = []
    for i, (name, dtype) in enumerate(df.schema.items()):
        # underscores become spaces so narrow terminals wrap headers instead of cutting them
        header = name.replace("_", " ")
        widths.append(max([len(w) for w in header.split()] + [len(r[i]) for r in cells]))
        table.add_column(
            header, justify="right" if dtype.is_numeric() else "left", min_width=widths[-1]
        )
    for row in cells:
        table.add_row(*row)
    console = Console(highlight=False)
    # never cut values: a metric wider than the terminal prints at its natural width
    needed = Measurement.get(Console(width=10_000), Console(width=10_000).options, table).maximum
    if needed > console.width:
        console = Console(highlight=False, width=needed)
    console.print(table)


def _cell(name: str, value: object) -> str:
    """A value as a person reads it: shares as percentages, hours and money by the reports' one
    rule (`display.format_hours`: 225.75 hours print 225.7 here as in the review, 0.0 prints 0;
    `display.format_money`: always cents)."""
    from trc_analytics.reports.display import format_hours, format_money, is_hours, is_money

    if value is None:
        return ""
    if isinstance(value, float):
        if name.endswith(("_rate", "_share")):
            return f"{value:.1%}"
        if is_money(name):
            return format_money(value)
        if is_hours(name):
            return format_hours(value)
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
