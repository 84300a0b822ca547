"""The workspace: one typed polars frame per table, and what was set aside.

`load_workspace` (in `load.py`) builds one from files; `Workspace.from_frames` builds one from
frames already in memory (tests, the demo generator, notebooks).

A table loaded from a Parquet file may be held as a scan of that file instead of a frame
(`TableScan`, issue 13: the sessions at 5M are most of the memory): validated when loaded, read
again only where it is used, and refused if the file has changed since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from trc_analytics.errors import TrcError
from trc_analytics.records.schema import Schema, Table, load_schema

#: Columns of a problem report, one row per problem (see `validation.py`).
PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),  # file name relative to the workspace, as the user sees it
    "sheet": pl.String(),  # sheet name in a workbook, else null
    "row": pl.Int64(),  # row number as seen in the file: the header is row 1; null = whole file
    "column": pl.String(),  # column name, null when the problem is about the file or row
    "value": pl.String(),  # the offending value as text
    "problem": pl.String(),  # short kind: type, vocabulary, required, future_date, ...
    "expected": pl.String(),  # what was expected, in plain words
}


def empty_problems() -> pl.DataFrame:
    """A problem report with no rows."""
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


class WorkspaceError(TrcError):
    """The workspace cannot be used as it is; `problems` says where and why."""

    def __init__(self, message: str, problems: pl.DataFrame | None = None) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else empty_problems()


def file_signature(path: Path) -> tuple[int, int]:
    """A file's size and modification time (ns): what tells that it changed since it was read."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@dataclass(frozen=True)
