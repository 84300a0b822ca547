"""Shared fixtures: a small synthetic demo workspace (the demo generator, at test size).

12 coaches over the 12 months ending 2026-06-30: still a C-0001 with sessions in the showcase
period 2026-01..06, a supervisor with several supervisees, the tiny `islands` region, and a
planted case of every ethics check. Session-scoped: generated once per test run (and per
xdist worker), well under a second.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from trc_analytics.demo import Demo, DemoConfig, build_demo
from trc_analytics.demo.writing import write_frames
from trc_analytics.records.workspace import Workspace

#: The size every shared demo fixture has.
SMALL_DEMO = DemoConfig(coaches=12, months=12, start=dt.date(2025, 7, 1), seed=7)


@pytest.fixture(scope="session")
def demo() -> Demo:
    """The small demo: its frames and the manifest of planted cases (`Demo.planted`)."""
    return build_demo(SMALL_DEMO)


@pytest.fixture(scope="session")
def demo_frames(demo: Demo) -> dict[str, pl.DataFrame]:
    """The small demo's 17 tables by name (typed, schema column order)."""
    return demo.frames


@pytest.fixture(scope="session")
def demo_dir(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo written as a CSV workspace folder (treat it as read-only)."""
    folder = tmp_path_factory.mktemp("demo") / "workspace"
    write_frames(demo.frames, folder, format="csv")
    return folder


@pytest.fixture(scope="session")
def demo_workspace(demo_dir: Path) -> Workspace:
    """The small demo loaded from its CSV files, as a user's workspace would be.

    `today` is the demo's last day, so the fixture does not depend on the machine's clock.
    """
    from trc_analytics.records.load import load_workspace

    return load_workspace(demo_dir, today=SMALL_DEMO.end)
