"""Practice standards checks: refund policy, grievance policy, the client's context, and giving
back to the community.

Edge cases decided here:

- PRACT-REFUND: a client pays a fee at the first held session charged `paid` or `reduced` (a
  reduced fee is still a fee), one-to-one or a group session attended as a member, whatever the
  client's `fee_basis`. The refund policy must be given on or before that day. The case is
  dated at that first fee-paying session, so each client is judged once.
- PRACT-REFUND-POLICY: a coach who took a fee (a held session charged `paid` or `reduced`)
  in the period must have `refund_policy_published` true; left empty counts as not published.
  One case per coach, dated at the period end (the flag is not dated).
- PRACT-CONTEXT is judged only for clients in a coaching relationship (an engagement with
  `coaching_relationship` true, one-to-one or a group they attended as a member) with at least
  one held session in it up to the period end: without one there is no relationship in which
  to explore the client's context.
- PRACT-GRIEVANCE / PRACT-CONTEXT: every client must be told of the grievance policy (have their
  context explored) within the window after intake; the case is dated at the window's last day,
  so a client whose window is still open at the period end is judged in the period it closes.
- COMM-PROBONO: windows of `probono_window_months` are counted back from the as-of date: the
  window ending on it, and as many whole earlier windows as fit inside the period. An active
  coach who held sessions in a window must have given some affordable service in it, as
  `metrics.giving` defines it once for the check and the metrics: a held pro-bono session, a
  held reduced-fee session with a client marked `low_income`, or a community-service activity
  of a kind that serves survivors (not advocacy). A Guiding Principle, so minor. Coaches who
  held no session in a window (not practising then) are not judged for it. A window length of
  0 turns the check off.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trc_analytics.checks.check import (
    Check,
    day_count,
    month_count,
    optional,
    plural,
    span,
    text,
)
from trc_analytics.metrics.giving import affordable_sessions, survivor_community_service
from trc_analytics.policy import Policy
from trc_analytics.scope import FEE_PAYING, Scope, add_months, days

# --- PRACT-REFUND ------------------------------------------------------------------------------


def refund_cases(sc: Scope) -> pl.LazyFrame:
    """One case per client, dated at their first fee-paying session."""
    paying = [
        sc.engagement_firsts()
        .filter(pl.col("client_id").is_not_null() & pl.col("first_paid").is_not_null())
        .select("client_id", "engagement_id", day="first_paid")
    ]
    if sc.has("group_members"):
        paying.append(
            sc.first_attended(sc.group_days().filter(pl.col("paid"))).select(
                "client_id", "engagement_id", day="first_on"
            )
        )
    first_paid = (
        pl.concat(paying, how="diagonal")
        .sort("day")
        .group_by("client_id")
        .agg(on=pl.col("day").first(), engagement_id=pl.col("engagement_id").first())
        .filter(sc.in_period("on"))
    )
    return (
        sc.table("clients")
        .select("client_id", "coach_id", given=sc.seen("refund_policy_given_on"))
        .join(first_paid, on="client_id", how="inner")
        .with_columns(compliant=(pl.col("given") <= pl.col("on")).fill_null(False))
    )


def refund_detail(policy: Policy) -> pl.Expr:
    return text(
        "Client {} paid a fee for a first session on {} without having been given the refund "
        "policy on or before that day{}.",
        "client_id",
        "on",
        optional(" (it was given on {})", "given"),
    )


PRACT_REFUND = Check(
    id="PRACT-REFUND",
    title="A refund policy given to every client who pays a fee",
    quotes=(
        "Trauma Recovery Coaches will have a clearly stated refund policy that is provided to "
        "every client who pays a fee – regardless of the type of service they purchase.",
    ),
    severity="minor",
    tables=("clients", "sessions"),
    optional_tables=("engagements", "group_members"),
    policy_values=(),
    unit="client paying a first fee",
    cases=refund_cases,
    detail=refund_detail,
)


# --- PRACT-REFUND-POLICY -----------------------------------------------------------------------


def refund_policy_cases(sc: Scope) -> pl.LazyFrame:
    """One case per coach who took a fee in the period, dated at the period end: kept when the
    coach's `refund_policy_published` is true (left empty counts as not published)."""
    fees = sc.held_in_period().filter(pl.col("fee_type").cast(pl.String()).is_in(FEE_PAYING))
    taking = fees.group_by("coach_id").agg(
        n=pl.len(), first=pl.col("held_on").min(), last=pl.col("held_on").max()
    )
    return (
        sc.table("coaches")
        .select("coach_id", published=pl.col("refund_policy_published").fill_null(False))
        .join(taking, on="coach_id", how="inner")
        .with_columns(compliant=pl.col("published"), on=sc.as_of)
        .sort("coach_id")
    )


