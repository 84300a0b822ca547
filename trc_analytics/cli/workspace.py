"""The one way `trc report|findings|metrics|validate` load a workspace, or stop on invalid data.

The convention (README "Exit codes and streams"): stdout carries what the command produces;
when the workspace is invalid that is the problem list, in the `--format` asked for (a table
for `trc report`), and stderr carries one human message ("error: ..." and what to do), then
the command exits 1. Notes for people (rows set aside, progress) go to stderr too, so stdout
stays machine-readable. Usage errors are click's: message on stderr, exit 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    import datetime as dt

    import polars as pl
    from rich.console import Console

    from trc_analytics.records.workspace import Workspace, WorkspaceError

#: Problems printed in the table format before "... and N more" (json and csv print all).
DEFAULT_LIMIT = 100


def load_or_exit(
    folder: Path,
    *,
    keep_valid: bool,
    fmt: str = "table",
    stopped: str,
    today: dt.date | None = None,
    limit: int = DEFAULT_LIMIT,
    note_set_aside: bool = True,
) -> Workspace:
    """The validated workspace, or the problem list on stdout, `stopped` on stderr and exit 1.

    `stopped` says what did not happen ("No report was written."). With `keep_valid`, stderr
    says how many rows were set aside (unless `note_set_aside` is False: `trc validate`
    lists them on stdout).
    """
    from trc_analytics.records.load import load_workspace

    with exits_on_invalid(folder, keep_valid=keep_valid, fmt=fmt, stopped=stopped, limit=limit):
        ws = load_workspace(folder, keep_valid=keep_valid, today=today)
    if ws.rows_set_aside and note_set_aside:
        n = ws.rows_set_aside
        click.echo(
            f"{n} row{'s' if n != 1 else ''} with problems set aside; "
            f"run `trc validate {folder}` to see them.",
            err=True,
        )
    return ws


@contextmanager
def exits_on_invalid(
    folder: Path, *, keep_valid: bool, fmt: str = "table", stopped: str, limit: int = DEFAULT_LIMIT
) -> Iterator[None]:
    """Run the block; a `WorkspaceError` it raises becomes `exit_invalid` (for `trc report`,
    whose renderer loads the workspace while the kernel starts)."""
    from trc_analytics.records.workspace import WorkspaceError

    try:
        yield
    except WorkspaceError as exc:
        exit_invalid(folder, exc, fmt=fmt, keep_valid=keep_valid, stopped=stopped, limit=limit)


def exit_invalid(
    folder: Path,
    exc: WorkspaceError,
    *,
    fmt: str,
    keep_valid: bool,
    stopped: str,
    limit: int = DEFAULT_LIMIT,
) -> NoReturn:
    """Print the problems of an invalid workspace (stdout) and why nothing was done (stderr).
    An error without problems (a file changed since it was validated) is its one sentence."""
    if exc.problems.is_empty():
        click.echo(f"error: {exc}\n{stopped}", err=True)
        raise SystemExit(1)
    print_validation(folder, {}, exc.problems, fmt=fmt, keep_valid=keep_valid, limit=limit)
    fix = (
        "Fix the rows listed: even with --keep-valid no usable coaches table is left."
        if keep_valid
        else "Fix the rows listed, or add --keep-valid to use the valid rows only."
    )
    click.echo(f"error: {exc}\n{stopped} {fix}", err=True)
    raise SystemExit(1)


def print_validation(
    folder: Path,
    rows: dict[str, int],
    problems: pl.DataFrame,
    *,
    fmt: str,
    keep_valid: bool,
    limit: int = DEFAULT_LIMIT,
) -> None:
    """The validation report on stdout: a table for people, every problem in csv or json.
    `rows`: each table's row count, in load order."""
    if fmt == "json":
        payload = {
            "workspace": str(folder),
            "valid": problems.is_empty(),
            "problem_count": problems.height,
            "tables": dict(rows),
            "problems": problems.to_dicts(),
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    elif fmt == "csv":
        from trc_analytics.exports import safe_csv

        click.echo(safe_csv(problems), nl=False)
    else:
        print_problems(folder, rows, problems, keep_valid=keep_valid, limit=limit)


def print_problems(
    folder: Path,
    rows: dict[str, int],
    problems: pl.DataFrame,
    *,
    keep_valid: bool,
    limit: int,
) -> None:
    """Print a summary per file (counts per problem kind), then up to `limit` problems."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, soft_wrap=False)
    if problems.is_empty():
        counts = ", ".join(f"{n} ({count} rows)" for n, count in rows.items())
        console.print(f"[green]Valid:[/] {escape(str(folder))}: {escape(counts)}")
        return
    n, affected = problems.height, _rows_affected(problems)
    console.print(
        f"[bold red]{n} problem{'s' if n != 1 else ''}[/] in {escape(str(folder))} "
        f"({affected} row{'s' if affected != 1 else ''} affected)"
    )
    _print_by_file(console, problems, limit)
    if n > limit:
        console.print(f"... and {n - limit} more; use --format csv for all.")
    if not keep_valid:
        return
    if "coaches" in rows:
        kept = ", ".join(f"{t} {count}" for t, count in rows.items())
        console.print(
            f"[yellow]{affected} row{'s' if affected != 1 else ''} set aside[/] (listed above); "
            f"rows kept: {escape(kept)}."
        )
    else:
        console.print("[red]No usable coaches table: nothing can be kept.[/]")


def _rows_affected(problems: pl.DataFrame) -> int:
    """Distinct (file, sheet, row) among the problems about a row."""
    import polars as pl

    about_rows = problems.filter(pl.col("row").is_not_null())
    return int(about_rows.select(pl.struct("file", "sheet", "row").n_unique()).item())


def _print_by_file(console: Console, problems: pl.DataFrame, limit: int) -> None:
    """One heading per file (or workbook sheet) with its counts, then its first problems."""
    import polars as pl
    from rich.markup import escape
    from rich.table import Table

    where = (
        pl.when(pl.col("sheet").is_not_null())
        .then(pl.col("file") + " / " + pl.col("sheet"))
        .otherwise(pl.col("file"))
    )
    shown = 0
    columns = ("row", "column", "value", "problem", "expected")
    for (place,), group in problems.with_columns(where.alias("where")).group_by(
        "where", maintain_order=True
    ):
        kinds = group.group_by("problem", maintain_order=True).len().iter_rows()
        counts = ", ".join(f"{c} {k}" for k, c in kinds)
        console.print(f"\n[bold]{escape(str(place))}[/]: {group.height} ({escape(counts)})")
        if shown >= limit:
            continue
        table = Table(header_style="bold", box=None, pad_edge=False)
        for name in columns:
            table.add_column(name, overflow="fold")
        for rec in group.head(limit - shown).select(columns).iter_rows():
            table.add_row(*(escape("" if v is None else str(v)) for v in rec))
        shown += min(group.height, limit - shown)
        console.print(table)
