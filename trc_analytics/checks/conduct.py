"""Professional conduct checks: criminal charges reported in time; no dual relationships.

Edge cases decided here:

- CONDUCT-CHARGE: every `criminal_charge` event counts (the records do not say whether the
  crime involved alcohol, drugs or persons). It must be reported within `charge_report_days` of
  `occurred_on`; the case is dated at that deadline, and a report after the as-of date is not
  seen.
- CONDUCT-DUAL: one case per coach (every active coach, and any coach with such an event): a
  coach with one or more `dual_relationship` events in the period has one finding listing them.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.checks.check import Check, day_count, optional, plural, span, text
from trc_analytics.policy import Policy
from trc_analytics.scope import Scope, days

# --- CONDUCT-CHARGE ----------------------------------------------------------------------------


def charge_cases(sc: Scope) -> pl.LazyFrame:
    """Every criminal charge whose reporting deadline falls in the period."""
    n = sc.policy.charge_report_days
    return (
        sc.table("conduct_events")
        .filter(pl.col("kind") == "criminal_charge")
        .with_columns(on=pl.col("occurred_on") + days(n))
        .filter(sc.in_period("on"))
        .select("event_id", "coach_id", "occurred_on", "on", reported=sc.seen("reported_on"))
        .with_columns(compliant=(pl.col("reported") <= pl.col("on")).fill_null(False))
    )


def charge_detail(policy: Policy) -> pl.Expr:
    within = day_count(policy.charge_report_days)
    late = (
        pl.when(pl.col("reported").is_null())
        .then(pl.lit("; no report is recorded"))
        .otherwise(optional("; it was reported on {}", "reported"))
    )
    return text(
        "A criminal charge against coach {} on {} was not reported to the Professional Standards "
        "Committee within " + within + "{}.",
        "coach_id",
        "occurred_on",
        late,
    )


CONDUCT_CHARGE = Check(
    id="CONDUCT-CHARGE",
    title="Criminal charges reported to the Professional Standards Committee in time",
    quotes=(
        "If a credentialed coach is charged with a crime involving alcohol or drugs, and/or a "
        "crime against persons they must report that charge to the Professional Standards "
        "Committee",
        "within 10 days.",
    ),
    severity="critical",
    tables=("conduct_events",),
    policy_values=("charge_report_days",),
    unit="criminal charge",
    cases=charge_cases,
    detail=charge_detail,
)


# --- CONDUCT-DUAL ------------------------------------------------------------------------------


def dual_cases(sc: Scope) -> pl.LazyFrame:
    """One case per active coach (or coach with an event): compliant without dual relationships."""
    events = (
        sc.table("conduct_events")
        .filter((pl.col("kind") == "dual_relationship") & sc.in_period("occurred_on"))
        .group_by("coach_id")
        .agg(n=pl.len(), first=pl.col("occurred_on").min(), last=pl.col("occurred_on").max())
    )
    coaches = pl.concat([sc.active_coaches(), events.select("coach_id")], how="vertical").unique()
    return coaches.join(events, on="coach_id", how="left").with_columns(
        compliant=pl.col("n").is_null(), on=pl.coalesce("first", sc.as_of)
    )


def dual_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} has {} recorded {}.",
        "coach_id",
        plural("n", "a dual relationship with a client", "dual relationships with clients"),
        span("first", "last"),
    )


CONDUCT_DUAL = Check(
    id="CONDUCT-DUAL",
    title="No dual relationships with clients",
    quotes=(
        "Trauma Recovery Coaches do not have dual relationships with their clients.",
        "Coaches will never enter into dual relationships that involve a power differential, "
        "romantic or sexual relationships involvement, or financial dealings with clients.",
    ),
    severity="critical",
    tables=("conduct_events",),
    optional_tables=("coaches",),
    policy_values=(),
    unit="coach",
    cases=dual_cases,
    detail=dual_detail,
)

CONDUCT_CHECKS = (CONDUCT_CHARGE, CONDUCT_DUAL)
