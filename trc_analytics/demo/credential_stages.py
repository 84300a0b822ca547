"""When each demo coach began coach-specific training (`coaches.coach_training_started_on`), so
the demo holds coaches at every stage of credential progress (issue 12).

Most coaches trained the year before they joined the association: every recorded session
counts, and their hours fall between ACC and PCC or between PCC and MCC (the records span two
years, so a coach's recorded hours reach a few hundred to a little over a thousand). A few
(`RECENT_TRAINING`) began coach-specific training lately, after some earlier peer work: on the
stage day (the end of the planted period) fewer than `RECENT_HOURS` hours count, below ACC.
One coach (`EARLIER_LOG`) came with years of practice logged elsewhere: hours brought forward
(`prior_coaching_hours`, `prior_paid_hours`, `prior_clients`, to the day before their first
recorded session) make them ready for the MCC on the stage day, which two years of records
alone never reach.
No random numbers are drawn, so every other table stays as it was.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

#: Roster positions (0-based) of the coaches whose training began lately: C-0003, C-0010, ...
RECENT_TRAINING = (2, 9, 22)
#: Hours counted on the stage day for those coaches (below the ACC's 100).
RECENT_HOURS = 60.0
#: Roster position (0-based) of the coach with an earlier coaching log: C-0005.
EARLIER_LOG = 4
#: What that earlier log brings forward: with their recorded hours, past the MCC's 2,500 hours
#: (2,250 paid) and 35 clients.
PRIOR_HOURS, PRIOR_PAID_HOURS, PRIOR_CLIENTS = 2400.0, 2200.0, 30
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
    trained = coaches.with_columns(
        coach_training_started_on=pl.coalesce(recent_days, default).cast(pl.Date())
    )
    return brought_forward(trained, sessions)


def brought_forward(coaches: pl.DataFrame, sessions: pl.DataFrame) -> pl.DataFrame:
    """The coaches table with the `EARLIER_LOG` coach's hours brought forward (module doc),
    the earlier log ending the day before their first recorded session; empty for the rest."""
    ids = coaches["coach_id"].to_list()
    coach = pl.lit(ids[EARLIER_LOG] if len(ids) > EARLIER_LOG else None, pl.String())
    prior = pl.col("coach_id") == coach
    first = sessions.filter(pl.col("coach_id") == coach)["held_on"].min()
    until = first - dt.timedelta(days=1) if isinstance(first, dt.date) else None
    return coaches.with_columns(
        prior_coaching_hours=pl.when(prior).then(pl.lit(PRIOR_HOURS)),
        prior_paid_hours=pl.when(prior).then(pl.lit(PRIOR_PAID_HOURS)),
        prior_clients=pl.when(prior).then(pl.lit(PRIOR_CLIENTS, pl.Int64())),
        prior_hours_until=pl.when(prior).then(pl.lit(until, pl.Date())),
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
