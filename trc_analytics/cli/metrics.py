"""`trc metrics DIR --from --to`: the headline practice metrics (or any other) as table/CSV/JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import polars as pl


@click.command("metrics")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path)
)
@click.option("--from", "date_from", required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "date_to", required=True, help="Last day of the period (YYYY-MM-DD).")
@click.option(
    "--coach",
    "coaches",
    multiple=True,
    help="Only this coach; repeat for a supervisor's coaches. Default: every coach.",
)
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
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file of policy values (thresholds) to use instead of the defaults.",
)
@click.option(
    "--keep-valid",
    is_flag=True,
    help="Set aside rows with problems and compute from the rest (says how many on stderr).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="table for people; csv or json for other tools.",
)
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
    date_from: str,
    date_to: str,
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
    from trc_analytics.period import Period
    from trc_analytics.policy import Policy

    try:
        period = Period.parse(date_from, date_to)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--from/--to") from None
    try:
        policy = Policy.load(policy_file)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--policy") from None

    ws = _load(folder, keep_valid=keep_valid, fmt=fmt)
    try:
        result = compute_all(
            ws, period, coaches=list(coaches) or None, by=by, policy=policy, names=[metric]
        )[metric]
    except ValueError as exc:  # unknown coach ids
        raise click.BadParameter(str(exc), param_hint="--coach") from None
    if isinstance(result, MissingTables):
        click.echo(f"{metric}: {result} in {folder}", err=True)
        raise SystemExit(1)
    _print(result, fmt, title=f"{metric}, {period.start} to {period.end}")


def _list_metrics(ctx: click.Context) -> None:
    """Print every metric with the first line of its docstring, and stop."""
    from trc_analytics.metrics import registry

    for entry in registry().values():
        kind = "by coach or region" if entry.grouped else "list"
        click.echo(f"{entry.name} ({kind}): {entry.title}")
    ctx.exit(0)


def _load(folder: Path, *, keep_valid: bool, fmt: str):
    """The workspace, or exit 1 with the validation report."""
    from trc_analytics.records.load import load_workspace
    from trc_analytics.records.workspace import WorkspaceError

    try:
        ws = load_workspace(folder, keep_valid=keep_valid)
    except WorkspaceError as exc:
        click.echo(f"Cannot compute metrics: {exc}", err=True)
        if fmt == "json":
            import json

            payload = {"valid": False, "problems": exc.problems.to_dicts()}
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        elif fmt == "csv":
            from trc_analytics.exports import safe_csv

            click.echo(safe_csv(exc.problems), nl=False, err=True)
        else:
            from trc_analytics.cli.validate import print_problems

            print_problems(folder, {}, exc.problems, keep_valid=keep_valid, limit=100)
        raise SystemExit(1) from None
    if ws.rows_set_aside:
        click.echo(
            f"{ws.rows_set_aside} row(s) with problems set aside; "
            f"run `trc validate {folder}` to see them.",
            err=True,
        )
    return ws


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
    """A value as a person reads it: shares as percentages, hours to one decimal."""
    if value is None:
        return ""
    if isinstance(value, float):
        if name.endswith(("_rate", "_share")):
            return f"{value:.1%}"
        if name.endswith(("_value", "_fee")):
            return f"{value:,.2f}"
        return f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
