"""Loading a workspace: read its files, validate them, and return typed frames or refuse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from trc_analytics.records.read import read_workspace_files
from trc_analytics.records.validate import check_workspace
from trc_analytics.records.workspace import Workspace, WorkspaceError


def load_workspace(
    path: str | Path, *, keep_valid: bool = False, today: dt.date | None = None
) -> Workspace:
    """Load the workspace at `path` into typed frames, refusing it when anything is invalid.

    With `keep_valid=True` the rows with problems (and rows referring to them) are set aside and
    the rest returned; `Workspace.set_aside` lists what was set aside and why.
    Raises `WorkspaceError` (with `.problems`) when the workspace is invalid, or, with
    `keep_valid`, when it has no usable coaches table.
    """
    raw = read_workspace_files(path, keep_types=True, csv_in_parts=True)
    digest = raw.digest
    checked = check_workspace(raw, today=today, keep_valid=keep_valid)
    problems = checked.problems
    if problems.height and not keep_valid:
        raise WorkspaceError(_summary(raw.path, problems), problems)
    if "coaches" not in checked.tables:
        raise WorkspaceError(_summary(raw.path, problems), problems)
    return Workspace(
        tables=checked.tables,
        schema=raw.schema,
        path=raw.path,
        sources={t: raw.tables[t].source for t in checked.tables},
        set_aside=problems,
        digest=digest,
    )


def _summary(path: Path, problems: pl.DataFrame) -> str:
    """One sentence saying how many problems and where the first one is."""
    first = problems.row(0, named=True)
    where = first["file"] + (f" sheet {first['sheet']}" if first["sheet"] else "")
    if first["row"] is not None:
        where += f" row {first['row']}"
    if first["column"]:
        where += f" column {first['column']}"
    n = problems.height
    return (
        f"{n} problem{'s' if n != 1 else ''} in the workspace {path}; first: {where}: "
        f"{first['problem']} (expected {first['expected']}). Run `trc validate {path}` for all."
    )