class TableScan:
    """A table held as a scan of the Parquet file it was validated from.

    `signature` is the file's size and modification time before it was read for validation:
    every read checks it first and refuses a file that has changed (its rows were not
    validated). `columns` maps each schema column to the file's column it is read from (None:
    absent from the file, all null); every column is cast to the schema's type, which loading
    has checked gives the validated frame exactly (`scan_matches`).
    """

    path: Path
    file: str
    signature: tuple[int, int]
    columns: tuple[tuple[str, str | None], ...]
    dtypes: tuple[pl.DataType, ...]

    def lazy(self) -> pl.LazyFrame:
        """The table as a lazy frame over its file (only the columns a plan uses are read).

        Raises `WorkspaceError` when the file has changed or gone since it was validated."""
        try:
            now = file_signature(self.path)
        except OSError:
            now = None
        if now != self.signature:
            what = "has been removed or renamed" if now is None else "has changed"
            raise WorkspaceError(
                f"{self.file} {what} since the workspace was loaded and validated; "
                "load the workspace again to use its new records."
            )
        return self.shape(pl.scan_parquet(self.path))

    def shape(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """The file's columns `lf` (the file as scanned, or as read earlier) as the table:
        schema names and order, every column cast to the schema's type."""
        return lf.select(
            (pl.col(src) if src is not None else pl.lit(None)).cast(dtype).alias(name)
            for (name, src), dtype in zip(self.columns, self.dtypes, strict=True)
        )

    def read(self) -> pl.DataFrame:
        """The whole table as a frame (checked as `lazy`)."""
        return self.lazy().collect()


@dataclass
class Workspace:
    """Loaded records: a typed frame per present table, plus where they came from.

    A table in `scans` is held as a scan of its validated file (`TableScan`) until a consumer
    asks for its frame (`ws[name]`, `get`): then it is read once and kept in `tables`. The
    scope reads it through `kept_as` instead, holding only its own form of the rows.
    """

    tables: dict[str, pl.DataFrame]
    schema: Schema = field(default_factory=load_schema)
    path: Path | None = None
    #: table name -> file (and sheet) label the rows came from
    sources: dict[str, str] = field(default_factory=dict)
    #: problems of the rows set aside when loaded with keep_valid=True (empty otherwise)
    set_aside: pl.DataFrame = field(default_factory=empty_problems)
    #: sha-256 over the input files, for the report footer (None for in-memory workspaces)
    digest: str | None = None
    #: tables held as a scan of their validated Parquet file, not yet read whole
    scans: dict[str, TableScan] = field(default_factory=dict)
    #: a scanned table as the scope holds it (`kept_as`), by table name
    _held: dict[str, tuple[Callable[[pl.LazyFrame], pl.LazyFrame], pl.DataFrame]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __contains__(self, name: object) -> bool:
        return name in self.tables or name in self.scans

    def __getitem__(self, name: str) -> pl.DataFrame:
        df = self.get(name)
        if df is None:
            raise KeyError(name)
        return df

    def __iter__(self) -> Iterator[str]:
        """Table names in the order they were loaded (`sources`), scanned tables included."""
        names = [n for n in self.sources if n in self]
        names += [n for n in [*self.tables, *self.scans] if n not in names]
        return iter(names)

    def __getstate__(self) -> dict:
        """Pickled without the scope's held forms (a hand-over rebuilds them from the scan)."""
        return {**self.__dict__, "_held": {}}

    def get(self, name: str) -> pl.DataFrame | None:
        """The table, or None when the workspace has no such table. A scanned table is read
        from its file the first time (and kept): a consumer that needs the whole frame."""
        df = self.tables.get(name)
        if df is None and name in self.scans:
            df = self.tables[name] = self.scans[name].read()
        return df

    def lazy(self, name: str) -> pl.LazyFrame | None:
        """The table as a lazy frame (a scanned table is not read whole), or None."""
        if name in self.scans and name not in self.tables:
            return self.scans[name].lazy()
        df = self.tables.get(name)
        return None if df is None else df.lazy()

    def height(self, name: str) -> int:
        """How many rows the table has, without reading a scanned table whole (a Parquet file
        says so in its footer): `trc validate` counts every table."""
        lf = self.lazy(name)
        return 0 if lf is None else int(lf.select(pl.len()).collect().item())

    def kept_as(
        self, name: str, shape: Callable[[pl.LazyFrame], pl.LazyFrame]
    ) -> pl.DataFrame | None:
        """A scanned table read once through `shape` and kept in that form (the scope codes
        its ids: the text is never held whole). None when the table is not held as a scan or
        has been read whole already (then the frame is the one to use)."""
        if name not in self.scans or name in self.tables:
            return None
        hit = self._held.get(name)
        if hit is None or hit[0] is not shape:
            hit = self._held[name] = (shape, shape(self.scans[name].lazy()).collect())
        return hit[1]

    def is_kept(self, name: str, shape: Callable[[pl.LazyFrame], pl.LazyFrame]) -> bool:
        """The scanned table has been read through `shape` already (`kept_as` costs nothing)."""
        hit = self._held.get(name)
        return name not in self.tables and hit is not None and hit[0] is shape

    @property
    def present(self) -> list[str]:
        """Names of the tables this workspace has, in schema order."""
        return [n for n in self.schema.names if n in self]

    @property
    def missing(self) -> list[str]:
        """Names of schema tables this workspace does not have."""
        return [n for n in self.schema.names if n not in self]

    @property
    def rows_set_aside(self) -> int:
        """How many distinct rows were set aside (keep_valid mode)."""
        if self.set_aside.is_empty():
            return 0
        return (
            self.set_aside.filter(pl.col("row").is_not_null())
            .select(pl.struct("file", "sheet", "row").n_unique())
            .item()
        )

    @classmethod
    def from_frames(
        cls, frames: Mapping[str, pl.DataFrame | dict], schema: Schema | None = None
    ) -> Workspace:
        """Build a workspace from in-memory frames (or dicts of columns), typed by the schema.

        Optional columns that are absent are added as nulls; unknown columns raise, as they do
        when loading files. No validation of values is done here.
        """
        schema = schema or load_schema()
        tables: dict[str, pl.DataFrame] = {}
        for name, data in frames.items():
            table = schema[name]
            df = data if isinstance(data, pl.DataFrame) else pl.DataFrame(data)
            unknown = [c for c in df.columns if c not in table.columns]
            if unknown:
                raise WorkspaceError(f"{name}: unknown column(s) {', '.join(unknown)}")
            try:
                tables[name] = df.select(
                    [
                        (pl.col(f.name) if f.name in df.columns else pl.lit(None))
                        .cast(f.dtype)
                        .alias(f.name)
                        for f in table.fields
                    ]
                )
            except pl.exceptions.InvalidOperationError as exc:
                raise WorkspaceError(_outside_vocabulary(name, table, df) or str(exc)) from exc
        return cls(tables=tables, schema=schema)


def _outside_vocabulary(name: str, table: Table, df: pl.DataFrame) -> str:
    """Which vocabulary columns of an in-memory frame hold values outside their vocabulary."""
    parts = []
    for f in table.fields:
        if f.enum is None or f.name not in df.columns:
            continue
        values = df.get_column(f.name).cast(pl.String).drop_nulls().unique().sort()
        unknown = values.filter(~values.is_in(list(f.enum))).to_list()
        if unknown:
            parts.append(f"{name}.{f.name}: not in the vocabulary: {', '.join(unknown[:5])}")
    return "; ".join(parts)