def refund_policy_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} took a fee for {} {} without a published refund policy on record "
        "(refund_policy_published is not true).",
        "coach_id",
        plural("n", "a session", "sessions"),
        span("first", "last"),
    )


PRACT_REFUND_POLICY = Check(
    id="PRACT-REFUND-POLICY",
    title="A clearly stated refund policy when taking fees",
    quotes=(
        "Trauma Recovery Coaches will have a clearly stated refund policy that is provided to "
        "every client who pays a fee – regardless of the type of service they purchase.",
    ),
    severity="minor",
    tables=("coaches", "sessions"),
    policy_values=(),
    unit="coach taking fees in the period",
    cases=refund_policy_cases,
    detail=refund_policy_detail,
)


# --- PRACT-GRIEVANCE and PRACT-CONTEXT ---------------------------------------------------------


def _notice_cases(sc: Scope, column: str, window: int) -> pl.LazyFrame:
    """Every client whose window after intake closes in the period."""
    return (
        sc.table("clients")
        .with_columns(on=pl.col("intake_on") + days(window))
        .filter(sc.in_period("on"))
        .select("client_id", "coach_id", "intake_on", "on", given=sc.seen(column))
        .with_columns(compliant=(pl.col("given") <= pl.col("on")).fill_null(False))
    )


def grievance_cases(sc: Scope) -> pl.LazyFrame:
    return _notice_cases(sc, "grievance_policy_given_on", sc.policy.grievance_notice_days)


def grievance_detail(policy: Policy) -> pl.Expr:
    return text(
        "Client {} (intake on {}) was not told of the Association's grievance policy within "
        + day_count(policy.grievance_notice_days)
        + "{}.",
        "client_id",
        "intake_on",
        optional("; they were told on {}", "given"),
    )


PRACT_GRIEVANCE = Check(
    id="PRACT-GRIEVANCE",
    title="Every client told of the grievance policy",
    quotes=(
        "Trauma Recovery Coaches shall notify all of their clients about the Association’s "
        "Professional Standards Committee grievance policies and will not block any client’s "
        "efforts to file a grievance with the Committee.",
    ),
    severity="minor",
    tables=("clients",),
    policy_values=("grievance_notice_days",),
    unit="client",
    cases=grievance_cases,
    detail=grievance_detail,
)


def context_cases(sc: Scope) -> pl.LazyFrame:
    """Clients in a coaching relationship with at least one held session (up to the period
    end) whose window after intake closes in the period."""
    cases = _notice_cases(sc, "context_explored_on", sc.policy.context_explored_days)
    relationship = (
        sc.table("engagements")
        .filter(pl.col("coaching_relationship").fill_null(False))
        .select("engagement_id")
    )
    # only the sessions of the clients whose window closes in the period are looked at
    coached = [
        sc.held_to_end()
        .filter(pl.col("client_id").is_not_null())
        .select("client_id", "engagement_id")
        .join(cases.select("client_id"), on="client_id", how="semi")
        .join(relationship, on="engagement_id", how="semi")
        .select("client_id")
    ]
    if sc.has("group_members"):  # a member who attended a group coaching session
        coached.append(
            sc.first_attended(sc.group_days())
            .join(relationship, on="engagement_id", how="semi")
            .select("client_id")
        )
    coached = pl.concat(coached).unique()
    return cases.join(coached, on="client_id", how="semi")


def context_detail(policy: Policy) -> pl.Expr:
    return text(
        "The context of client {} (culture, race, ethnicity, sexual orientation, socioeconomic "
        "status) was not explored within "
        + day_count(policy.context_explored_days)
        + " of intake on {}{}.",
        "client_id",
        "intake_on",
        optional("; it was explored on {}", "given"),
    )


