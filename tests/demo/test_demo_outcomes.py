"""The demo `make demo` writes holds renewals of every status, scored goals, measures and
engagements with no goal recorded yet (issue 12), and the showcase portfolio shows three of
the statuses."""

from __future__ import annotations

import polars as pl
import pytest

from trc_analytics.demo import DemoConfig, build_demo
from trc_analytics.metrics import goals, renewal
from trc_analytics.period import Period
from trc_analytics.records.workspace import Workspace

SHOWCASE = Period.parse("2026-01-01", "2026-06-30")


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return Workspace.from_frames(build_demo(DemoConfig()).frames)


def test_renewals_of_every_status(ws):
    got = renewal.renewal_readiness(ws, SHOWCASE)
    assert set(got["status"]) == {"ready", "in_progress", "at_risk", "lapsed"}
    # the Makefile prints the renewal of C-0037 (lapsed); C-0035's portfolio shows the others
    assert set(got.filter(pl.col("coach_id") == "C-0037")["status"]) == {"lapsed"}
    portfolio = ws["coaches"].filter(pl.col("supervisor_id") == "C-0035")["coach_id"]
    shown = got.filter(pl.col("coach_id").is_in(portfolio.implode()))["status"]
    assert set(shown) == {"ready", "in_progress", "at_risk"}


def test_scored_goals_measures_and_engagements_without_a_goal(ws):
    levels = goals.attainment_levels(ws, SHOWCASE, by="region")
    assert levels["scored"].sum() > 100
    assert all(levels[name].sum() > 0 for name in goals.LEVELS.values())
    assert goals.goals_not_recorded(ws, SHOWCASE).height > 0
    measured = goals.measure_change(ws, SHOWCASE)
    assert set(measured["instrument"]) == {"demo_wellbeing_scale", "demo_distress_scale"}
    assert measured.filter(pl.col("coach_id") == "C-0001").height > 0


def test_the_outcomes_leave_every_other_table_as_it_was():
    """Goal levels and measures are drawn from their own generator: the sessions (and every
    table but goals and measures) do not depend on them."""
    from trc_analytics.demo import outcomes

    cfg = DemoConfig(coaches=8, months=6)
    first = build_demo(cfg).frames
    salted = outcomes.SALT
    try:
        outcomes.SALT = salted + 1
        second = build_demo(cfg).frames
    finally:
        outcomes.SALT = salted
    for name in first:
        if name not in ("goals", "measures"):
            assert first[name].equals(second[name]), name
    assert not first["measures"].equals(second["measures"])
