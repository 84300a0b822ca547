"""Renewal readiness: what each credential's next renewal asks, and what is done (issue 12).

A credential's cycle runs from its `certified_on` to its `expires_on`; as of the period end
each requirement of the cycle is met or still missing:
- ethics: a Code of Ethics review course after the cycle began ("Prior to every two year
  renewal of a coach's Certification they must take a review course on the Code of Ethics"),
  from the trainings of kind `ethics_review` or a credential's `ethics_review_on`
  (`standing.ethics_reviews`, the notion CERT-ETHICS and `ethics_review` share);
- continuing education: training hours other than the ethics review course since the cycle
  began, against `policy.ce_hours_per_cycle`;
- supervision: supervision hours since the cycle began, against the hours the coach and
  supervisor agreed (`coaches.supervision_hours_per_quarter` x the quarters of a
  `renewal_cycle_months` cycle); no agreement, no requirement (the Code sets no figure);
- affordable service: some pro-bono or affordable session (`giving.affordable_sessions`) or
  community service to survivors since the cycle began ("We give back to the survivor
  community by periodically providing services affordable ...").
Then one status: `lapsed` (past its grace period, as `standing.credential_standing` judges it),
`ready` (every requirement met), `at_risk` (something missing with fewer than
`policy.renewal_warning_days` days to the expiry, or already expired inside its grace), or
`in_progress` (something missing, more days left). Active coaches only, as the CERT checks.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.giving import affordable_sessions, survivor_community_service
from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.metrics.standing import credential_standing, ethics_reviews
from trc_analytics.scope import Scope, stable_sum

#: Renewal statuses, in the order reports list them (most urgent first).
RENEWAL_STATUSES = ("lapsed", "at_risk", "in_progress", "ready")
#: Requirement -> the words a report uses for it when it is missing.
REQUIREMENTS = {
    "ethics_met": "Code of Ethics review course",
    "ce_met": "continuing education",
    "supervision_met": "supervision",
    "affordable_met": "affordable service",
}

_KEY = ["coach_id", "credential"]


def _cycles(sc: Scope) -> pl.LazyFrame:
    """Each active coach's latest credential of each kind, with its cycle and standing."""
    return (
        credential_standing(sc)
        .join(sc.active_coaches(), on="coach_id", how="semi")
        .select(
            "coach_id",
            pl.col("credential").cast(pl.String()),
            "certified_on",
            "expires_on",
            "grace_ends_on",
            days_left="days_to_expiry",
            standing="status",
        )
    )


def _since_cycle(cycles: pl.LazyFrame, events: pl.LazyFrame, on: str, sc: Scope) -> pl.LazyFrame:
    """Rows of `events` (coach_id, `on`, ...) dated from a credential's cycle start to the
    as-of date, one row per credential and event."""
    return (
        cycles.select(*_KEY, "certified_on")
        .join(events, on="coach_id")
        .filter((pl.col(on) >= pl.col("certified_on")) & (pl.col(on) <= sc.as_of))
    )


def _hours_since(cycles: pl.LazyFrame, events: pl.LazyFrame, on: str, sc: Scope) -> pl.LazyFrame:
    """Hours of `events` (coach_id, `on`, hours) since each credential's cycle began."""
    return _since_cycle(cycles, events, on, sc).group_by(_KEY).agg(hours=stable_sum("hours"))


def _ethics(sc: Scope, cycles: pl.LazyFrame) -> pl.LazyFrame:
    """The latest review course after the cycle began (a review dated on the day of
    certification was taken for that certification, so it does not count for the next)."""
    return (
        _since_cycle(cycles, ethics_reviews(sc), "reviewed_on", sc)
        .filter(pl.col("reviewed_on") > pl.col("certified_on"))
        .group_by(_KEY)
        .agg(ethics_review_on=pl.col("reviewed_on").max())
    )


def _affordable(sc: Scope, cycles: pl.LazyFrame) -> pl.LazyFrame:
    """Affordable session hours and survivor community-service hours since the cycle began."""
    parts = [pl.LazyFrame(schema={"coach_id": sc.id_dtype, "on": pl.Date(), "hours": pl.Float64()})]
    if sc.has("sessions"):
        held = affordable_sessions(sc, sc.held_to_end())
        parts.append(held.select("coach_id", on="held_on", hours=pl.col("duration_min") / 60.0))
    if sc.has("community_service"):
        parts.append(survivor_community_service(sc).select("coach_id", on="held_on", hours="hours"))
    return _hours_since(cycles, pl.concat(parts), "on", sc).rename({"hours": "affordable_hours"})