PRACT_CONTEXT = Check(
    id="PRACT-CONTEXT",
    title="Each client's context explored early in the relationship",
    quotes=(
        "We seek to understand our client’s experience by asking about factors that provide that "
        "context, such as culture, race, ethnicity, sexual orientation, and socioeconomic status.",
    ),
    severity="minor",
    tables=("clients", "engagements", "sessions"),
    policy_values=("context_explored_days",),
    unit="client in a coaching relationship with a held session",
    cases=context_cases,
    detail=context_detail,
)


# --- COMM-PROBONO ------------------------------------------------------------------------------


def probono_windows(start: dt.date, as_of: dt.date, months: int) -> list[tuple[dt.date, dt.date]]:
    """Windows counted back from `as_of`: the last one always, earlier ones while inside."""
    if months <= 0:
        return []
    windows, end = [], as_of
    while True:
        begin = add_months(end + dt.timedelta(days=1), -months)
        if windows and begin < start:
            return windows
        windows.append((begin, end))
        end = begin - dt.timedelta(days=1)


def probono_cases(sc: Scope) -> pl.LazyFrame:
    """One case per active coach and window in which they held sessions."""
    bounds = probono_windows(sc.period.start, sc.period.as_of, sc.policy.probono_window_months)
    windows = pl.LazyFrame(
        {"window_start": [b for b, _ in bounds], "window_end": [e for _, e in bounds]},
        schema={"window_start": pl.Date(), "window_end": pl.Date()},
    )
    lo = min((b for b, _ in bounds), default=sc.period.start)
    worked = (
        sc.coach_days()
        .filter(pl.col("held_on") >= lo)
        .select("coach_id", "held_on", afford=pl.lit(False), worked=pl.lit(True))
    )
    since = sc.held_to_end().filter(pl.col("held_on") >= lo)
    affordable = affordable_sessions(sc, since).select(
        "coach_id", "held_on", afford=pl.lit(True), worked=pl.lit(True)
    )
    community = (
        survivor_community_service(sc)
        .filter(pl.col("held_on").is_between(lo, sc.as_of))
        .select("coach_id", "held_on", afford=pl.lit(True), worked=pl.lit(False))
    )
    # the windows do not overlap: each day falls in at most one, named by a few comparisons
    # (cheaper than crossing every coach-day with every window)
    window_of = pl.coalesce(
        pl.lit(None, pl.Date()),
        *(pl.when(pl.col("held_on").is_between(b, e)).then(pl.lit(b)) for b, e in bounds),
    )
    return (
        pl.concat([worked, affordable, community], how="diagonal")
        .join(sc.active_coaches(), on="coach_id", how="semi")
        .with_columns(window_start=window_of)
        .drop_nulls("window_start")
        .group_by("coach_id", "window_start")
        .agg(worked=pl.col("worked").any(), afford=pl.col("afford").any())
        .filter(pl.col("worked"))
        .join(windows, on="window_start", how="inner")
        .select("coach_id", "window_start", "window_end", on="window_end", compliant="afford")
    )


def probono_detail(policy: Policy) -> pl.Expr:
    return text(
        "Coach {} gave no pro-bono session, no reduced-fee session to a client marked low income "
        "and no community service to survivors from {} to {} ("
        + month_count(policy.probono_window_months)
        + ").",
        "coach_id",
        "window_start",
        "window_end",
    )


COMM_PROBONO = Check(
    id="COMM-PROBONO",
    title="Affordable service given back to the survivor community",
    quotes=(
        "We give back to the survivor community by periodically providing services affordable to "
        "those without many financial resources so that high quality coaching services are "
        "available to our entire community.",
    ),
    severity="minor",
    tables=("sessions", "coaches"),
    optional_tables=("community_service", "clients"),
    policy_values=("probono_window_months",),
    unit="coach practising in a window",
    cases=probono_cases,
    detail=probono_detail,
)

PRACTICE_CHECKS = (PRACT_REFUND, PRACT_REFUND_POLICY, PRACT_GRIEVANCE, PRACT_CONTEXT)
COMMUNITY_CHECKS = (COMM_PROBONO,)
