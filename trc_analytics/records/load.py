"""Loading a workspace: read its files, validate them, and return typed frames or refuse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from trc_analytics.records.read import RawWorkspace, read_workspace_files
from trc_analytics.records.schema import Table
from trc_analytics.records.validate import check_workspace
from trc_analytics.records.workspace import TableScan, Workspace, WorkspaceError, file_signature

#: Tables held as a scan of their validated Parquet file rather than in memory (`TableScan`):
#: the sessions are most of a workspace (545 of 791 MiB at 5M sessions).
SCANNED = ("sessions",)


def load_workspace(
    path: str | Path, *, keep_valid: bool = False, today: dt.date | None = None
) -> Workspace:
    """Load the workspace at `path` into typed frames, refusing it when anything is invalid.

    With `keep_valid=True` the rows with problems (and rows referring to them) are set aside and
    the rest returned; `Workspace.set_aside` lists what was set aside and why.
    Raises `WorkspaceError` (with `.problems`) when the workspace is invalid, or, with
    `keep_valid`, when it has no usable coaches table.
    """
    before = _signatures(Path(path))
    raw = read_workspace_files(path, keep_types=True, csv_in_parts=True)
    digest = raw.digest
    checked = check_workspace(raw, today=today, keep_valid=keep_valid)
    problems = checked.problems
    if problems.height and not keep_valid:
        raise WorkspaceError(_summary(raw.path, problems), problems)
    if "coaches" not in checked.tables:
        raise WorkspaceError(_summary(raw.path, problems), problems)
    tables = dict(checked.tables)
    scans = {}
    for name in SCANNED if not problems.height else ():
        scan = _scan_of(raw, name, tables.get(name), before)
        if scan is not None:
            scans[name] = scan
            del tables[name]
    return Workspace(
        tables=tables,
        schema=raw.schema,
        path=raw.path,
        sources={t: raw.tables[t].source for t in checked.tables},
        set_aside=problems,
        digest=digest,
        scans=scans,
    )


def _signatures(path: Path) -> dict[Path, tuple[int, int]]:
    """Size and modification time of each Parquet file of the workspace, taken before it is
    read: a file that changes while it is validated, or after, is then never scanned."""
    found = {}
    for p in path.iterdir() if path.is_dir() else [path]:
        if p.suffix.lower() == ".parquet" and p.is_file():
            found[p] = file_signature(p)
    return found


def _scan_of(
    raw: RawWorkspace,
    name: str,
    frame: pl.DataFrame | None,
    before: dict[Path, tuple[int, int]],
) -> TableScan | None:
    """A scan of the Parquet file table `name` was validated from, when reading it gives the
    validated frame exactly (checked column by column on the columns loading read, which are the
    file's: it has not changed since it was first looked at); else None (the frame is kept)."""
    rt = raw.tables.get(name)
    if frame is None or rt is None or rt.sheet is not None:
        return None
    path = raw.path / rt.file if raw.path.is_dir() else raw.path
    signature = before.get(path)
    if path.suffix.lower() != ".parquet" or signature is None:
        return None
    scan = table_scan(raw.schema[name], path, signature)
    if scan is None or not scan_matches(scan, frame, rt.raw.source):
        return None
    try:
        return scan if file_signature(path) == signature else None
    except OSError:
        return None


def table_scan(
    table: Table, path: Path, signature: tuple[int, int] | None = None
) -> TableScan | None:
    """The scan of the Parquet file `path` as table `table` (`signature`: the file's size and
    time when it was read, now by default), when the file names every column as the schema
    does (a header spelled otherwise is read the validated way only). Nothing is validated
    here: `load_workspace` keeps a scan only after validating the file and `scan_matches`."""
    try:
        names = set(pl.read_parquet_schema(path))
    except Exception:  # polars raises several kinds for corrupt files
        return None
    if not names <= set(table.columns):
        return None
    columns = tuple((f.name, f.name if f.name in names else None) for f in table.fields)
    dtypes = tuple(f.dtype for f in table.fields)
    return TableScan(path, path.name, signature or file_signature(path), columns, dtypes)


def scan_matches(scan: TableScan, frame: pl.DataFrame, source: pl.DataFrame | None = None) -> bool:
    """Reading `scan` gives `frame` exactly: same columns, types, values and order. `source`:
    the file's columns as loading read them (the file has not changed since, as its signature
    says), shaped in memory instead of reading the file a second time."""
    lf = scan.lazy() if source is None else scan.shape(source.lazy())
    if lf.collect_schema() != frame.schema:
        return False
    for column in frame.columns:
        got = lf.select(column).collect().to_series()
        if not got.equals(frame.get_column(column), check_dtypes=True, null_equal=True):
            return False
    return True


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
