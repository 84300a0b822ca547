"""Helpers that write small workspaces to disk for the loading and validation tests.

They start from the schema-generated example rows (a valid workspace) so a test only states
the one thing it breaks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from trc_analytics.records.templates import csv_bytes, example_frames

TODAY = dt.date(2026, 11, 30)


def valid_workspace(folder: Path, tables: list[str] | None = None) -> Path:
    """Write the example rows of `tables` (default: all) as CSV files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in example_frames().items():
        if tables is None or name in tables:
            (folder / f"{name}.csv").write_bytes(csv_bytes(frame))
    return folder


def csv_lines(folder: Path, table: str) -> list[str]:
    """The lines of a table's CSV file (header first)."""
    return (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()


def write_lines(folder: Path, table: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """Write `lines` as the table's CSV file."""
    path = folder / f"{table}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def set_cell(folder: Path, table: str, row: int, column: str, value: str) -> None:
    """Change one cell of a CSV file; `row` as the user sees it (header = row 1)."""
    lines = csv_lines(folder, table)
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    write_lines(folder, table, lines)


def only(problems: pl.DataFrame, **where: object) -> dict:
    """The single problem matching `where` (fails the test when there is not exactly one)."""
    hits = problems.filter(*(pl.col(k).eq_missing(pl.lit(v)) for k, v in where.items()))
    assert hits.height == 1, f"expected one problem with {where}, got:\n{problems}"
    return hits.row(0, named=True)
