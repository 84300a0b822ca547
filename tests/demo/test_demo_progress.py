"""The demo holds coaches at several stages of credential progress (issue 12): below ACC,
ACC met, PCC met and (with hours brought forward from an earlier log) MCC met, counted from
`coach_training_started_on` as of the end of the planted period."""

from __future__ import annotations

import datetime as dt

import polars as pl
from conftest import SMALL_DEMO

from trc_analytics.demo import make_demo
from trc_analytics.demo.credential_stages import (
    EARLIER_LOG,
    PRIOR_CLIENTS,
    PRIOR_HOURS,
    RECENT_HOURS,
    RECENT_TRAINING,
)
from trc_analytics.metrics.credential_progress import credential_progress, level_estimates
from trc_analytics.metrics.requirements import icf_requirements
from trc_analytics.period import Period
from trc_analytics.records.workspace import Workspace
from trc_analytics.scope import Scope


def _stages(demo) -> dict[str, str]:
    """coach_id -> the highest ICF level whose every requirement is met ("" for none)."""
    ws = Workspace.from_frames(demo.frames)
    end = demo.config.plant_period.end
    sc = Scope.make(ws, Period(end.replace(day=1), end))
    met = level_estimates(sc, icf_requirements()).filter(pl.col("met"))
    reached = dict(met.group_by("coach_id").agg(pl.col("level").last()).iter_rows())
    return {c: reached.get(c, "") for c in ws["coaches"]["coach_id"]}


def test_the_default_demo_has_coaches_below_acc_at_acc_at_pcc_and_mcc_ready():
    demo = make_demo(today=dt.date(2026, 11, 30))
    assert demo.config.plant_period.end == dt.date(2026, 6, 30)
    stages = _stages(demo)
    assert {"", "ACC", "PCC", "MCC"} <= set(stages.values())
    ids = demo.frames["coaches"]["coach_id"].to_list()
    assert all(stages[ids[i]] == "" for i in RECENT_TRAINING)
    # only the coach with an earlier log reaches the MCC: two years of records alone do not
    assert [c for c, s in stages.items() if s == "MCC"] == [ids[EARLIER_LOG]] == ["C-0005"]
    coaches = demo.frames["coaches"]
    assert coaches["prior_coaching_hours"].drop_nulls().to_list() == [PRIOR_HOURS]


def test_recently_trained_coaches_count_fewer_hours_than_the_acc_asks(demo):
    ws = Workspace.from_frames(demo.frames)
    end = SMALL_DEMO.plant_period.end
    progress = credential_progress(ws, Period(end, end))
    ids = demo.frames["coaches"]["coach_id"].to_list()
    recent = progress.filter(pl.col("coach_id").is_in([ids[i] for i in RECENT_TRAINING[:2]]))
    assert (recent["hours"] < RECENT_HOURS).all()
    assert progress["counted_since"].is_not_null().all()


def test_the_earlier_log_ends_the_day_before_the_first_recorded_session(demo):
    """Nothing is counted twice: every recorded session of the coach counts, and the clients
    brought forward are on top of the recorded ones."""
    coach = demo.frames["coaches"]["coach_id"][EARLIER_LOG]
    mine = demo.frames["sessions"].filter(pl.col("coach_id") == coach)
    ws = Workspace.from_frames(demo.frames)
    end = SMALL_DEMO.plant_period.end
    p = (
        credential_progress(ws, Period(end, end))
        .filter(pl.col("coach_id") == coach)
        .row(0, named=True)
    )
    assert p["prior_hours_until"] == mine["held_on"].min() - dt.timedelta(days=1)
    assert p["hours"] > PRIOR_HOURS and p["clients"] > PRIOR_CLIENTS
