"""Problem reports: the kinds of problem validation knows, and helpers to build and order them.

A problem report is a polars frame with `workspace.PROBLEM_SCHEMA` columns, one row per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from trc_analytics.records.workspace import PROBLEM_SCHEMA, empty_problems

#: Every value the `problem` column takes, with what it means (printed in the docs).
KINDS: dict[str, str] = {
    "missing_file": "a required table (coaches), or a table another table refers to, is absent",
    "unknown_table_file": "a file or sheet whose name is not one of the tables",
    "duplicate_table_file": "a second file or sheet for a table that was already read",
    "empty_file": "a file or sheet with nothing in it, not even a header",
    "unreadable_encoding": (
        "text that is neither UTF-8 (with or without BOM) nor Windows-1252, or mixes the two"
    ),
    "lone_cr_line_ends": (
        "a CSV file whose lines end with carriage returns only (the old Mac format), which "
        "reads as one line: save it again with Unix or Windows line endings"
    ),
    "unreadable_file": "a file that cannot be parsed at all (corrupt workbook or Parquet file)",
    "workbook_limit": "a workbook beyond the size limits checked before reading it (a zip bomb)",
    "malformed_row": (
        "a CSV row with more fields than the header, or a quote left open (named at the row "
        "where it opens; after 20 such rows the rest are counted in one problem)"
    ),
    "control_character": "a cell holding a NUL byte, a line break, a tab or another control "
    "character",
    "unknown_column": "a column the table does not have (for example a pasted client_name)",
    "duplicate_column": "the same column name twice in a header",
    "missing_column": "a required column is absent from the header",
    "required": "a required value is empty (or only spaces)",
    "only_spaces": (
        "an optional text value of only spaces or no-break spaces: it would load as a "
        "value, so leave the cell empty or write one"
    ),
    "type": "a value that is not of the column's type (number, date, true/false)",
    "vocabulary": "a value that is not in the column's vocabulary",
    "impossible_date": "a date written as YYYY-MM-DD that does not exist (2026-02-30)",
    "future_date": "a date after today in a column that records something that happened",
    "minimum": "a negative duration, fee, hours or count (or a value below its column's least)",
    "maximum": "a value above its column's greatest (a goal level above +2)",
    "order": "an end date before its start date (or prior paid hours above prior hours)",
    "duplicate_key": "a second row with the same primary key",
    "unknown_reference": "an id that names no row of the table it refers to",
    "identifier": "a value that looks like a personal identifier (e-mail, phone, address, ...)",
}

#: Private column used while checking: the column's position in the file, for ordering.
COLUMN_ORDER = "__column_order"


def problem(
    file: str,
    kind: str,
    expected: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: Any = None,
) -> dict[str, Any]:
    """One problem as a dict of `PROBLEM_SCHEMA` columns (for file- and header-level problems)."""
    if kind not in KINDS:
        raise ValueError(f"unknown problem kind {kind!r}")
    return {
        "file": file,
        "sheet": sheet,
        "row": row,
        "column": column,
        "value": None if value is None else str(value),
        "problem": kind,
        "expected": expected,
    }


def problems_frame(rows: Iterable[Mapping[str, Any]]) -> pl.DataFrame:
    """A problem report from dicts made by `problem` (a `COLUMN_ORDER` key is kept, for
    ordering, when given)."""
    rows = [{COLUMN_ORDER: None, **r} for r in rows]
    if not rows:
        return empty_problems()
    return pl.DataFrame(rows, schema={**PROBLEM_SCHEMA, COLUMN_ORDER: pl.Int64()})


def concat_problems(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """All problems of `frames` in one report (extra private columns are kept if all have them)."""
    frames = [f for f in frames if f.height]
    if not frames:
        return empty_problems()
    return pl.concat(frames, how="diagonal_relaxed")


def order_problems(problems: pl.DataFrame) -> pl.DataFrame:
    """Problems ordered by file, sheet, row (file-level first) and column position; private
    helper columns dropped."""
    if COLUMN_ORDER not in problems.columns:
        problems = problems.with_columns(pl.lit(None, pl.Int64).alias(COLUMN_ORDER))
    return (
        problems.sort(
            ["file", "sheet", "row", COLUMN_ORDER, "column", "problem"],
            nulls_last=[False, False, False, False, False, False],
            maintain_order=True,
        )
        .select(list(PROBLEM_SCHEMA))
        .cast(PROBLEM_SCHEMA)
    )
