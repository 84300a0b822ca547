"""When each demo coach began coach-specific training (`coaches.coach_training_started_on`), so
the demo holds coaches at every stage of credential progress (issue 12).

Most coaches trained the year before they joined the association: every recorded session
counts, and their hours fall between ACC and PCC or between PCC and MCC (the records span two
years, so a coach's recorded hours reach a few hundred to a little over a thousand). A few
(`RECENT_TRAINING`) began coach-specific training lately, after some earlier peer work: on the
stage day (the end of the planted period) fewer than `RECENT_HOURS` hours count, below ACC.
No random numbers are drawn, so every other table stays as it was.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

#: Roster positions (0-based) of the coaches whose training began lately: C-0003, C-0010, ...
RECENT_TRAINING = (2, 9, 22)
#: Hours counted on the stage day for those coaches (below the ACC's 100).
RECENT_HOURS = 60.0
#: Days between the end of training and joining the association, for everyone else.
TRAINED_BEFORE_JOINING = 365


def training_starts(
    coaches: pl.DataFrame, sessions: pl.DataFrame, stage_day: dt.date
) -> pl.DataFrame:
    """The coaches table with `coach_training_started_on` filled (see the module doc)."""
    ids = coaches["coach_id"].to_list()
    recent = {
        ids[i]: _recent_start(sessions, ids[i], stage_day) for i in RECENT_TRAINING if i < len(ids)
    }
    default = pl.col("joined_on") - pl.duration(days=TRAINED_BEFORE_JOINING)
    recent_days = pl.col("coach_id").replace_strict(recent, default=None, return_dtype=pl.Date())
    return coaches.with_columns(
        coach_training_started_on=pl.coalesce(recent_days, default).cast(pl.Date())
    )


def _recent_start(sessions: pl.DataFrame, coach: str, stage_day: dt.date) -> dt.date:
    """The day after which the coach's held sessions up to `stage_day` add up to just under
    `RECENT_HOURS` hours (the stage day itself when there are none)."""
    held = (
        sessions.filter(
            (pl.col("coach_id") == coach)
            & (pl.col("status") == "held")
            & (pl.col("held_on") <= stage_day)
        )
        .group_by("held_on")
        .agg(hours=pl.col("duration_min").sum() / 60.0)
        .sort("held_on", descending=True)
        .with_columns(total=pl.col("hours").cum_sum())
    )
    over = held.filter(pl.col("total") >= RECENT_HOURS)
    if over.is_empty():
        return stage_day
    return over["held_on"][0] + dt.timedelta(days=1)
