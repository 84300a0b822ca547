"""Outcomes in the demo: goals scored by Goal Attainment Scaling, and scores on two made-up
outcome measures (issue 12).

Drawn from a random generator of their own (seeded from the demo's seed), after every planted
case, so the rest of the demo is the same draw for draw with or without them. The instruments
are invented names with invented scores: no licensed instrument, and none of its items, ships.
A few coaching engagements keep no goal at all, so "no goal recorded yet" has cases to show.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.sampling import pick

#: Salt of this module's random generator (any fixed number: the demo's draws stay apart).
SALT = 12
#: Share of one-to-one engagements whose goals are left out ("no goal recorded yet").
NO_GOAL_SHARE = 0.04
#: Attained level (-2..+2) by how the goal closed, and its probabilities.
ATTAINED = {
    "achieved": ([0, 1, 2], [0.55, 0.3, 0.15]),
    "revised": ([-1, 0], [0.6, 0.4]),
    "released": ([-2, -1], [0.35, 0.65]),
    "active": ([-1, 0, 1], [0.5, 0.35, 0.15]),
}
#: Made-up instruments: (name, direction, first score range, change per measure).
INSTRUMENTS = (
    ("demo_wellbeing_scale", "higher_better", (20, 40), 3.0),
    ("demo_distress_scale", "lower_better", (15, 30), -2.0),
)
#: Share of one-to-one engagements measured on an instrument.
MEASURED_SHARE = 0.3


def _rng(cfg: DemoConfig) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, SALT])


def score_goals(cfg: DemoConfig, goals: pl.DataFrame) -> pl.DataFrame:
    """Goals with a baseline, an attained level (for most closed goals and a third of open ones)
    and now and then a weight; the goals of a few engagements left out."""
    rng = _rng(cfg)
    n = goals.height
    status = goals["status"].to_numpy().astype(str)
    attained = np.zeros(n, dtype=np.int64)
    for name, (levels, p) in ATTAINED.items():
        where = status == name
        attained[where] = pick(rng, levels, p, int(where.sum()))
    scored = np.where(status == "active", rng.random(n) < 0.35, rng.random(n) < 0.85)
    weight = pick(rng, [1.0, 2.0, 3.0], [0.75, 0.18, 0.07], n)
    engagements = goals["_e"].drop_nulls().unique().sort()
    dropped = engagements.filter(pl.Series(rng.random(engagements.len()) < NO_GOAL_SHARE))
    return goals.with_columns(
        baseline_level=pl.Series(pick(rng, [-2, -1], [0.4, 0.6], n).astype(np.int64)),
        attained_level=pl.when(pl.lit(pl.Series(scored))).then(pl.lit(pl.Series(attained))),
        weight=pl.when(pl.lit(pl.Series(weight)) != 1.0).then(pl.lit(pl.Series(weight))),
    ).filter(~pl.col("_e").is_in(dropped.implode()).fill_null(False))


def build_measures(cfg: DemoConfig, sessions: pl.DataFrame) -> pl.DataFrame:
    """Scores on a made-up instrument at the first, a middle and the last held session of a
    share of one-to-one engagements with at least three held sessions, improving on the whole."""
    rng = _rng(cfg)
    held = sessions.filter(pl.col("_one") & (pl.col("status") == "held"))
    spans = (
        held.group_by("_e", "_k", "_c")
        .agg(
            pl.col("held_on").min().alias("first"),
            pl.col("held_on").sort().get(pl.len() // 2).alias("middle"),
            pl.col("held_on").max().alias("last"),
            held=pl.len(),
        )
        .filter(pl.col("held") >= 3)
        .with_columns(days=pl.concat_list("first", "middle", "last"))
        .drop("first", "middle", "last", "held")
        .sort("_e")
    )
    spans = spans.filter(pl.Series(rng.random(spans.height) < MEASURED_SHARE))
    which = rng.integers(0, len(INSTRUMENTS), spans.height)
    rows = []
    for i, (name, direction, (lo, hi), step) in enumerate(INSTRUMENTS):
        part = spans.filter(pl.Series(which == i))
        first = rng.integers(lo, hi + 1, part.height).astype(float)
        noise = rng.normal(0.0, 2.0, (part.height, 3))
        scores = first[:, None] + step * np.arange(3)[None, :] + noise
        rows.append(
            part.with_columns(
                score=pl.Series(np.round(np.clip(scores, 0, None), 0).tolist()),
                instrument=pl.lit(name),
                direction=pl.lit(direction),
            )
            .explode("days", "score")
            .rename({"days": "measured_on"})
            .unique(["_c", "instrument", "measured_on"], keep="first", maintain_order=True)
        )
    return pl.concat(rows).select(
        "_k", "_c", "_e", "measured_on", "instrument", "score", "direction"
    )
