"""Caseload metrics: who was seen, how often, how engagements began and ended (issue 4, item 1).

Each function takes `(ws, period, *, coaches=None, by="coach", policy=None)` and returns a
frame whose first column is `coach_id` or `region`; see `scope.py` for the conventions
(inclusive period, "as of" = period end, `MissingTables` when a needed table is absent).
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope, month_of, share

_STATUS_COUNTS = {
    "held": pl.col("status") == "held",
    "no_show": pl.col("status") == "no_show",
    "cancelled": pl.col("status") == "cancelled",
    "rescheduled": pl.col("status").cast(pl.String).str.starts_with("rescheduled"),
}


@summary_metric(
    needs=("engagements",),
    columns={"month": pl.Date(), "active_clients": pl.Int64()},
)
def active_clients_by_month(sc: Scope) -> pl.LazyFrame:
    """Active clients per month.

    A client is active in a month when present at a held session that month (a group session
    counts the group's members on that day) or when an engagement of theirs is open during it
    (clipped to the period). Columns: key, month (first day), active_clients (distinct
    clients; by region a client seen by two coaches of the region counts once). Every key and
    month of the period has a row. Optional: sessions, group_members.
    """
    # rows are unique per coach, client and month: count them, or distinct clients by region
    clients = pl.len() if sc.by == "coach" else pl.col("client_id").n_unique()
    counts = (
        sc.keyed(sc.active_client_months()).group_by(sc.key, "month").agg(active_clients=clients)
    )
    return sc.complete(counts, [sc.key, "month"], ["active_clients"], grid=sc.months())


@summary_metric(needs=("clients",), columns={"month": pl.Date(), "new_intakes": pl.Int64()})
def new_intakes(sc: Scope) -> pl.LazyFrame:
    """New intakes per month: clients whose intake_on falls in the period.

    Columns: key, month, new_intakes. Every key and month of the period has a row.
    """
    counts = (
        sc.keyed(sc.table("clients").filter(sc.in_period("intake_on")))
        .group_by(sc.key, month_of("intake_on"))
        .agg(new_intakes=pl.len())
    )
    return sc.complete(counts, [sc.key, "month"], ["new_intakes"], grid=sc.months())


@summary_metric(needs=("engagements",), columns={"end_reason": pl.String(), "closures": pl.Int64()})
def closures(sc: Scope) -> pl.LazyFrame:
    """Engagements ended in the period, by end reason.

    Columns: key, end_reason ("not_recorded" when the end has no reason), closures.
    """
    return (
        sc.keyed(sc.table("engagements").filter(sc.in_period("ended_on")))
        .group_by(sc.key, end_reason=pl.col("end_reason").cast(pl.String).fill_null("not_recorded"))
        .agg(closures=pl.len())
        .sort(sc.key, "end_reason")
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "month": pl.Date(),
        "format": pl.String(),
        "delivery": pl.String(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
    },
)
def sessions_by(sc: Scope) -> pl.LazyFrame:
    """Held sessions and their hours by month, engagement format and delivery.

    Columns: key, month, format, delivery ("not_recorded" when empty), sessions, hours
    (duration_min / 60). A group session counts once, however many members attended.
    """
    cube = (
        sc.held_in_period()
        .group_by("coach_id", month_of("held_on"), "format", "delivery")
        .agg(sessions=pl.len(), hours=pl.col("hours").sum())
    )
    return (
        sc.rollup(cube, ["month", "format", "delivery"], ["sessions", "hours"])
        .with_columns(pl.col("format", "delivery").cast(pl.String).fill_null("not_recorded"))
        .sort(sc.key, "month", "format", "delivery")
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "sessions": pl.Int64(),
        **{k: pl.Int64() for k in _STATUS_COUNTS},
        **{f"{k}_share": pl.Float64() for k in _STATUS_COUNTS},
    },
)
def attendance(sc: Scope) -> pl.LazyFrame:
    """What happened to the sessions of the period: held, no-show, cancelled, rescheduled.

    Columns: key, sessions (every session record), held, no_show, cancelled, rescheduled
    (under influence or otherwise), and each as a share of sessions (null without sessions).
    """
    counts = sc.rollup(
        sc.status_counts()
        .group_by("coach_id")
        .agg(
            sessions=pl.col("records").sum(),
            **{k: pl.col("records").filter(cond).sum() for k, cond in _STATUS_COUNTS.items()},
        ),
        [],
        ["sessions", *_STATUS_COUNTS],
    )
    return sc.complete(counts, [sc.key], ["sessions", *_STATUS_COUNTS]).with_columns(
        share(k, "sessions").alias(f"{k}_share") for k in _STATUS_COUNTS
    )


def _ended(sc: Scope) -> pl.LazyFrame:
    return sc.table("engagements").filter(sc.in_period("ended_on"))


@summary_metric(
    needs=("engagements",),
    columns={
        "format": pl.String(),
        "ended": pl.Int64(),
        "median_days": pl.Float64(),
        "mean_days": pl.Float64(),
        "longest_days": pl.Int64(),
    },
)
def engagement_length(sc: Scope) -> pl.LazyFrame:
    """Length in days (ended_on - started_on) of the engagements ended in the period, by format.

    Columns: key, format, ended, median_days, mean_days, longest_days.
    """
    days = (pl.col("ended_on") - pl.col("started_on")).dt.total_days()
    return (
        sc.keyed(_ended(sc).with_columns(days=days))
        .group_by(sc.key, "format")
        .agg(
            ended=pl.len(),
            median_days=pl.col("days").median(),
            mean_days=pl.col("days").mean(),
            longest_days=pl.col("days").max(),
        )
        .sort(sc.key, "format")
    )


@summary_metric(
    needs=("engagements",),
    columns={
        "ended": pl.Int64(),
        "client_withdrew": pl.Int64(),
        "unplanned_ending_rate": pl.Float64(),
    },
)
def unplanned_ending_rate(sc: Scope) -> pl.LazyFrame:
    """Share of the engagements ended in the period that the client left before completion.

    Columns: key, ended, client_withdrew (end_reason client_withdrew), unplanned_ending_rate
    (client_withdrew / ended; null when nothing ended).
    """
    counts = (
        sc.keyed(_ended(sc))
        .group_by(sc.key)
        .agg(ended=pl.len(), client_withdrew=(pl.col("end_reason") == "client_withdrew").sum())
    )
    return sc.complete(counts, [sc.key], ["ended", "client_withdrew"]).with_columns(
        unplanned_ending_rate=share("client_withdrew", "ended")
    )


@case_metric(
    needs=("engagements",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "engagement_id": pl.String(),
        "client_id": pl.String(),
        "group_id": pl.String(),
        "format": pl.String(),
        "started_on": pl.Date(),
        "last_session_on": pl.Date(),
        "days_silent": pl.Int64(),
    },
)
def silent_engagements(sc: Scope) -> pl.LazyFrame:
    """Engagements open as of the period end with no held session for too long.

    Open = started on or before the period end with no end recorded by then. Silent = more than
    `policy.silent_engagement_days` since the last held session on or before the period end
    (or since the start, when no session was held). Columns: coach_id, region, engagement_id,
    client_id, group_id, format, started_on, last_session_on, days_silent. Optional: sessions.
    """
    open_eng = sc.table("engagements").filter(
        (pl.col("started_on") <= sc.end)
        & (pl.col("ended_on").is_null() | (pl.col("ended_on") > sc.end))
    )
    if "sessions" in sc.ws:
        last = sc.engagement_firsts().select("engagement_id", last_session_on="last_held")
        open_eng = open_eng.join(last, on="engagement_id", how="left")
    else:
        open_eng = open_eng.with_columns(last_session_on=pl.lit(None, pl.Date()))
    since = pl.coalesce("last_session_on", "started_on")
    return (
        sc.with_region(open_eng.with_columns(days_silent=(sc.end - since).dt.total_days()))
        .filter(pl.col("days_silent") > sc.policy.silent_engagement_days)
        .sort("coach_id", "days_silent", "engagement_id", descending=[False, True, False])
    )


@summary_metric(
    needs=("engagements",),
    columns={
        "active_clients": pl.Int64(),
        "new_intakes": pl.Int64(),
        "closures": pl.Int64(),
        "sessions_held": pl.Int64(),
        "hours": pl.Float64(),
        "no_show_rate": pl.Float64(),
    },
)
def headline(sc: Scope) -> pl.LazyFrame:
    """Headline figures, one row per coach or region.

    Columns: key, active_clients (distinct clients active at any time in the period),
    new_intakes, closures (engagements ended), sessions_held, hours (held), no_show_rate
    (no-shows / session records). Without `clients` new_intakes is null; without `sessions`
    the session figures are null.
    """
    key = sc.key
    parts = [
        sc.keyed(sc.active_client_months())
        .group_by(key)
        .agg(active_clients=pl.col("client_id").n_unique()),
        sc.keyed(_ended(sc)).group_by(key).agg(closures=pl.len()),
    ]
    fill = ["active_clients", "closures"]
    if "clients" in sc.ws:
        intakes = sc.keyed(sc.table("clients").filter(sc.in_period("intake_on")))
        parts.append(intakes.group_by(key).agg(new_intakes=pl.len()))
        fill.append("new_intakes")
    if "sessions" in sc.ws:
        held = pl.col("status") == "held"
        by_coach = (
            sc.status_counts()
            .group_by("coach_id")
            .agg(
                sessions_held=pl.col("records").filter(held).sum(),
                hours=pl.col("hours").filter(held).sum(),
                records=pl.col("records").sum(),
                no_show=pl.col("records").filter(pl.col("status") == "no_show").sum(),
            )
        )
        parts.append(sc.rollup(by_coach, [], ["sessions_held", "hours", "records", "no_show"]))
        fill += ["sessions_held", "hours", "records", "no_show"]
    out = sc.keys()
    for part in parts:
        out = out.join(part, on=key, how="left")
    out = out.with_columns(pl.col(c).fill_null(0) for c in fill).sort(key)
    if "sessions" in sc.ws:
        out = out.with_columns(no_show_rate=share("no_show", "records"))
    absent = {
        "new_intakes": pl.Int64(),
        "sessions_held": pl.Int64(),
        "hours": pl.Float64(),
        "no_show_rate": pl.Float64(),
    }
    produced = set(fill) | ({"no_show_rate"} if "sessions" in sc.ws else set())
    return out.with_columns(
        pl.lit(None, dtype).alias(c) for c, dtype in absent.items() if c not in produced
    )
