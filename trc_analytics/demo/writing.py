"""Write a demo workspace to a folder: one CSV or Parquet file per table, or one workbook.

Files are owner-only (`outputs.write_private`) and byte-for-byte reproducible: the same frames
give the same bytes (the workbook carries fixed document properties).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from trc_analytics.demo.config import DemoError
from trc_analytics.exports import XLSX_OPTIONS
from trc_analytics.outputs import plain_dir, write_private

FORMATS = ("csv", "parquet", "xlsx")
#: Name of the single workbook written with `format="xlsx"` (a sheet per table).
WORKBOOK_NAME = "workspace.xlsx"
#: Rows per sheet Excel can hold below its header row.
EXCEL_MAX_ROWS = 1_048_575
#: Fixed creation time written into workbooks so the bytes do not depend on the clock.
WORKBOOK_CREATED = dt.datetime(2024, 11, 1, 0, 0, 0)


def demo_file_names(format: str, tables: list[str]) -> list[str]:
    """The file names a demo of this format writes."""
    if format == "xlsx":
        return [WORKBOOK_NAME]
    return [f"{name}.{format}" for name in tables]


def _csv_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()  # bytes straight away: no text copy of a large table
    df.write_csv(buf, date_format="%Y-%m-%d", null_value="")
    return buf.getvalue()


def _parquet_bytes(df: pl.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.write_parquet(buf, compression="zstd", statistics=True)
    return buf.getvalue()


def _workbook_bytes(frames: Mapping[str, pl.DataFrame]) -> bytes:
    import xlsxwriter

    too_big = {name: df.height for name, df in frames.items() if df.height > EXCEL_MAX_ROWS}
    if too_big:
        listed = ", ".join(f"{name} ({rows:,} rows)" for name, rows in too_big.items())
        raise DemoError(
            f"too many rows for one Excel sheet: {listed}; Excel holds {EXCEL_MAX_ROWS:,}. "
            "Use --format parquet or csv, or fewer --coaches or --months."
        )
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, **XLSX_OPTIONS})  # text stays text
    wb.set_properties({"title": "trc-analytics demo workspace", "created": WORKBOOK_CREATED})
    for name, df in frames.items():
        df.write_excel(
            wb,
            worksheet=name,
            dtype_formats={pl.Date: "yyyy-mm-dd"},
            autofit=False,
            include_header=True,
            table_style=None,
        )
    wb.close()
    return buf.getvalue()


def write_frames(
    frames: Mapping[str, pl.DataFrame], path: str | Path, *, format: str = "csv"
) -> list[Path]:
    """Write the tables into folder `path` (created owner-only); return the files written."""
    if format not in FORMATS:
        raise DemoError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    folder = plain_dir(path)  # synthetic data: an existing folder is used as it is
    if format == "xlsx":
        return [write_private(folder / WORKBOOK_NAME, _workbook_bytes(frames))]
    encode = _csv_bytes if format == "csv" else _parquet_bytes
    return [write_private(folder / f"{name}.{format}", encode(df)) for name, df in frames.items()]


def clear_demo_files(path: str | Path, tables: list[str]) -> list[Path]:
    """Remove table files a previous demo may have left in `path` (any format); return them."""
    folder = Path(path)
    removed = []
    for format in FORMATS:
        for name in demo_file_names(format, tables):
            target = folder / name
            if target.is_file():
                target.unlink()
                removed.append(target)
    return removed