def _requirements(sc: Scope, cycles: pl.LazyFrame) -> pl.LazyFrame:
    """Each requirement's figures joined onto the cycles."""
    ce = sc.table("trainings").filter(pl.col("kind") != "ethics_review")
    supervision = sc.table("supervision").select("coach_id", "met_on", "hours")
    quarters = sc.policy.renewal_cycle_months / 3
    agreed = sc.table("coaches").select(
        "coach_id", supervision_needed=pl.col("supervision_hours_per_quarter") * quarters
    )
    return (
        cycles.join(_ethics(sc, cycles), on=_KEY, how="left")
        .join(
            _hours_since(
                cycles, ce.select("coach_id", "completed_on", "hours"), "completed_on", sc
            ).rename({"hours": "ce_hours"}),
            on=_KEY,
            how="left",
        )
        .join(
            _hours_since(cycles, supervision, "met_on", sc).rename({"hours": "supervision_hours"}),
            on=_KEY,
            how="left",
        )
        .join(_affordable(sc, cycles), on=_KEY, how="left")
        .join(agreed, on="coach_id", how="left")
        .with_columns(pl.col("ce_hours", "supervision_hours", "affordable_hours").fill_null(0.0))
    )


def _status(sc: Scope) -> pl.Expr:
    """lapsed, ready, at_risk or in_progress (see the module docstring)."""
    missing = pl.col("missing") != ""
    return (
        pl.when(pl.col("standing") == "lapsed")
        .then(pl.lit("lapsed"))
        .when(~missing)
        .then(pl.lit("ready"))
        .when(pl.col("days_left") < sc.policy.renewal_warning_days)
        .then(pl.lit("at_risk"))
        .otherwise(pl.lit("in_progress"))
    )


def renewal_frame(sc: Scope) -> pl.LazyFrame:
    """Renewal readiness of every credential in scope, computed once per scope (the columns of
    `renewal_readiness` without region)."""

    def build() -> pl.LazyFrame:
        ce_needed = sc.policy.ce_hours_per_cycle
        met = {
            "ethics_met": pl.col("ethics_review_on").is_not_null(),
            "ce_met": pl.col("ce_hours") >= ce_needed,
            "supervision_met": pl.col("supervision_hours") >= pl.col("supervision_needed"),
            "affordable_met": pl.col("affordable_hours") > 0,
        }
        missing = (
            pl.concat_list(
                pl.when(expr.fill_null(True).not_()).then(pl.lit(words))
                for words, expr in ((REQUIREMENTS[k], v) for k, v in met.items())
            )
            .list.drop_nulls()
            .list.join(", ")
        )
        return (
            _requirements(sc, _cycles(sc))
            .with_columns(ce_needed=pl.lit(ce_needed), **met)
            .with_columns(missing=missing)
            .with_columns(status=_status(sc))
            .sort(_KEY)
        )

    return sc.cached("renewal_readiness", build)


@case_metric(
    needs=("credentials", "coaches"),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "credential": pl.String(),
        "certified_on": pl.Date(),
        "expires_on": pl.Date(),
        "days_left": pl.Int64(),
        "grace_ends_on": pl.Date(),
        "ethics_review_on": pl.Date(),
        "ethics_met": pl.Boolean(),
        "ce_hours": pl.Float64(),
        "ce_needed": pl.Float64(),
        "ce_met": pl.Boolean(),
        "supervision_hours": pl.Float64(),
        "supervision_needed": pl.Float64(),
        "supervision_met": pl.Boolean(),
        "affordable_hours": pl.Float64(),
        "affordable_met": pl.Boolean(),
        "missing": pl.String(),
        "status": pl.String(),
    },
)
def renewal_readiness(sc: Scope) -> pl.LazyFrame:
    """Each credential's next renewal: its requirements since the cycle began, and one status.

    One row per active coach's latest credential of each kind, as of the period end (rules in
    `metrics.renewal`). Columns: coach_id, region, credential, certified_on (the cycle's
    start), expires_on, days_left (negative once expired), grace_ends_on, ethics_review_on (the
    latest review course since the cycle began), ethics_met, ce_hours, ce_needed, ce_met,
    supervision_hours, supervision_needed and supervision_met (null when no hours are agreed),
    affordable_hours, affordable_met, missing (the requirements not met, in words, comma
    separated; empty when none), status
    (lapsed, at_risk, in_progress, ready). Without trainings, supervision or sessions records a
    requirement reads as missing: nothing on record meets it.
    """
    return sc.with_region(renewal_frame(sc))


@summary_metric(
    needs=("credentials", "coaches"),
    columns={"ready": pl.Int64(), "at_risk": pl.Int64()},
)
def renewals_due(sc: Scope) -> pl.LazyFrame:
    """Renewals due within the next `renewal_warning_days` days, by readiness.

    A renewal is due when the credential expires from the as-of date to fewer than
    `renewal_warning_days` (90) days after it; ready: every requirement met, at_risk:
    something missing (see `renewal_readiness`). Columns: key, ready, at_risk.
    """
    due = renewal_frame(sc).filter(
        pl.col("days_left").is_between(0, sc.policy.renewal_warning_days, closed="left")
    )
    counts = (
        sc.keyed(due)
        .group_by(sc.key)
        .agg(
            ready=(pl.col("status") == "ready").sum(),
            at_risk=(pl.col("status") == "at_risk").sum(),
        )
    )
    return sc.complete(counts, [sc.key], ["ready", "at_risk"])
