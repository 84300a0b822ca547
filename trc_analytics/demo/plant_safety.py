"""Planted safety cases: SAFE-SRA, SAFE-EXCLUDED, SAFE-INFLUENCE, SAFE-TRIGGERED, SAFE-DECOMP,
SAFE-REASSESS, and the near-misses of an under-influence session properly rescheduled by C-0001
and of a reassessment on the day of each planted triggered exit or decompensation."""

from __future__ import annotations

import numpy as np
import polars as pl

from trc_analytics.demo.dates import as_dates, day
from trc_analytics.demo.manifest import cases, planted_count
from trc_analytics.demo.picking import days_of, scatter, showcase_cases
from trc_analytics.demo.sampling import between
from trc_analytics.demo.stage import Stage
from trc_analytics.policy import Policy

NOT_SHOWCASE = pl.col("_k") != 0
#: Days before the first session a planted stale assessment (no engagement named) was made.
STALE_DAYS = Policy().sra_valid_days + 30


def plant_assessments(st: Stage) -> list[pl.DataFrame]:
    """SAFE-SRA (no assessment, or one after the first session; group members never assessed)
    and SAFE-EXCLUDED (the assessment excluded the client, yet sessions went on)."""
    p, rec, one = st.pick, st.rec, st.one
    end = day(st.cfg.end)
    n_coaching = rec.engagements.filter(pl.col("coaching_relationship")).height
    k = planted_count(st.rate, n_coaching)
    with_sessions = pl.col("first_held").is_not_null()
    sra = p.choose(one.filter(NOT_SHOWCASE & with_sessions), k, p.between("first_held"), by="_c")
    show = p.choose(
        one.filter((pl.col("_k") == 0) & with_sessions),
        showcase_cases(st.cfg),
        p.between("first_held", 0, 20),
        by="_c",
    )
    sra = pl.concat([sra, show.with_columns(_first=pl.lit(False))])
    late = (np.arange(sra.height) % 2 == 1) | (sra["_k"].to_numpy() == 0)
    first_held = days_of(sra, "first_held")
    late_on = first_held + between(st.rng, np.full(sra.height, 3), 21)
    late &= late_on <= end
    a = rec.safety_assessments
    drop = sra.filter(pl.Series(~late)).select("_e", "_c")
    move = sra.filter(pl.Series(late)).select(
        "_e", "_c", pl.Series(as_dates(late_on[late])).alias("_late")
    )
    a = a.join(drop, on=["_e", "_c"], how="anti", maintain_order="left")
    a = (
        a.join(move, on=["_e", "_c"], how="left", maintain_order="left")
        .with_columns(assessed_on=pl.coalesce("_late", "assessed_on"))
        .drop("_late")
    )
    # A few group members are never assessed.
    groups = rec.engagements.filter(pl.col("format").is_in(["group", "retreat"]))
    members = rec.group_members.join(
        groups.select("_g", "_e", "_k"), on="_g", maintain_order="left"
    )
    members = members.filter(NOT_SHOWCASE).sort("_e", "_c")
    gm = p.choose(members, max(1, k // 4) if k else 0, p.between("joined_on"), by="_c")
    a = a.join(gm.select("_e", "_c"), on=["_e", "_c"], how="anti", maintain_order="left")
    rec.safety_assessments = a
    out = [
        cases(
            "SAFE-SRA",
            sra["_k"].to_numpy(),
            first_held,
            np.where(late, "assessed after the first session", "never assessed"),
            client=sra["_c"].to_numpy(),
            engagement=sra["_e"].to_numpy(),
            first=sra["_first"].to_numpy(),
        ),
        cases(
            "SAFE-SRA",
            gm["_k"].to_numpy(),
            days_of(gm, "joined_on"),
            "group member never assessed",
            client=gm["_c"].to_numpy(),
            engagement=gm["_e"].to_numpy(),
        ),
    ]

    out.extend(plant_sra_corrected(st, k))

    n_excluded = rec.safety_assessments.filter(pl.col("outcome") == "excluded").height
    ex = p.choose(
        one.filter(NOT_SHOWCASE & with_sessions & (pl.col("_n") >= 3)),
        planted_count(st.rate, n_excluded),
        p.between("first_held", 0, 30),
        by="_c",
    )
    reasons = np.where(np.arange(ex.height) % 2 == 0, "active_addiction", "active_self_harm")
    flip = ex.select("_e", "_c", pl.Series(reasons.astype(str)).alias("_why"))
    rec.safety_assessments = (
        rec.safety_assessments.join(flip, on=["_e", "_c"], how="left", maintain_order="left")
        .with_columns(
            outcome=pl.when(pl.col("_why").is_not_null())
            .then(pl.lit("excluded"))
            .otherwise(pl.col("outcome")),
            exclusion_reason=pl.coalesce("_why", "exclusion_reason"),
        )
        .drop("_why")
    )
    out.append(
        cases(
            "SAFE-EXCLUDED",
            ex["_k"].to_numpy(),
            days_of(ex, "first_held"),
            "sessions held after an excluding assessment",
            client=ex["_c"].to_numpy(),
            engagement=ex["_e"].to_numpy(),
            first=ex["_first"].to_numpy(),
        )
    )
    return out


def plant_session_flags(st: Stage) -> list[pl.DataFrame]:
    """Held although under the influence, left triggered and unsafe, decompensation without a
    referral; and C-0001 rescheduling an under-influence session (near-miss)."""
    p, rec = st.pick, st.rec
    referred = rec.referrals["_c"].unique().implode()
    far_from_end = pl.col("_seq") < pl.col("_seq").max().over("_e") - 2
    out = []
    for check, column, pool_filter, note in (
        (
            "SAFE-INFLUENCE",
            "client_under_influence",
            pl.lit(True),
            "held although the client was under the influence",
        ),
        (
            "SAFE-TRIGGERED",
            "left_triggered_unsafe",
            pl.lit(True),
            "client left significantly triggered and unsafe",
        ),
        (
            "SAFE-DECOMP",
            "decompensation_observed",
            ~pl.col("_c").is_in(referred) & far_from_end,
            "decompensation observed, no referral to therapy",
        ),
    ):
        hit = p.choose(
            st.inner.filter(NOT_SHOWCASE & pool_filter),
            planted_count(st.rate, st.roster.n),
            p.between("held_on", 0, 10),
            by="_e",
        )
        rec.sessions = scatter(rec.sessions, hit["_s"], {column: True})
        if check != "SAFE-INFLUENCE":
            reassessed(st, hit)
        out.append(
            cases(
                check,
                hit["_k"].to_numpy(),
                days_of(hit, "held_on"),
                note,
                client=hit["_c"].to_numpy(),
                engagement=hit["_e"].to_numpy(),
                first=hit["_first"].to_numpy(),
            )
        )

    out.append(plant_cancelled_influence(st))

    resched = p.choose(st.inner.filter(pl.col("_k") == 0), 1, p.between("held_on", 0, 10), by="_e")
    rec.sessions = scatter(
        rec.sessions,
        resched["_s"],
        {
            "status": "rescheduled_under_influence",
            "duration_min": 0,
            "fee_amount": 0.0,
            "client_under_influence": True,
        },
    )
    return out


def reassessed(st: Stage, hits: pl.DataFrame) -> None:
    """A safety assessment on the day of each planted risk event (trigger `risk_event`): the
    reassessment SAFE-REASSESS asks for, so a planted exit or decompensation stays one case."""
    a = st.rec.safety_assessments
    new = hits.select(
        "_k",
        "_c",
        "_e",
        assessed_on="held_on",
        outcome=pl.lit("cleared_with_plan"),
        exclusion_reason=pl.lit(None, pl.String),
        trigger=pl.lit("risk_event"),
    )
    st.rec.safety_assessments = pl.concat([a, new.select(a.columns)], how="vertical_relaxed")


def plant_reassess(st: Stage) -> list[pl.DataFrame]:
    """SAFE-REASSESS: a client under the influence at two sessions in a row (both rescheduled,
    as the Code asks), then the next session held with no new safety assessment."""
    p, rec = st.pick, st.rec
    hit = p.choose(
        st.inner.filter(NOT_SHOWCASE & (pl.col("_seq") >= 2)),
        planted_count(st.rate, st.roster.n),
        p.between("held_on", 0, 30),
        by="_e",
    )
    if hit.height == 0:
        return []
    prev = rec.sessions.join(
        hit.select("_e", _seq=pl.col("_seq") - 1), on=["_e", "_seq"], how="semi"
    )["_s"]
    after = (
        st.held_one.join(hit.select("_e", _after="held_on"), on="_e")
        .filter(pl.col("held_on") > pl.col("_after"))
        .group_by("_e")
        .agg(_next=pl.col("held_on").min())
    )
    hit = hit.join(after, on="_e", maintain_order="left")
    rescheduled = {
        "status": "rescheduled_under_influence",
        "duration_min": 0,
        "fee_amount": 0.0,
        "client_under_influence": True,
    }
    rec.sessions = scatter(rec.sessions, pl.concat([hit["_s"], prev]), rescheduled)
    return [
        cases(
            "SAFE-REASSESS",
            hit["_k"].to_numpy(),
            days_of(hit, "_next"),
            "second under-influence episode, next session without a new assessment",
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
    ]


def plant_sra_corrected(st: Stage, k: int) -> list[pl.DataFrame]:
    """SAFE-SRA as issue 14 reads it: a one-to-one engagement marked not a coaching relationship
    (minor, classification to confirm), and an assessment naming no engagement made more than
    `sra_valid_days` before the first session."""
    p, rec, one = st.pick, st.rec, st.one
    n = max(1, k // 8) if k else 0
    pool = one.filter(NOT_SHOWCASE & pl.col("first_held").is_not_null())
    marked = p.choose(pool, n, p.between("first_held"), by="_c")
    rec.engagements = rec.engagements.with_columns(
        coaching_relationship=pl.when(pl.col("_e").is_in(marked["_e"].implode()))
        .then(pl.lit(False))
        .otherwise(pl.col("coaching_relationship"))
    )
    stale = p.choose(pool, n, p.between("first_held"), by="_c")
    old = stale.select(
        "_e", "_c", _old=pl.col("first_held") - pl.duration(days=STALE_DAYS), _stale=pl.lit(True)
    )
    rec.safety_assessments = (
        rec.safety_assessments.join(old, on=["_e", "_c"], how="left", maintain_order="left")
        .with_columns(
            assessed_on=pl.coalesce("_old", "assessed_on"),
            _e=pl.when(pl.col("_stale")).then(pl.lit(None, pl.Int64)).otherwise(pl.col("_e")),
        )
        .drop("_old", "_stale")
    )
    return [
        cases(
            "SAFE-SRA",
            frame["_k"].to_numpy(),
            days_of(frame, "first_held"),
            note,
            client=frame["_c"].to_numpy(),
            engagement=frame["_e"].to_numpy(),
        )
        for frame, note in (
            (marked, "one-to-one marked not a coaching relationship (minor)"),
            (stale, "only an assessment naming no engagement, made long before"),
        )
    ]


def plant_risk_referral(st: Stage) -> list[pl.DataFrame]:
    """SAFE-EXCLUDED and SAFE-REASSESS: a referral to medical care for addiction, then coaching
    sessions held with no assessment since (so none that clears the client)."""
    p, rec = st.pick, st.rec
    refs = rec.referrals.with_row_index("_r")
    after = (
        st.held_one.join(refs.select("_r", "_c", "referred_on"), on="_c")
        .filter(pl.col("held_on") > pl.col("referred_on"))
        .group_by("_r")
        .agg(_next=pl.col("held_on").min(), _e=pl.col("_e").sort_by("held_on").first())
    )
    pool = (
        refs.filter(
            pl.col("_exit_e").is_null() & (pl.col("service_type") == "medical") & NOT_SHOWCASE
        )
        .join(after, on="_r")
        .sort("_r")
    )
    hit = p.choose(
        pool, planted_count(st.rate, st.roster.n, 0.5), p.between("_next", 0, 20), by="_c"
    )
    rec.referrals = refs.with_columns(
        reason=pl.when(pl.col("_r").is_in(hit["_r"].implode()))
        .then(pl.lit("addiction"))
        .otherwise(pl.col("reason"))
    ).drop("_r")
    return [
        cases(
            check,
            hit["_k"].to_numpy(),
            days_of(hit, "_next"),
            "sessions after a referral for addiction, no assessment since",
            client=hit["_c"].to_numpy(),
            engagement=hit["_e"].to_numpy(),
            first=hit["_first"].to_numpy(),
        )
        for check in ("SAFE-EXCLUDED", "SAFE-REASSESS")
    ]


def plant_cancelled_influence(st: Stage) -> pl.DataFrame:
    """SAFE-INFLUENCE (minor): a session with the client under the influence cancelled rather
    than rescheduled for it."""
    p, rec = st.pick, st.rec
    cancelled = p.choose(
        st.inner.filter(NOT_SHOWCASE),
        planted_count(st.rate, st.roster.n, 0.5),
        p.between("held_on", 0, 10),
        by="_e",
    )
    rec.sessions = scatter(
        rec.sessions,
        cancelled["_s"],
        {
            "status": "cancelled",
            "duration_min": 0,
            "fee_amount": 0.0,
            "client_under_influence": True,
        },
    )
    return cases(
        "SAFE-INFLUENCE",
        cancelled["_k"].to_numpy(),
        days_of(cancelled, "held_on"),
        "client under the influence, session cancelled rather than rescheduled (minor)",
        client=cancelled["_c"].to_numpy(),
        engagement=cancelled["_e"].to_numpy(),
    )
