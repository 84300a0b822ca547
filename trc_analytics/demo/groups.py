"""Group, retreat, psychoeducation and course engagements, with their members.

Group and retreat work is a coaching relationship: each member is assessed before joining.
Psychoeducation and courses are not (`coaching_relationship` false), so members need no
assessment. Every member is a client of the coach running the group; all join at the start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from trc_analytics.demo.areas import IN_SCOPE
from trc_analytics.demo.clients import ADULT_AGES, AGE_BANDS
from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, as_dates, day
from trc_analytics.demo.sampling import between, optional, pick


@dataclass(frozen=True)
class GroupFormat:
    """How one format of group work runs."""

    name: str
    every_days: int  # one event per this many days of practice, on average
    meetings: tuple[int, int]
    interval: int  # days between meetings
    members: tuple[int, int]
    durations: tuple[int, ...]
    coaching: bool
    free_share: float  # share of events given pro bono
    fee: tuple[int, int]  # per participant and meeting, USD


FORMATS = (
    GroupFormat("group", 150, (8, 12), 7, (5, 10), (90, 120), True, 0.2, (35, 60)),
    GroupFormat("retreat", 270, (2, 3), 1, (6, 12), (420,), True, 0.0, (150, 300)),
    GroupFormat("psychoeducation", 120, (1, 4), 7, (8, 20), (60, 90, 120), False, 0.5, (20, 40)),
    GroupFormat("course", 240, (4, 8), 7, (8, 25), (60, 90), False, 0.0, (25, 45)),
)


def _runs(r: Roster, fmt: str) -> np.ndarray:
    return {
        "group": r.runs_groups,
        "retreat": r.runs_retreats,
        "psychoeducation": r.runs_psychoed,
        "course": r.runs_courses,
    }[fmt]


def build_groups(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(clients, engagements, group_members, safety_assessments) of group work.

    Keys are local: clients `_c` from 0, groups `_g` from 0 (the orchestrator renumbers them).
    """
    start, end = day(cfg.start), day(cfg.end)
    ps = day(cfg.plant_period.start)
    ev_coach, ev_fmt, ev_start = [], [], []
    for f_i, f in enumerate(FORMATS):
        span_days = (f.meetings[1] - 1) * f.interval
        coaches = np.flatnonzero(_runs(r, f.name))
        lo = np.maximum(r.act_start[coaches], start) + 21
        # Groups may still be running at the end, but not after a coach closes the practice.
        hi = np.where(r.active[coaches], end - 30, r.act_end[coaches] - span_days)
        counts = rng.poisson(np.maximum(hi - lo, 0) / f.every_days)
        owner = np.repeat(coaches, counts)
        s = between(rng, np.repeat(lo, counts), np.repeat(hi, counts))
        if f.name in ("group", "psychoeducation"):
            owner = np.append(owner, 0)  # the showcase coach runs one in the planted period
            s = np.append(s, ps + (14 if f.name == "group" else 45))
        ev_coach.append(owner)
        ev_fmt.append(np.full(owner.size, f_i))
        ev_start.append(s)
    coach = np.concatenate(ev_coach).astype(np.int64)
    fmt_i = np.concatenate(ev_fmt).astype(np.int64)
    started = np.concatenate(ev_start).astype(np.int64)
    g = coach.size
    fmts = list(FORMATS)

    def per_format(values) -> np.ndarray:
        return np.array([values(f) for f in fmts])[fmt_i]

    meet_lo, meet_hi = per_format(lambda f: f.meetings[0]), per_format(lambda f: f.meetings[1])
    planned = between(rng, meet_lo, meet_hi)
    interval = per_format(lambda f: f.interval)
    fits = (np.minimum(r.act_end[coach], end) - started) // interval + 1
    count = np.minimum(planned, fits)
    last = started + (count - 1) * interval
    ongoing = planned > fits
    ended = np.where(ongoing, NO_DAY, last)
    coaching = per_format(lambda f: f.coaching).astype(bool)
    free = (rng.random(g) < per_format(lambda f: f.free_share)) & ~r.no_giving[coach]
    fee = between(rng, per_format(lambda f: f.fee[0]), per_format(lambda f: f.fee[1])).astype(float)
    durations = np.array([[f.durations[j % len(f.durations)] for j in range(3)] for f in fmts])
    dur = durations[fmt_i, rng.integers(0, 3, g)]
    slots = r.comp_areas[coach]
    theme = IN_SCOPE[
        slots[np.arange(g), np.floor(rng.random(g) * r.comp_n[coach]).astype(np.int64)]
    ]
    delivery = np.where(
        per_format(lambda f: f.name) == "retreat",
        "in_person",
        np.where(rng.random(g) < 0.6, "in_person", "video"),
    )
    engagements = pl.DataFrame(
        {
            "_c": pl.Series([None] * g, dtype=pl.Int64),
            "_k": coach,
            "_g": np.arange(g),
            "format": per_format(lambda f: f.name).astype(str),
            "coaching_relationship": coaching,
            "started_on": as_dates(started),
            "ended_on": as_dates(ended),
            "end_reason": optional(np.where(ongoing, None, "completed"), pl.String),
            "exit_explained": optional(np.where(ongoing, None, True), pl.Boolean),
            "_ref_reason": pl.Series([None] * g, dtype=pl.String),
            "_ref_type": pl.Series([None] * g, dtype=pl.String),
            "_n": count,
            "_interval": interval,
            "_first_d": started,
            "_last_d": last,
            "_dur": dur.astype(np.int64),
            "_delivery": delivery.astype(str),
            "_fee_base": np.where(free, "pro_bono", "paid").astype(str),
            "_fee": np.where(free, 0.0, fee),
            "_area": theme.astype(str),
            "_area2": theme.astype(str),
            "_gap": [""] * g,
            "_psy": np.zeros(g, dtype=bool),
            "_decomp": np.zeros(g, dtype=bool),
            "_supervised": np.zeros(g, dtype=bool),
        }
    )

    # Members: new clients of the coach, taken in (and assessed, for coaching work) before day one.
    size = between(rng, per_format(lambda f: f.members[0]), per_format(lambda f: f.members[1]))
    grp = np.repeat(np.arange(g), size)
    m = grp.size
    m_coach = coach[grp]
    joined = started[grp]
    intake = np.maximum(joined - between(rng, np.full(m, 3), 21), r.joined[m_coach])
    paying = ~free[grp]
    basis = np.where(paying, "paying", "pro_bono")
    leaves_early = (rng.random(m) < 0.1) & (last[grp] - joined >= 7) & (interval[grp] > 1)
    left = np.where(ongoing[grp], NO_DAY, last[grp])
    left = np.where(leaves_early, joined + between(rng, np.full(m, 7), last[grp] - joined), left)
    stop = np.where(left == NO_DAY, end, left)
    income_p = np.where(paying, 0.05, 0.85)
    clients = pl.DataFrame(
        {
            "_c": np.arange(m),
            "_k": m_coach,
            "intake_on": as_dates(intake),
            "age_band": pick(rng, AGE_BANDS, ADULT_AGES, m).astype(str),
            "client_type": ["individual"] * m,
            "fee_basis": basis.astype(str),
            "refund_policy_given_on": as_dates(np.where(paying, intake, NO_DAY)),
            "grievance_policy_given_on": as_dates(
                np.minimum(intake + between(rng, np.zeros(m), 7), end)
            ),
            "context_explored_on": as_dates(
                np.maximum(np.minimum(joined + between(rng, np.zeros(m), 14), stop), intake)
            ),
            "low_income": optional(
                np.where(r.income_recorded[m_coach], rng.random(m) < income_p, None), pl.Boolean
            ),
        }
    )
    members = pl.DataFrame(
        {"_g": grp, "_c": np.arange(m), "joined_on": as_dates(joined), "left_on": as_dates(left)}
    )
    assessed = coaching[grp] | (rng.random(m) < 0.15)
    a_idx = np.flatnonzero(assessed)
    assessments = pl.DataFrame(
        {
            "_k": m_coach[a_idx],
            "_c": a_idx,
            "_e_g": grp[a_idx],
            "assessed_on": as_dates(
                intake[a_idx] + between(rng, np.zeros(a_idx.size), joined[a_idx] - intake[a_idx])
            ),
            "outcome": np.where(
                rng.random(a_idx.size) < 0.85, "cleared", "cleared_with_plan"
            ).astype(str),
            "exclusion_reason": pl.Series([None] * a_idx.size, dtype=pl.String),
        }
    )
    return clients, engagements, members, assessments
