"""Synthetic demo workspace: realistic, anonymized practice records at any scale.

    from trc_analytics.demo import generate_demo, write_demo, PLANTED_CHECKS
    frames = generate_demo(coaches=40, months=24, seed=7)   # {table: polars.DataFrame}
    demo = write_demo("demo_workspace", format="csv")       # files, frames and planted cases

All 19 tables of the schema, every column present (nulls where optional), in schema order and
dtypes. No names, contact details or free text: ids only (`C-0001`, `CL-000001`, `E-000001`,
`G-0001`, `S-00000001`, ...). Every ethics check of SPEC section 4 has planted cases
(`PLANTED_CHECKS`); `Demo.planted` lists each case. Same parameters, same bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import polars as pl

from trc_analytics.demo.config import (
    DEFAULT_COACHES,
    DEFAULT_FINDING_RATE,
    DEFAULT_MONTHS,
    DEFAULT_SEED,
    DEFAULT_START,
    SHOWCASE_COACH,
    SHOWCASE_PERIOD,
    DemoConfig,
    DemoError,
)
from trc_analytics.demo.generate import Demo, build_demo
from trc_analytics.demo.plants import PLANTED_CHECKS, SHOWCASE_CHECKS
from trc_analytics.demo.writing import (
    FORMATS,
    WORKBOOK_NAME,
    clear_demo_files,
    demo_file_names,
    write_frames,
)

__all__ = [
    "DEFAULT_START",
    "FORMATS",
    "PLANTED_CHECKS",
    "SHOWCASE_CHECKS",
    "SHOWCASE_COACH",
    "SHOWCASE_PERIOD",
    "WORKBOOK_NAME",
    "Demo",
    "DemoConfig",
    "DemoError",
    "build_demo",
    "generate_demo",
    "make_demo",
    "write_demo",
]


def make_demo(
    coaches: int = DEFAULT_COACHES,
    months: int = DEFAULT_MONTHS,
    start: dt.date | str = DEFAULT_START,
    seed: int = DEFAULT_SEED,
    finding_rate: float = DEFAULT_FINDING_RATE,
    *,
    today: dt.date | None = None,
) -> Demo:
    """Generate a demo: its tables and the planted cases (refuses records dated after today)."""
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            raise DemoError(f"--start: {start!r} is not a date as YYYY-MM-DD") from None
    cfg = DemoConfig(
        coaches=coaches, months=months, start=start, seed=seed, finding_rate=finding_rate
    )
    cfg.refuse_future(today)
    return build_demo(cfg)


def generate_demo(
    coaches: int = DEFAULT_COACHES,
    months: int = DEFAULT_MONTHS,
    start: dt.date | str = DEFAULT_START,
    seed: int = DEFAULT_SEED,
    finding_rate: float = DEFAULT_FINDING_RATE,
    *,
    today: dt.date | None = None,
) -> dict[str, pl.DataFrame]:
    """The 19 tables of a demo workspace, by name, in schema order."""
    return make_demo(coaches, months, start, seed, finding_rate, today=today).frames


def write_demo(
    path: str | Path,
    *,
    format: str = "csv",
    coaches: int = DEFAULT_COACHES,
    months: int = DEFAULT_MONTHS,
    start: dt.date | str = DEFAULT_START,
    seed: int = DEFAULT_SEED,
    finding_rate: float = DEFAULT_FINDING_RATE,
    force: bool = False,
    today: dt.date | None = None,
) -> Demo:
    """Generate a demo and write it into folder `path` (owner-only files).

    Refuses (DemoError) a folder that already holds table files, so a real workspace is never
    overwritten by accident; `force=True` replaces them (table files of every format are removed
    first, so the folder never holds two files for one table).
    """
    if format not in FORMATS:
        raise DemoError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise DemoError(f"{folder} exists and is not a folder")
    demo = make_demo(coaches, months, start, seed, finding_rate, today=today)
    names = list(demo.frames)
    existing = [n for f in FORMATS for n in demo_file_names(f, names) if (folder / n).exists()]
    if existing and not force:
        shown = ", ".join(existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise DemoError(
            f"{folder} already holds table files ({shown}); it may be a real workspace. "
            "Choose another folder, or pass --force to replace them."
        )
    if existing:
        clear_demo_files(folder, names)
    files = write_frames(demo.frames, folder, format=format)
    return replace(demo, files=tuple(files))
