"""`trc validate DIR`: check a workspace and print every problem (table, JSON or CSV)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import polars as pl

#: Problems printed in the table format before "... and N more" (json and csv print all).
DEFAULT_LIMIT = 100


@click.command("validate")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=True, dir_okay=True, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table for people; json or csv (every problem) for machines.",
)
@click.option(
    "--keep-valid",
    is_flag=True,
    help="Set aside rows with problems (and rows referring to them), say what was set aside, "
    "and exit 0 when the remaining rows can be used.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="Problems printed in the table format.",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date that counts as today for future-date checks (default: today).",
)
def validate(
    folder: Path, fmt: str, keep_valid: bool, limit: int, today: dt.datetime | None
) -> None:
    """Check the workspace FOLDER (or a single workbook) against the record schema.

    Every problem is reported with file, sheet, row (the header is row 1), column, value and
    what was expected. Exit status: 0 valid, 1 problems found, 2 usage error.
    """
    from trc_analytics.records.read import read_workspace_files
    from trc_analytics.records.validate import check_workspace

    raw = read_workspace_files(folder)
    checked = check_workspace(raw, today=today.date() if today else None, keep_valid=keep_valid)
    problems = checked.problems
    usable = "coaches" in checked.tables
    ok = usable if keep_valid else problems.is_empty()
    if fmt == "json":
        import json

        payload = {
            "workspace": str(folder),
            "valid": problems.is_empty(),
            "problem_count": problems.height,
            "tables": {n: f.height for n, f in checked.tables.items()} if ok else {},
            "problems": problems.to_dicts(),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        from trc_analytics.exports import safe_csv

        click.echo(safe_csv(problems), nl=False)
    else:
        print_problems(folder, checked.tables, problems, keep_valid=keep_valid, limit=limit)
    raise SystemExit(0 if ok else 1)


def print_problems(
    folder: Path,
    tables: dict[str, pl.DataFrame],
    problems: pl.DataFrame,
    *,
    keep_valid: bool,
    limit: int,
) -> None:
    """Print a summary per file (counts per problem kind), then up to `limit` problems."""
    import polars as pl
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    if problems.is_empty():
        counts = ", ".join(f"{n} ({f.height} rows)" for n, f in tables.items())
        console.print(f"[green]Valid:[/] {escape(str(folder))}: {escape(counts)}")
        return
    n = problems.height
    rows = (
        problems.filter(pl.col("row").is_not_null())
        .select(pl.struct("file", "sheet", "row").n_unique())
        .item()
    )
    console.print(
        f"[bold red]{n} problem{'s' if n != 1 else ''}[/] in {escape(str(folder))} "
        f"({rows} row{'s' if rows != 1 else ''} affected)"
    )
    where = (
        pl.when(pl.col("sheet").is_not_null())
        .then(pl.col("file") + " / " + pl.col("sheet"))
        .otherwise(pl.col("file"))
    )
    problems = problems.with_columns(where.alias("where"))
    shown = 0
    for (place,), group in problems.group_by("where", maintain_order=True):
        counts = ", ".join(
            f"{c} {k}" for k, c in group.group_by("problem", maintain_order=True).len().iter_rows()
        )
        console.print(f"\n[bold]{escape(str(place))}[/]: {group.height} ({escape(counts)})")
        if shown >= limit:
            continue
        table = Table(header_style="bold", box=None, pad_edge=False)
        for name in ("row", "column", "value", "problem", "expected"):
            table.add_column(name, overflow="fold")
        for rec in (
            group.head(limit - shown)
            .select("row", "column", "value", "problem", "expected")
            .iter_rows()
        ):
            table.add_row(*(escape("" if v is None else str(v)) for v in rec))
        shown += min(group.height, limit - shown)
        console.print(table)
    if n > limit:
        console.print(f"... and {n - limit} more; use --format csv for all.")
    if keep_valid:
        if "coaches" in tables:
            kept = ", ".join(f"{t} {f.height}" for t, f in tables.items())
            console.print(
                f"[yellow]{rows} row{'s' if rows != 1 else ''} set aside[/] (listed above); "
                f"rows kept: {escape(kept)}."
            )
        else:
            console.print("[red]No usable coaches table: nothing can be kept.[/]")
