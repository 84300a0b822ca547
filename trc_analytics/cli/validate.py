"""`trc validate DIR`: check a workspace and print every problem (table, JSON or CSV)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from trc_analytics.cli.options import DATE, format_option, workspace_argument
from trc_analytics.cli.workspace import DEFAULT_LIMIT, load_or_exit, print_validation


@click.command("validate")
@workspace_argument
@format_option
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
    type=DATE,
    default=None,
    help="Date that counts as today for future-date checks (default: today).",
)
def validate(folder: Path, fmt: str, keep_valid: bool, limit: int, today: dt.date | None) -> None:
    """Check the workspace FOLDER (or a single workbook) against the record schema.

    Every problem is reported with file, sheet, row (the header is row 1), column, value and
    what was expected, on stdout in the --format asked for. Exit status: 0 valid (or usable
    with --keep-valid), 1 problems found (stderr says so), 2 usage error.
    """
    ws = load_or_exit(
        folder,
        keep_valid=keep_valid,
        fmt=fmt,
        stopped="The workspace cannot be used as it is.",
        today=today,
        limit=limit,
        note_set_aside=False,
    )
    rows = {name: ws.height(name) for name in ws}  # a scanned table counted, not read whole
    print_validation(folder, rows, ws.set_aside, fmt=fmt, keep_valid=keep_valid, limit=limit)
