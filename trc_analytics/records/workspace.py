"""The in-memory workspace: one typed polars frame per table, and what was set aside.

`load_workspace` (in `loading.py`) builds one from files; `Workspace.from_frames` builds one from
frames already in memory (tests, the demo generator, notebooks).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


@dataclass
class Workspace:
    """Loaded records: a typed frame per present table, plus where they came from."""

    tables: dict[str, pl.DataFrame]
    schema: Schema = field(default_factory=load_schema)
    path: Path | None = None
    #: table name -> file (and sheet) label the rows came from
    sources: dict[str, str] = field(default_factory=dict)
    #: problems of the rows set aside when loaded with keep_valid=True (empty otherwise)
    set_aside: pl.DataFrame = field(default_factory=empty_problems)
    #: sha-256 over the input files, for the report footer (None for in-memory workspaces)
    digest: str | None = None

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def get(self, name: str) -> pl.DataFrame | None:
        """The table, or None when the workspace has no such table."""
        return self.tables.get(name)

    @property
    def present(self) -> list[str]:
        """Names of the tables this workspace has, in schema order."""
        return [n for n in self.schema.names if n in self.tables]

    @property
    def missing(self) -> list[str]:
        """Names of schema tables this workspace does not have."""
        return [n for n in self.schema.names if n not in self.tables]

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
