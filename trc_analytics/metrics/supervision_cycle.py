"""The supervision cycle: actions agreed in supervision, the clients to discuss at the next
meeting, and supervision received against what the coach and supervisor agreed.

These facts serve the coach's own reviews (supervisor review, self-audit) only. The action text
is the coach's or supervisor's free text: it stays in these reviews and is never an input of the
association report (no association metric reads `supervision_actions`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trc_analytics.metrics.caseload import silent_engagements
from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.records.schema import load_schema
from trc_analytics.scope import Scope, date_lit

#: Order in which actions are listed: overdue first, then open, then done in the period.
ACTION_STATUSES = ("overdue", "open", "done in period")


@case_metric(
    needs=("supervision_actions",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "action_id": pl.String(),
        "status": pl.String(),
        "agreed_on": pl.Date(),
        "check_id": pl.String(),
        "client_id": pl.String(),
        "engagement_id": pl.String(),
        "action": pl.String(),
        "owner": pl.String(),
        "due_on": pl.Date(),
        "done_on": pl.Date(),
        "days_overdue": pl.Int64(),
    },
)
def supervision_action_list(sc: Scope) -> pl.LazyFrame:
    """Agreed actions still open at the period end, and those done within the period.

    An action agreed on or before the period end is open when it has no `done_on` by the period
    end (a later completion is not yet known then); open and past its `due_on` it is overdue
    (`days_overdue` = period end - due_on). Actions done before the period started are left
    out: they were closed at an earlier review. Order: overdue (most overdue first), open (by
    due date), done in period (by done date). Columns: coach_id, region, action_id, status,
    agreed_on, check_id, client_id, engagement_id, action, owner, due_on, done_on, days_overdue.
    """
    done = sc.seen("done_on")
    status = (
        pl.when(done.is_not_null())
        .then(pl.lit("done in period"))
        .when(pl.col("due_on") < sc.as_of)
        .then(pl.lit("overdue"))
        .otherwise(pl.lit("open"))
    )
    rank = status.replace_strict(
        {s: i for i, s in enumerate(ACTION_STATUSES)}, return_dtype=pl.Int64
    )
    actions = (
        sc.table("supervision_actions")
        .filter(pl.col("agreed_on") <= sc.as_of)
        .filter(done.is_null() | sc.in_period("done_on"))
        .with_columns(
            status=status,
            _rank=rank,
            days_overdue=pl.when(status == "overdue").then(
                (sc.as_of - pl.col("due_on")).dt.total_days()
            ),
            done_on=done,
        )
    )
    return sc.with_region(actions).sort(
        "coach_id",
        "_rank",
        pl.col("days_overdue").fill_null(0),
        "due_on",
        "done_on",
        "action_id",
        descending=[False, False, True, False, False, False],
    )


@summary_metric(
    needs=("coaches",),
    columns={
        "open_actions": pl.Int64(),
        "overdue_actions": pl.Int64(),
        "done_in_period": pl.Int64(),
        "earliest_open_due_on": pl.Date(),
        "next_review_on": pl.Date(),
    },
)
def review_schedule(sc: Scope) -> pl.LazyFrame:
    """Actions open, overdue and done, and the proposed next review date.

    The next review is proposed `policy.review_interval_days` after the period end.
    `earliest_open_due_on` is the first due date among open actions not yet overdue, so a
    review can be brought forward when an action falls due sooner. Optional:
    supervision_actions (counts are 0 and the due date empty without it). Columns: key,
    open_actions, overdue_actions, done_in_period, earliest_open_due_on, next_review_on.
    """
    next_on = sc.period.as_of + dt.timedelta(days=sc.policy.review_interval_days)
    if "supervision_actions" in sc.ws:
        counts = (
            sc.keyed(supervision_action_list.metric.build(sc))
            .group_by(sc.key)
            .agg(
                open_actions=(pl.col("status") != "done in period").sum().cast(pl.Int64),
                overdue_actions=(pl.col("status") == "overdue").sum().cast(pl.Int64),
                done_in_period=(pl.col("status") == "done in period").sum().cast(pl.Int64),
                earliest_open_due_on=pl.col("due_on").filter(pl.col("status") == "open").min(),
            )
        )
    else:
        counts = sc.keys().with_columns(earliest_open_due_on=pl.lit(None, pl.Date()))
    fill = ["open_actions", "overdue_actions", "done_in_period"]
    if "supervision_actions" not in sc.ws:
        counts = counts.with_columns(pl.lit(0, pl.Int64).alias(c) for c in fill)
    return sc.complete(counts, [sc.key], fill).with_columns(next_review_on=date_lit(next_on))


def _quarters(sc: Scope) -> pl.LazyFrame:
    """Each quarter the period touches, with the share of its days inside the period."""
    rows = []
    for month in sc.period.months():
        q = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        if rows and rows[-1]["quarter"] == q:
            continue
        q_end = dt.date(q.year + (q.month == 10), (q.month + 2) % 12 + 1, 1) - dt.timedelta(days=1)
        inside = (min(q_end, sc.period.end) - max(q, sc.period.start)).days + 1
        rows.append({"quarter": q, "share": inside / ((q_end - q).days + 1)})
    return pl.LazyFrame(rows, schema={"quarter": pl.Date(), "share": pl.Float64()})


@summary_metric(
    needs=("coaches",),
    columns={
        "quarter": pl.Date(),
        "agreed_hours": pl.Float64(),
        "received_hours": pl.Float64(),
        "meetings": pl.Int64(),
        "received_share": pl.Float64(),
    },
)
def supervision_agreed_vs_received(sc: Scope) -> pl.LazyFrame:
    """Supervision hours agreed and received, per quarter of the period.

    Agreed = `coaches.supervision_hours_per_quarter`, pro rata for a quarter the period covers
    only in part (a period of January-February agrees 2/3 of a quarter's hours); empty when no
    agreement is on record. Received = supervision met in the period, every format and reason.
    `received_share` = received / agreed (empty without an agreement). By region, the agreed and
    received hours are the sums over the region's coaches. Optional: supervision (0 received).
    Columns: key, quarter, agreed_hours, received_hours, meetings, received_share.
    """
    quarters = _quarters(sc)
    agreed = (
        sc.keyed(sc.table("coaches").select("coach_id", "supervision_hours_per_quarter"))
        .join(quarters, how="cross")
        .group_by(sc.key, "quarter")
        .agg(
            agreed_hours=pl.when(pl.col("supervision_hours_per_quarter").is_not_null().any()).then(
                (pl.col("supervision_hours_per_quarter") * pl.col("share")).sum()
            )
        )
    )
    met = sc.table("supervision").filter(sc.in_period("met_on"))
    received = (
        sc.keyed(met.with_columns(quarter=pl.col("met_on").dt.truncate("1q")))
        .group_by(sc.key, "quarter")
        .agg(received_hours=pl.col("hours").sum(), meetings=pl.len())
    )
    return (
        agreed.join(received, on=[sc.key, "quarter"], how="left")
        .with_columns(
            pl.col("received_hours").fill_null(0.0),
            pl.col("meetings").fill_null(0),
            agreed_hours=pl.col("agreed_hours").round(2),
        )
        .with_columns(
            received_share=pl.when(pl.col("agreed_hours") > 0).then(
                pl.col("received_hours") / pl.col("agreed_hours")
            )
        )
        .sort(sc.key, "quarter")
    )


#: Session flags that make a client one to discuss, and how the event is named.
SESSION_EVENTS = {
    "client_under_influence": "risk event: came to a session under the influence",
    "left_triggered_unsafe": "triggered exit: left a session triggered and unsafe",
    "decompensation_observed": "decompensation observed in a session",
}


def _event_schema(sc: Scope) -> dict[str, pl.DataType]:
    """The columns of the events to discuss, ids in the scope's dtype."""
    ids = sc.id_dtype
    return {
        "coach_id": ids,
        "client_id": ids,
        "engagement_id": ids,
        "event_on": pl.Date(),
        "event": pl.String(),
    }


def _session_events(sc: Scope) -> list[pl.LazyFrame]:
    """Held sessions of the period with a risk flag set, one row per flag (client known)."""
    if "sessions" not in sc.ws:
        return []
    held = sc.within_period(sc.held_to_end()).filter(pl.col("client_id").is_not_null())
    return [
        held.filter(pl.col(flag).fill_null(False)).select(
            "coach_id", "client_id", "engagement_id", event_on="held_on", event=pl.lit(text)
        )
        for flag, text in SESSION_EVENTS.items()
    ]


def _reason_words() -> pl.Expr:
    """The exclusion reason as the words reports print (its label in `vocabularies.toml`,
    else its name with underscores as spaces): this event text reaches the reader as is."""
    labels = load_schema().display_labels()
    reason = pl.col("exclusion_reason").cast(pl.String)
    return reason.replace(labels).str.replace_all("_", " ")


def _other_events(sc: Scope) -> list[pl.LazyFrame]:
    """Exclusions after a safety assessment and silent engagements of the period."""
    out = []
    if "safety_assessments" in sc.ws:
        out.append(
            sc.table("safety_assessments")
            .filter(sc.in_period("assessed_on") & (pl.col("outcome") == "excluded"))
            .select(
                "coach_id",
                "client_id",
                "engagement_id",
                event_on="assessed_on",
                event=pl.concat_str(
                    pl.lit("excluded after assessment ("),
                    _reason_words().fill_null("reason not recorded"),
                    pl.lit(")"),
                ),
            )
        )
    if "engagements" in sc.ws:
        out.append(
            silent_engagements.metric.build(sc)
            .filter(pl.col("client_id").is_not_null())
            .select(
                "coach_id",
                "client_id",
                "engagement_id",
                event_on=pl.coalesce("last_session_on", "started_on"),
                event=pl.format("silent engagement: no held session for {} days", "days_silent"),
            )
        )
    return out


def _first_after(events: pl.LazyFrame, later: pl.LazyFrame, on: str, name: str) -> pl.LazyFrame:
    """For each event, the first date in `later` (client_id, `on`) after the event and on or
    before the period end (already filtered), as column `name`."""
    firsts = (
        events.select("client_id", "event_on")
        .unique()
        .join(later.select("client_id", pl.col(on).alias(name)), on="client_id")
        .filter(pl.col(name) > pl.col("event_on"))
        .group_by("client_id", "event_on")
        .agg(pl.col(name).min())
    )
    return events.join(firsts, on=["client_id", "event_on"], how="left")


@case_metric(
    needs=(("sessions", "safety_assessments", "engagements"),),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "client_id": pl.String(),
        "engagement_id": pl.String(),
        "event_on": pl.Date(),
        "event": pl.String(),
        "next_referral_on": pl.Date(),
        "next_assessment_on": pl.Date(),
        "next_session_on": pl.Date(),
        "followed": pl.String(),
    },
)
def clients_to_discuss(sc: Scope) -> pl.LazyFrame:
    """Clients with a risk event, exclusion, decompensation, triggered exit or silent engagement.

    Events of the period: a held session flagged under the influence (risk event), triggered
    and unsafe (triggered exit) or decompensation observed; a safety assessment that excluded
    the client; an engagement silent at the period end (`silent_engagements`, dated at its last
    held session). What followed, up to the period end: the client's first referral, safety
    assessment and held session after the event, and `followed` says it in words ("nothing
    recorded since" when none). Group sessions name no client and are left out. Clients appear
    by their record id (a pseudonym). Optional: sessions, safety_assessments, engagements,
    referrals. Columns: coach_id, region, client_id, engagement_id, event_on, event,
    next_referral_on, next_assessment_on, next_session_on, followed.
    """
    parts = [*_session_events(sc), *_other_events(sc)]
    # read by each `_first_after` twice: computed once
    schema = _event_schema(sc)
    events = pl.concat([p.cast(schema) for p in parts]).cache() if parts else None
    if events is None:
        return pl.LazyFrame(schema=schema).pipe(sc.with_region)
    referrals = sc.table("referrals").filter(pl.col("referred_on") <= sc.as_of)
    assessments = sc.table("safety_assessments").filter(pl.col("assessed_on") <= sc.as_of)
    sessions = (
        sc.held_to_end()
        if "sessions" in sc.ws
        else pl.LazyFrame(schema={"client_id": sc.id_dtype, "held_on": pl.Date()})
    )
    events = _first_after(events, referrals, "referred_on", "next_referral_on")
    events = _first_after(events, assessments, "assessed_on", "next_assessment_on")
    events = _first_after(events, sessions, "held_on", "next_session_on")
    said = [
        pl.format("referral on {}", pl.col("next_referral_on").dt.to_string("%Y-%m-%d")),
        pl.format("next assessment on {}", pl.col("next_assessment_on").dt.to_string("%Y-%m-%d")),
        pl.format("next session on {}", pl.col("next_session_on").dt.to_string("%Y-%m-%d")),
    ]
    followed = pl.concat_str(said, separator="; ", ignore_nulls=True)
    return sc.with_region(
        events.with_columns(
            followed=pl.when(followed == "")
            .then(pl.lit("nothing recorded since"))
            .otherwise(followed)
        )
    ).sort("coach_id", "event_on", "client_id", "event")
