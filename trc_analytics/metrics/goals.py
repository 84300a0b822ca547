"""Goals set and reached with clients in the period (issue 15): the self-audit's goals section.

A goal is set on `set_on` and closed on `closed_on` with a status (achieved, revised,
released); one still open at the period end is being worked on.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope

#: Counts of `goal_progress`, in the order the self-audit lists them.
GOAL_COUNTS = ("set", "achieved", "revised", "released", "still_open", "clients_achieving")


@summary_metric(needs=("goals",), columns={c: pl.Int64() for c in GOAL_COUNTS})
def goal_progress(sc: Scope) -> pl.LazyFrame:
    """Goals set, achieved, revised and released in the period, and still open at its end.

    still_open: set by the period end and not closed by then; clients_achieving: distinct
    clients with a goal achieved in the period. Columns: key, set, achieved, revised,
    released, still_open, clients_achieving.
    """
    closed = sc.in_period("closed_on")
    achieved = closed & (pl.col("status") == "achieved")
    open_at_end = (pl.col("set_on") <= sc.end) & (
        pl.col("closed_on").is_null() | (pl.col("closed_on") > sc.end)
    )
    counts = (
        sc.keyed(sc.table("goals"))
        .group_by(sc.key)
        .agg(
            set=sc.in_period("set_on").sum(),
            achieved=achieved.sum(),
            revised=(closed & (pl.col("status") == "revised")).sum(),
            released=(closed & (pl.col("status") == "released")).sum(),
            still_open=open_at_end.sum(),
            clients_achieving=pl.col("client_id").filter(achieved).n_unique(),
        )
    )
    return sc.complete(counts, [sc.key], list(GOAL_COUNTS))


# --- Goal Attainment Scaling (Kiresuk & Sherman) -----------------------------------------------

#: The inter-goal correlation the GAS T-score assumes (Kiresuk & Sherman 1968: rho = 0.3).
GAS_RHO = 0.3
#: Attainment levels, -2 (much less than expected) to +2 (much more); 0 = the expected outcome.
LEVELS = {-2: "much_less", -1: "less", 0: "expected", 1: "more", 2: "much_more"}


def _one_to_one(sc: Scope) -> pl.LazyFrame:
    """Engagements with a single client (goals are set with one client)."""
    return sc.table("engagements").filter(pl.col("client_id").is_not_null())


def goal_engagements(sc: Scope) -> pl.LazyFrame:
    """Goals set by the period end, each with the engagement it belongs to, computed once.

    `goals.engagement_id` when given; else the coach's engagement with that client open on
    `set_on` (the latest started, when several are), else the one started last before it;
    else none (a goal set before any engagement is recorded). Columns: those of `goals` with
    engagement_id filled where it can be, and weight (empty: 1).
    """

    def build() -> pl.LazyFrame:
        goals = sc.table("goals").filter(pl.col("set_on") <= sc.as_of).with_row_index("_row")
        if not sc.has("engagements"):
            return goals.drop("_row").with_columns(pl.col("weight").fill_null(1.0))
        candidates = (
            goals.filter(pl.col("engagement_id").is_null())
            .select("_row", "client_id", "coach_id", "set_on")
            .join(
                _one_to_one(sc).select(
                    "engagement_id", "client_id", "coach_id", "started_on", "ended_on"
                ),
                on=["client_id", "coach_id"],
            )
            .filter(pl.col("started_on") <= pl.col("set_on"))
            .with_columns(
                open_then=pl.col("ended_on").is_null() | (pl.col("ended_on") >= pl.col("set_on"))
            )
            .sort("open_then", "started_on", "engagement_id")
            .group_by("_row")
            .agg(found=pl.col("engagement_id").last())
        )
        return (
            goals.join(candidates, on="_row", how="left")
            .with_columns(
                engagement_id=pl.coalesce("engagement_id", "found"),
                weight=pl.col("weight").fill_null(1.0),
            )
            .drop("_row", "found")
        )

    return sc.cached("goal_engagements", build)


def _scored(sc: Scope) -> pl.LazyFrame:
    """Scored goals (an attained level and a weight above 0) of engagements open in the period."""
    engaged = (
        _one_to_one(sc)
        .filter(
            (pl.col("started_on") <= sc.end)
            & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= sc.start))
        )
        .select("engagement_id")
    )
    return (
        goal_engagements(sc)
        .join(engaged, on="engagement_id", how="semi")
        .filter(pl.col("attained_level").is_not_null() & (pl.col("weight") > 0))
    )


def gas_t_score(levels: pl.Expr, weights: pl.Expr, rho: float = GAS_RHO) -> pl.Expr:
    """T = 50 + 10 * sum(w x) / sqrt((1 - rho) * sum(w^2) + rho * (sum w)^2), an aggregation."""
    spread = ((1 - rho) * (weights**2).sum() + rho * weights.sum() ** 2).sqrt()
    return 50 + 10 * (weights * levels).sum() / spread


@case_metric(
    needs=("goals", "engagements"),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "engagement_id": pl.String(),
        "client_id": pl.String(),
        "goals": pl.Int64(),
        "weights": pl.Float64(),
        "baseline_mean": pl.Float64(),
        "attained_mean": pl.Float64(),
        "t_score": pl.Float64(),
    },
)
def goal_attainment(sc: Scope) -> pl.LazyFrame:
    """The Goal Attainment Scaling T-score of each engagement open in the period.

    Over the engagement's scored goals (an `attained_level`, a weight above 0; `goal_engagements`
    maps goals to engagements): T = 50 + 10 * sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2),
    x the attained level (-2..+2, 0 = expected), w the weight (1 when empty), rho = `GAS_RHO`
    (0.3). 50 means the goals were met as expected on the whole. Columns: coach_id, region,
    engagement_id, client_id, goals (scored), weights (their sum), baseline_mean and
    attained_mean (weighted mean levels; baseline over the goals that record one), t_score.
    """
    x, w, base = pl.col("attained_level"), pl.col("weight"), pl.col("baseline_level")
    per_engagement = (
        _scored(sc)
        .group_by("coach_id", "engagement_id", "client_id")
        .agg(
            goals=pl.len(),
            weights=w.sum(),
            baseline_mean=(w * base).sum() / w.filter(base.is_not_null()).sum(),
            attained_mean=(w * x).sum() / w.sum(),
            t_score=gas_t_score(x.cast(pl.Float64()), w),
        )
        .with_columns(
            baseline_mean=pl.when(pl.col("baseline_mean").is_finite()).then("baseline_mean")
        )
    )
    return sc.with_region(per_engagement).sort("coach_id", "engagement_id")


@summary_metric(
    needs=("goals", "engagements"),
    columns={
        "scored": pl.Int64(),
        **{name: pl.Int64() for name in LEVELS.values()},
        "at_or_above": pl.Int64(),
    },
)
def attainment_levels(sc: Scope) -> pl.LazyFrame:
    """How the scored goals of engagements open in the period came out, level by level.

    Columns: key, scored, much_less (-2), less (-1), expected (0), more (+1), much_more (+2),
    at_or_above (level 0 or more: the expected outcome or better).
    """
    x = pl.col("attained_level")
    counts = (
        sc.keyed(_scored(sc))
        .group_by(sc.key)
        .agg(
            scored=pl.len(),
            **{name: (x == level).sum() for level, name in LEVELS.items()},
            at_or_above=(x >= 0).sum(),
        )
    )
    return sc.complete(counts, [sc.key], ["scored", *LEVELS.values(), "at_or_above"])


@case_metric(
    needs=("engagements", "sessions"),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "engagement_id": pl.String(),
        "client_id": pl.String(),
        "held_sessions": pl.Int64(),
        "first_held": pl.Date(),
        "last_held": pl.Date(),
    },
)
def goals_not_recorded(sc: Scope) -> pl.LazyFrame:
    """Engagements with `goal_after_sessions` (4) or more held sessions and no goal recorded.

    Coaching engagements open in the period with at least that many held sessions by the
    period end and no goal recorded for them ("no goal recorded yet").

    One-to-one coaching relationships only (goals are set with one client); a goal counts for
    its engagement as `goal_engagements` maps it; without a goals table, no engagement has one.
    Columns: coach_id, region, engagement_id, client_id, held_sessions, first_held, last_held.
    """
    engaged = _one_to_one(sc).filter(
        pl.col("coaching_relationship")
        & (pl.col("started_on") <= sc.end)
        & (pl.col("ended_on").is_null() | (pl.col("ended_on") >= sc.start))
    )
    with_goal = goal_engagements(sc).select("engagement_id").drop_nulls().unique()
    held = (
        sc.held_to_end()
        .group_by("engagement_id")
        .agg(
            held_sessions=pl.len().cast(pl.Int64()),
            first_held=pl.col("held_on").min(),
            last_held=pl.col("held_on").max(),
        )
    )
    found = (
        engaged.select("coach_id", "engagement_id", "client_id")
        .join(held, on="engagement_id")
        .filter(pl.col("held_sessions") >= sc.policy.goal_after_sessions)
        .join(with_goal, on="engagement_id", how="anti")
    )
    return sc.with_region(found).sort("coach_id", "engagement_id")


@case_metric(
    needs=("measures",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "client_id": pl.String(),
        "instrument": pl.String(),
        "direction": pl.String(),
        "measured": pl.Int64(),
        "first_on": pl.Date(),
        "first_score": pl.Float64(),
        "last_on": pl.Date(),
        "last_score": pl.Float64(),
        "change": pl.Float64(),
        "improved": pl.Boolean(),
    },
)
def measure_change(sc: Scope) -> pl.LazyFrame:
    """Each client's scores on each instrument up to the period end, first against latest.

    Measure-agnostic: any instrument an association licenses, by its name in `measures`;
    improved follows the instrument's `direction` (null with a single score). Columns:
    coach_id, region, client_id, instrument, direction, measured (scores), first_on,
    first_score, last_on, last_score, change (latest minus first), improved.
    """
    ordered = sc.table("measures").filter(pl.col("measured_on") <= sc.as_of).sort("measured_on")
    change = pl.col("last_score") - pl.col("first_score")
    better = pl.when(pl.col("direction") == "lower_better").then(change < 0).otherwise(change > 0)
    per_client = (
        ordered.group_by("coach_id", "client_id", "instrument")
        .agg(
            direction=pl.col("direction").last().cast(pl.String()),
            measured=pl.len(),
            first_on=pl.col("measured_on").first(),
            first_score=pl.col("score").first(),
            last_on=pl.col("measured_on").last(),
            last_score=pl.col("score").last(),
        )
        .with_columns(change=change, improved=pl.when(pl.col("measured") > 1).then(better))
    )
    return sc.with_region(per_client).sort("coach_id", "instrument", "client_id")


@case_metric(
    needs=("measures",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "client_id": pl.String(),
        "instrument": pl.String(),
        "measured_on": pl.Date(),
        "score": pl.Float64(),
    },
)
def measure_scores(sc: Scope) -> pl.LazyFrame:
    """Every score on record up to the period end, for charting per instrument.

    Columns: coach_id, region, client_id, instrument, measured_on, score.
    """
    scores = sc.table("measures").filter(pl.col("measured_on") <= sc.as_of)
    return sc.with_region(
        scores.select("coach_id", "client_id", "instrument", "measured_on", "score")
    ).sort("coach_id", "instrument", "client_id", "measured_on")
