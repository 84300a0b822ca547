"""Supervision and training: routine supervision with the coach's supervisor, supervision that
follows a competence gap, a decompensation or a lapse, and regular continuing education.

Baseline areas of routine supervision and trainings are always areas the coach declared, so they
never silently cover a planted competence gap.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.areas import IN_SCOPE
from trc_analytics.demo.coaches import Roster
from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import NO_DAY, add_months, as_dates, day
from trc_analytics.demo.sampling import between, optional, pick, recurring
from trc_analytics.policy import Policy


def _declared_area(rng: np.random.Generator, r: Roster, coach: np.ndarray) -> np.ndarray:
    slot = np.floor(rng.random(coach.size) * r.comp_n[coach]).astype(np.int64)
    return IN_SCOPE[r.comp_areas[coach, slot]].astype(str)


def _supervision_rows(
    coach: np.ndarray,
    supervisor: np.ndarray,
    met_on: np.ndarray,
    hours: np.ndarray,
    fmt: np.ndarray,
    reason: np.ndarray,
    area: np.ndarray,
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_k": coach.astype(np.int64),
            "supervisor_id": supervisor.astype(str),
            "met_on": as_dates(met_on),
            "hours": hours.astype(float),
            "format": fmt.astype(str),
            "reason": reason.astype(str),
            "area": optional(area, pl.String),
        }
    )


def build_supervision(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, engagements: pl.DataFrame
) -> pl.DataFrame:
    """Routine meetings every 4-8 weeks, plus competence-gap, case and lapse supervision."""
    start, end = day(cfg.start), day(cfg.end)
    owner, met = recurring(rng, np.maximum(r.act_start, start - 60), r.act_end, 25, 60)
    n = owner.size
    reason = pick(
        rng,
        ["routine", "case_consult", "ethics_question", "own_recovery"],
        [0.85, 0.08, 0.04, 0.03],
        n,
    )
    with_area = (reason == "case_consult") | ((reason == "routine") & (rng.random(n) < 0.3))
    frames = [
        _supervision_rows(
            owner,
            r.supervisor[owner],
            met,
            pick(rng, [1.0, 1.5, 2.0], [0.6, 0.25, 0.15], n),
            np.where(rng.random(n) < 0.75, "one_to_one", "group"),
            reason,
            np.where(with_area, _declared_area(rng, r, owner), None),
        )
    ]

    # A gap in competence followed by supervision in that area every 6-8 weeks (near-miss).
    gaps = engagements.filter(pl.col("_gap") == "supervised")
    if gaps.height:
        lo = np.maximum(gaps["_first_d"].to_numpy(), start)
        hi = np.minimum(gaps["_last_d"].to_numpy(), end)
        g_idx, met = recurring(rng, lo, np.maximum(hi, lo + 1), 45, 60)
        met = np.minimum(met, end)
        coach = gaps["_k"].to_numpy()[g_idx]
        m = g_idx.size
        frames.append(
            _supervision_rows(
                coach,
                r.supervisor[coach],
                met,
                pick(rng, [1.0, 1.5], [0.6, 0.4], m),
                np.full(m, "one_to_one"),
                np.full(m, "competence_gap"),
                gaps["_area"].to_numpy()[g_idx],
            )
        )
        # ... and on the day the gap is first met, so no session waits past the window after.
        k = gaps.height
        frames.append(
            _supervision_rows(
                gaps["_k"].to_numpy(),
                r.supervisor[gaps["_k"].to_numpy()],
                lo,
                np.full(k, 1.0),
                np.full(k, "one_to_one"),
                np.full(k, "competence_gap"),
                gaps["_area"].to_numpy(),
            )
        )

    # Case consultation after a decompensation, and on cases the coach brings to supervision.
    cases = engagements.filter(pl.col("_decomp") | pl.col("_supervised"))
    if cases.height:
        coach = cases["_k"].to_numpy()
        decomp = cases["_decomp"].to_numpy()
        ended = cases["ended_on"].cast(pl.Int64).fill_null(end).to_numpy()
        first = np.maximum(cases["_first_d"].to_numpy(), start)
        last = np.maximum(np.minimum(cases["_last_d"].to_numpy(), end), first)
        met = np.where(
            decomp,
            np.minimum(ended + between(rng, np.ones(coach.size), 10), end),
            between(rng, first, last),
        )
        m = coach.size
        frames.append(
            _supervision_rows(
                coach,
                r.supervisor[coach],
                met,
                np.full(m, 1.0),
                np.full(m, "one_to_one"),
                np.full(m, "case_consult"),
                cases["_area"].to_numpy(),
            )
        )

    # A lapse past grace remediated by 6 hours one-to-one with one supervisor, then renewal.
    remed = np.flatnonzero(r.remed_renewal != NO_DAY)
    if remed.size:
        grace_end = add_months(r.anchor[remed], 24 * (r.stop_cycle[remed] + 1) + 6)
        coach = np.repeat(remed, 3)
        met = np.repeat(grace_end, 3) + np.tile([10, 35, 60], remed.size)
        frames.append(
            _supervision_rows(
                coach,
                r.supervisor[coach],
                met,
                np.full(coach.size, 2.0),
                np.full(coach.size, "one_to_one"),
                np.full(coach.size, "renewal_lapse"),
                np.full(coach.size, None),
            )
        )
    return pl.concat(frames).filter(pl.col("met_on") <= pl.lit(cfg.end))


def build_trainings(
    cfg: DemoConfig, rng: np.random.Generator, r: Roster, reviews: pl.DataFrame
) -> pl.DataFrame:
    """Continuing education every 6 weeks to 7 months, outside training history, ethics reviews."""
    start = day(cfg.start)
    hi = np.where(r.training_stop != NO_DAY, np.minimum(r.training_stop, r.act_end), r.act_end)
    owner, done = recurring(rng, np.maximum(start - 365, r.joined - 30), hi, 45, 200)
    n = owner.size
    kind = pick(rng, ["trauma_area", "coaching_skills", "research_update"], [0.4, 0.25, 0.35], n)
    special = rng.random(n) < 0.12
    kind = np.where(special & r.minors[owner], "minors", kind)
    kind = np.where(special & r.couples[owner] & ~r.minors[owner], "couples_families", kind)
    hours = (
        np.where(
            kind == "research_update",
            between(rng, np.full(n, 2), 8),
            between(rng, np.full(n, 6), 32),
        )
        / 2
    )
    # every course counts at least the yearly hours DEV-CE asks, and courses come at most
    # 200 days apart, so a coach who keeps training keeps DEV-CE (only a planted stop fails it)
    hours = np.maximum(hours, Policy().ce_hours_per_year)
    frames = [
        pl.DataFrame(
            {
                "_k": owner,
                "completed_on": as_dates(done),
                "hours": hours.astype(float),
                "kind": kind.astype(str),
                "area": optional(
                    np.where(kind == "trauma_area", _declared_area(rng, r, owner), None), pl.String
                ),
            }
        )
    ]

    # Training outside the association, before it was needed (minors, couples, psychoactive,
    # hypnosis): what makes those parts of a practice legitimate.
    history = []
    for mask, kind_name, area in (
        (r.minors, "minors", None),
        (r.couples, "couples_families", None),
        (r.psy_trained, "psychoactive", None),
        (r.hypnosis, "coaching_skills", "hypnosis"),
    ):
        idx = np.flatnonzero(mask)
        if idx.size:
            on = np.minimum(
                r.act_start[idx],
                np.where(r.psy_notified[idx] != NO_DAY, r.psy_notified[idx], r.act_start[idx]),
            )
            history.append(
                pl.DataFrame(
                    {
                        "_k": idx,
                        "completed_on": as_dates(on - between(rng, np.full(idx.size, 30), 700)),
                        "hours": np.full(idx.size, 40.0),
                        "kind": [kind_name] * idx.size,
                        "area": pl.Series([area] * idx.size, dtype=pl.String),
                        "outside_association": [True] * idx.size,
                    }
                )
            )
    inside = [
        f.with_columns(outside_association=pl.lit(False))
        for f in (frames[0], reviews.select(frames[0].columns))
    ]
    return pl.concat([inside[0], *history, inside[1]])
