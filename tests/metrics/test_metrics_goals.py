"""Goal metrics on the hand-built workspace of `metrics_world` (figures worked out by hand)."""

from __future__ import annotations

import polars as pl
import pytest
from metrics_world import PERIOD, rows, world

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import goals


def test_goals_set_closed_and_open_at_the_period_end():
    # C-1: G-2 and G-3 set in the period; G-1 (set before) achieved in it; G-3 revised only
    # after it, so still open at the end with G-2. C-3: G-4 released on the last day, G-5
    # achieved, both with K-5.
    assert rows(goals.goal_progress(world(), PERIOD)) == [
        ("C-1", 2, 1, 0, 0, 2, 1),
        ("C-2", 0, 0, 0, 0, 0, 0),
        ("C-3", 2, 1, 0, 1, 0, 1),
        ("C-4", 0, 0, 0, 0, 0, 0),
    ]


def test_clients_achieving_counts_each_client_once():
    # G-6: a second goal K-5 achieved with C-3 in the period
    goals_table = world()["goals"]
    extra = goals_table.filter(goal_id="G-5").with_columns(goal_id=pl.lit("G-6"))
    ws = world(goals=goals_table.vstack(extra))
    got = goals.goal_progress(ws, PERIOD, coaches="C-3").row(0, named=True)
    assert (got["achieved"], got["clients_achieving"]) == (2, 1)


def test_goal_progress_needs_the_goals_table():
    with pytest.raises(MissingTables, match=r"^no goals records$"):
        goals.goal_progress(world(goals=None), PERIOD)
