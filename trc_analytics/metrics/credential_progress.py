"""Credential progress and the coaching log (issue 12): a coach's coaching experience, as a
credentialing body such as the International Coaching Federation counts it.

Which sessions count (`counted_sessions`): held sessions up to the as-of date (the period end),
on or after the coach's `coach_training_started_on` (every held session on record when it is
empty), of an engagement that is a coaching relationship (psychoeducation meeting none of the
markers is not coaching; without an engagements table every held session counts). A session
with a client is individual coaching; a session of a group engagement (no client, a group id)
is group coaching, its size the members of `group_members` present at the group's counted
sessions. A group above `policy.icf_max_group_size` (15) is not coaching experience the ICF
counts: neither its hours nor its members count (the hours are reported as left out). Paid
hours are those of sessions charged a fee, a reduced fee included (`scope.FEE_PAYING`); the
rest are pro bono. Distinct clients: individual clients and the members of counted groups,
each person once.

Against each level of a requirements file (`metrics.requirements`), `progress_levels` gives
what each requirement still needs, and an estimated date from the pace of the last 6 months:
the day the hours and paid hours still needed are reached if the coach keeps that pace (none
when the pace is 0: the report says so). Clients and the recent-hours window are shown, not
projected: a pace of clients is not something a coach keeps.

Hours brought forward: a coach who comes with an earlier coaching log records its totals in
`coaches` (`prior_coaching_hours`, `prior_paid_hours`, `prior_clients`, to the day
`prior_hours_until`). They add to the hours, paid hours and distinct clients (the earlier
log's clients may be among the recorded ones, so clients can be overcounted: the output says
how many were brought forward). Recorded sessions on or before `prior_hours_until` are in the
earlier log already: they are left out of the hours, clients and the coaching log (`earlier_log`).
The windows of recent hours and of the pace count dated sessions only: brought-forward hours
have no dates and never count there, while a recorded session the earlier log covers still does
(it is dated, and counted nowhere else in the window).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import polars as pl

from trc_analytics.metrics.registry import case_metric
from trc_analytics.metrics.requirements import Level, Requirements
from trc_analytics.scope import FEE_PAYING, Scope, add_months, stable_sum

#: Months of recent hours the ICF asks for (ACC, PCC), and of the pace estimates use.
RECENT_MONTHS = 18
PACE_MONTHS = 6
#: The requirements of a level, in display order, with how a person reads each.
REQUIREMENT_LABELS = {
    "hours": "coaching hours",
    "paid_hours": "paid hours",
    "clients": "clients",
    "recent_hours": "hours in the last {months} months",
}


def counted_sessions(sc: Scope) -> pl.LazyFrame:
    """Held sessions up to the as-of date that count as coaching experience (module doc), with
    whether their group is above the cap.

    Columns: coach_id, held_on, hours, paid, client_id (individual sessions), group_id (group
    sessions), over_cap (a group above `icf_max_group_size`: its hours and members do not
    count), earlier_log (held on or before the coach's `prior_hours_until`: already in the
    hours brought forward, so counted only in the recent windows). Each group's size is in
    `group_sizes`.

    Built once per scope (`Scope.cached`) for the readers that need single sessions (the
    windows of `recent_hours`, the log's member names). The two metrics do not read it: they
    read `counted_partials`, so a scope that computes the catalogue never holds a row per
    session here (about 140 MiB at 5M sessions).
    """

    def build() -> pl.LazyFrame:
        over = (pl.col("group_size").fill_null(0) > sc.policy.icf_max_group_size).alias("over")
        return (
            _counted(sc)
            .join(group_sizes(sc).select("coach_id", "group_id", over), **_BY_GROUP)
            .with_columns(over_cap=pl.col("group_id").is_not_null() & pl.col("over"))
            .drop("over")
        )

    return sc.cached("counted_sessions", build)


#: How per-group figures join onto rows with a coach and a group (null for individual rows).
_BY_GROUP: dict[str, Any] = {"on": ["coach_id", "group_id"], "how": "left"}


def group_sizes(sc: Scope) -> pl.LazyFrame:
    """coach_id, group_id and group_size (members present at its counted sessions, the
    earlier log's included) of every counted group with a member present, one row each (a
    group with none has no row: joined, its size is null, and it is not over the cap)."""

    def build() -> pl.LazyFrame:
        return (
            group_presence(sc, _group_days(sc))
            .group_by("coach_id", "group_id")
            .agg(group_size=pl.col("client_id").n_unique().cast(pl.Int64()))
        )

    return sc.cached("group_sizes", build)


def _group_days(sc: Scope) -> pl.LazyFrame:
    """coach_id, group_id, held_on and earlier_log of every day a group had a counted session,
    one row each: what group sizes and members present are worked out from (group sessions are
    a small share of the sessions). Built beside the sums (`_sums`)."""
    _sums(sc)
    return sc.cached("counted_group_days", _built_by_sums)


def _built_by_sums() -> pl.LazyFrame:
    """Never called: `_sums` caches the group days before anything reads them."""
    raise AssertionError("the counted group days are built by _sums")


def _partial_sums(sc: Scope) -> dict[str, pl.Expr]:
    """The sums `counted_partials` keeps: name -> the hours each session adds to it (null
    where it adds none). The recent windows are fixed per scope (RECENT_MONTHS, PACE_MONTHS)."""
    recent = sc.in_last_months("held_on", RECENT_MONTHS)
    pace = sc.in_last_months("held_on", PACE_MONTHS)
    hours, paid = pl.col("hours"), pl.col("paid")
    return {
        "hours": hours,
        "paid_hours": pl.when(paid).then(hours),
        "pro_bono_hours": pl.when(~paid).then(hours),
        "hours_last_18_months": pl.when(recent).then(hours),
        "hours_last_6_months": pl.when(pace).then(hours),
        "paid_hours_last_6_months": pl.when(pace & paid).then(hours),
    }


def counted_partials(sc: Scope) -> pl.LazyFrame:
    """The counted sessions summed per coach, client or group, and earlier_log: one row per
    client coached one-to-one and per group (two when the earlier log covers some of its
    sessions). Credential progress and the coaching log are both sums over these rows, so the
    sessions are grouped once, and no row per session is kept.

    Columns: coach_id, client_id, group_id, earlier_log, started_on and ended_on (first and
    last session), the sums of `_partial_sums`, over_cap (a group above the cap).
    """
    over = (pl.col("group_size") > sc.policy.icf_max_group_size).alias("over_cap")
    sizes = group_sizes(sc).select("coach_id", "group_id", over)
    return _sums(sc).join(sizes, **_BY_GROUP).with_columns(pl.col("over_cap").fill_null(False))


def _sums(sc: Scope) -> pl.LazyFrame:
    """`counted_partials` without over_cap, once per scope; caches the group days too."""

    def build() -> pl.LazyFrame:
        held = _counted(sc).with_columns(**_partial_sums(sc))
        sums = held.group_by("coach_id", "client_id", "group_id", "earlier_log").agg(
            pl.col("held_on").min().alias("started_on"),
            pl.col("held_on").max().alias("ended_on"),
            *[pl.col(name).sum() for name in _partial_sums(sc)],
        )
        days = (
            held.filter(pl.col("group_id").is_not_null())
            .select("coach_id", "group_id", "held_on", "earlier_log")
            .unique()
        )
        sums_df, days_df = pl.collect_all([sums, days])  # their common part runs once
        sc.cached("counted_group_days", days_df.lazy)
        return sums_df.lazy()

    return sc.cached("counted_sums", build)


def _counted(sc: Scope) -> pl.LazyFrame:
    """The plan of the counted sessions, without their groups' sizes."""
    started = sc.table("coaches").select(
        "coach_id", "coach_training_started_on", "prior_hours_until"
    )
    held = (
        sc.held_to_end()
        .join(started, on="coach_id", how="left")
        .filter(
            pl.col("coach_training_started_on").is_null()
            | (pl.col("held_on") >= pl.col("coach_training_started_on"))
        )
        .select(
            "coach_id",
            "engagement_id",
            "client_id",
            "held_on",
            hours=pl.col("duration_min") / 60.0,
            paid=pl.col("fee_type").is_in(FEE_PAYING),
            earlier_log=(pl.col("held_on") <= pl.col("prior_hours_until")).fill_null(False),
        )
    )
    if not sc.has("engagements"):
        return held.drop("engagement_id").with_columns(group_id=pl.lit(None, sc.id_dtype))
    eng = sc.frame("engagements").select(
        "engagement_id", "group_id", coaching=pl.col("coaching_relationship")
    )
    group = pl.when(pl.col("client_id").is_null()).then(pl.col("group_id"))
    return (
        held.join(eng, on="engagement_id", how="left")
        .filter(pl.col("coaching").fill_null(True))
        .with_columns(group_id=group)
        .drop("coaching", "engagement_id")
    )


def group_presence(sc: Scope, held: pl.LazyFrame) -> pl.LazyFrame:
    """Members present at held group sessions (joined by then, not yet left): coach_id,
    group_id, client_id, held_on. Empty without `group_members`."""
    if not sc.has("group_members"):
        ids = sc.id_dtype
        return pl.LazyFrame(schema={"coach_id": ids, "group_id": ids, "client_id": ids})
    members = sc.frame("group_members").select(
        "group_id", "joined_on", "left_on", member="client_id"
    )
    return (
        held.filter(pl.col("group_id").is_not_null())
        .select("coach_id", "group_id", "held_on")
        .unique()
        .join(members, on="group_id", how="inner")
        .filter(
            (pl.col("joined_on") <= pl.col("held_on"))
            & (pl.col("left_on").is_null() | (pl.col("left_on") >= pl.col("held_on")))
        )
        .select("coach_id", "group_id", client_id="member")
    )


def counted_clients(sc: Scope) -> pl.LazyFrame:
    """Distinct (coach_id, client_id) the recorded counted sessions reached (those the earlier
    log does not cover): individual clients and members present at a group within the cap."""
    recorded = counted_partials(sc).filter(~pl.col("earlier_log"))
    single = recorded.filter(pl.col("client_id").is_not_null()).select("coach_id", "client_id")
    over = group_sizes(sc).filter(pl.col("group_size") > sc.policy.icf_max_group_size)
    days = (
        _group_days(sc)
        .filter(~pl.col("earlier_log"))
        .join(over, on=["coach_id", "group_id"], how="anti")
    )
    in_groups = group_presence(sc, days).select("coach_id", "client_id")
    return pl.concat([single, in_groups]).unique()


PROGRESS_COLUMNS: dict[str, pl.DataType] = {
    "coach_id": pl.String(),
    "region": pl.String(),
    "counted_since": pl.Date(),
    "hours": pl.Float64(),
    "paid_hours": pl.Float64(),
    "pro_bono_hours": pl.Float64(),
    "clients": pl.Int64(),
    "hours_last_18_months": pl.Float64(),
    "hours_last_6_months": pl.Float64(),
    "paid_hours_last_6_months": pl.Float64(),
    "groups_over_cap": pl.Int64(),
    "hours_over_cap": pl.Float64(),
    "prior_hours": pl.Float64(),
    "prior_paid_hours": pl.Float64(),
    "prior_clients": pl.Int64(),
    "prior_hours_until": pl.Date(),
}
#: Columns of the coaches table that bring an earlier log's totals forward.
PRIOR = {
    "prior_hours": "prior_coaching_hours",
    "prior_paid_hours": "prior_paid_hours",
    "prior_clients": "prior_clients",
}


@case_metric(needs=("coaches", "sessions"), columns=PROGRESS_COLUMNS)
def credential_progress(sc: Scope) -> pl.LazyFrame:
    """Coaching hours (paid, pro bono), distinct clients and recent hours toward a credential.

    One row per coach in scope, as of the period end, counting the sessions of
    `counted_sessions` (see the module doc). Columns: coach_id, region, counted_since
    (`coach_training_started_on`; null: every held session on record counts), hours,
    paid_hours (a reduced fee is paid),
    pro_bono_hours; clients (distinct, each group member counting); hours_last_18_months,
    hours_last_6_months and paid_hours_last_6_months (the pace estimates use); groups_over_cap
    and hours_over_cap: groups above `icf_max_group_size`, left out of every other column;
    prior_hours, prior_paid_hours (at most prior_hours), prior_clients and prior_hours_until:
    brought forward from the coach's earlier log (0 and null when none), included in hours,
    paid_hours, pro_bono_hours and clients, never in the recent windows (module doc).
    """
    parts = counted_partials(sc)  # one row per client or group: sums of sums
    over, earlier = pl.col("over_cap"), pl.col("earlier_log")
    new = ~over & ~earlier
    totals = parts.group_by("coach_id").agg(
        *[pl.col(c).filter(new).sum() for c in ("hours", "paid_hours", "pro_bono_hours")],
        *[
            pl.col(c).filter(~over).sum()
            for c in ("hours_last_18_months", "hours_last_6_months", "paid_hours_last_6_months")
        ],
        groups_over_cap=pl.col("group_id").filter(over & ~earlier).n_unique(),
        hours_over_cap=pl.col("hours").filter(over & ~earlier).sum(),
    )
    clients = counted_clients(sc).group_by("coach_id").agg(clients=pl.len())
    coaches = sc.table("coaches").select(
        "coach_id",
        "region",
        "prior_hours_until",
        *[pl.col(src).alias(name) for name, src in PRIOR.items()],
        counted_since="coach_training_started_on",
    )
    dates = ("coach_id", "region", "counted_since", "prior_hours_until")
    sums = [c for c in PROGRESS_COLUMNS if c not in dates]
    return (
        coaches.join(totals, on="coach_id", how="left")
        .join(clients, on="coach_id", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in sums)
        .with_columns(_brought_forward())
        .select(list(PROGRESS_COLUMNS))
        .sort("coach_id")
    )


def _brought_forward() -> list[pl.Expr]:
    """The earlier log's totals added to the recorded ones; paid hours brought forward are
    capped at the hours brought forward (validation reports a row where they are not)."""
    paid = pl.min_horizontal("prior_paid_hours", "prior_hours")
    return [
        pl.col("hours") + pl.col("prior_hours"),
        pl.col("paid_hours") + paid,
        pl.col("pro_bono_hours") + pl.col("prior_hours") - paid,
        pl.col("clients") + pl.col("prior_clients").cast(pl.Int64()),
        paid.alias("prior_paid_hours"),
    ]


def recent_hours(sc: Scope, months: int) -> pl.LazyFrame:
    """coach_id, hours: counted hours (groups within the cap) of the last `months` months."""
    return (
        counted_sessions(sc)
        .filter(~pl.col("over_cap") & sc.in_last_months("held_on", months))
        .group_by("coach_id")
        .agg(hours=stable_sum("hours"))
    )


#: Columns of `progress_levels`: one row per coach, level and requirement of the level.
REQUIREMENT_COLUMNS: dict[str, pl.DataType] = {
    "coach_id": pl.String(),
    "level": pl.String(),
    "requirement": pl.String(),
    "label": pl.String(),
    "required": pl.Float64(),
    "have": pl.Float64(),
    "still_needed": pl.Float64(),
    "met": pl.Boolean(),
}
#: Columns of `level_estimates`: one row per coach and level.
ESTIMATE_COLUMNS: dict[str, pl.DataType] = {
    "coach_id": pl.String(),
    "level": pl.String(),
    "title": pl.String(),
    "met": pl.Boolean(),
    "hours_still_needed": pl.Float64(),
    "paid_hours_still_needed": pl.Float64(),
    "clients_still_needed": pl.Int64(),
    "recent_hours_still_needed": pl.Float64(),
    "recent_months": pl.Int64(),
    "hours_per_month": pl.Float64(),
    "estimated_on": pl.Date(),
    "estimate": pl.String(),
}


def progress_levels(
    sc: Scope, requirements: Requirements, progress: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Each coach's figures against each requirement of each level (see REQUIREMENT_COLUMNS):
    required, have, still_needed (0 once met) and met, in the levels' order."""
    if progress is None:  # a caller that has the totals passes them (built once)
        progress = credential_progress.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    recent = _recent_by_months(sc, requirements)
    rows = []
    for p in progress.iter_rows(named=True):
        for level in requirements.levels:
            for key, required in _asked(level):
                have = _have(p, key, level, recent)
                rows.append(
                    {
                        "coach_id": p["coach_id"],
                        "level": level.name,
                        "requirement": key,
                        "label": REQUIREMENT_LABELS[key].format(months=level.recent_months),
                        "required": float(required),
                        "have": float(have),
                        "still_needed": max(0.0, float(required) - float(have)),
                        "met": have >= required,
                    }
                )
    return pl.DataFrame(rows, schema=REQUIREMENT_COLUMNS)


def _asked(level: Level) -> list[tuple[str, float]]:
    """(requirement, amount) of a level, for the requirements it has."""
    asked = {
        "hours": level.hours,
        "paid_hours": level.paid_hours,
        "clients": level.clients,
        "recent_hours": level.recent_hours,
    }
    return [(k, v) for k, v in asked.items() if v is not None]


def _have(p: dict, key: str, level: Level, recent: dict[tuple[str, int], float]) -> float:
    """The coach's figure for one requirement."""
    if key == "recent_hours":
        return recent.get((p["coach_id"], level.recent_months or RECENT_MONTHS), 0.0)
    return p[key] or 0


def _recent_by_months(sc: Scope, requirements: Requirements) -> dict[tuple[str, int], float]:
    """(coach_id, months) -> counted hours of the last `months` months, for every window a
    level asks about."""
    windows = {lv.recent_months for lv in requirements.levels if lv.recent_months}
    out: dict[tuple[str, int], float] = {}
    for months in sorted(windows):
        for coach, hours in recent_hours(sc, months).collect().iter_rows():
            out[(coach, months)] = hours
    return out


def level_estimates(
    sc: Scope,
    requirements: Requirements,
    progress: pl.DataFrame | None = None,
    needs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per coach and level (ESTIMATE_COLUMNS): met, what is still needed, the pace of the last
    6 months and the estimated date the hours are reached.

    estimate: `met` (every requirement met), `hours_met` (the hours are there; clients or
    recent hours are not), `on_pace` (estimated_on: the day the hours and paid hours still
    needed are reached at the pace of the last 6 months), `no_pace` (hours still needed and no
    hours, or no paid hours, in the last 6 months: no date can be given).
    """
    if progress is None:  # a caller that has the totals and requirement rows passes them
        progress = credential_progress.metric.lazy(sc).collect()  # type: ignore[attr-defined]
    if needs is None:
        needs = progress_levels(sc, requirements, progress)
    as_of = sc.period.as_of
    days = (as_of - add_months(as_of, -PACE_MONTHS)).days
    titles = {lv.name: lv.title for lv in requirements.levels}
    # what each coach still needs per level, from one pass over the requirement rows (a
    # filter per coach made every coach's progress of a 2,000-coach batch cost ~3.8 s)
    still_of: dict[tuple[Any, Any], dict[Any, Any]] = {}
    for coach, lv, requirement, still_needed in needs.select(
        "coach_id", "level", "requirement", "still_needed"
    ).iter_rows():
        still_of.setdefault((coach, lv), {})[requirement] = still_needed
    rows = []
    for p in progress.iter_rows(named=True):
        for level in requirements.levels:
            still = still_of.get((p["coach_id"], level.name), {})
            row = _estimate(p, level.name, titles[level.name], still, as_of, days)
            rows.append({**row, "recent_months": level.recent_months})
    return pl.DataFrame(rows, schema=ESTIMATE_COLUMNS)


def _estimate(
    p: dict, level: str, title: str, still: dict[str, float], as_of: dt.date, days: int
) -> dict:
    """One coach's estimate for one level (see `level_estimates`)."""
    hours, paid = still.get("hours", 0.0), still.get("paid_hours", 0.0)
    pace, paid_pace = p["hours_last_6_months"] / days, p["paid_hours_last_6_months"] / days
    when: dt.date | None = None
    if not any(v > 0 for v in still.values()):
        estimate = "met"
    elif hours <= 0 and paid <= 0:
        estimate = "hours_met"
    elif (hours > 0 and pace <= 0) or (paid > 0 and paid_pace <= 0):
        estimate = "no_pace"
    else:
        ahead = max(
            math.ceil(hours / pace) if hours > 0 else 0,
            math.ceil(paid / paid_pace) if paid > 0 else 0,
        )
        when, estimate = as_of + dt.timedelta(days=ahead), "on_pace"
    return {
        "coach_id": p["coach_id"],
        "level": level,
        "title": title,
        "met": estimate == "met",
        "hours_still_needed": hours,
        "paid_hours_still_needed": paid,
        "clients_still_needed": int(still.get("clients", 0)),
        "recent_hours_still_needed": still.get("recent_hours", 0.0),
        "hours_per_month": p["hours_last_6_months"] / PACE_MONTHS,
        "estimated_on": when,
        "estimate": estimate,
    }


LOG_COLUMNS: dict[str, pl.DataType] = {
    "coach_id": pl.String(),
    "region": pl.String(),
    "client_id": pl.String(),
    "group_id": pl.String(),
    "kind": pl.String(),
    "group_size": pl.Int64(),
    "started_on": pl.Date(),
    "ended_on": pl.Date(),
    "paid_hours": pl.Float64(),
    "pro_bono_hours": pl.Float64(),
    "log_consent": pl.Boolean(),
    "over_cap": pl.Boolean(),
}


@case_metric(needs=("coaches", "sessions"), columns=LOG_COLUMNS)
def coaching_log(sc: Scope) -> pl.LazyFrame:
    """The coaching log a credentialing body asks for: one row per client or group coached.

    One row per client coached one-to-one and per group, over the sessions of
    `counted_sessions` up to the period end, leaving out those an earlier log brought forward
    (held on or before `prior_hours_until`). Columns: coach_id, region, client_id (individual)
    or group_id (group), kind (individual or group), group_size (members present at its
    sessions), started_on and ended_on (first and last counted session), paid_hours (a reduced
    fee is paid) and pro_bono_hours. log_consent is false only when the client's
    `icf_log_consent` is recorded as false (null for a group); over_cap marks a group above
    `icf_max_group_size`, whose hours the credential does not count.
    """
    sizes = group_sizes(sc)
    consent = sc.table("clients").select("client_id", log_consent="icf_log_consent")
    kind = pl.when(pl.col("client_id").is_not_null()).then(pl.lit("individual"))
    rows = (  # the clients' and groups' sums, built once with credential progress's
        counted_partials(sc)
        .filter(~pl.col("earlier_log"))
        .select(
            "coach_id",
            "client_id",
            "group_id",
            "started_on",
            "ended_on",
            "paid_hours",
            "pro_bono_hours",
            "over_cap",
            kind=kind.otherwise(pl.lit("group")),
        )
        .join(sizes, on=["coach_id", "group_id"], how="left")
    )
    return (
        sc.with_region(rows)
        .join(consent, on="client_id", how="left")
        .with_columns(
            log_consent=pl.when(pl.col("client_id").is_not_null()).then(
                pl.col("log_consent").fill_null(True)
            )
        )
        .sort("coach_id", "kind", "started_on", "client_id", "group_id", nulls_last=True)
    )
