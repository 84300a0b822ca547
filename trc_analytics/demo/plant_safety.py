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

NOT_SHOWCASE = pl.col("_k") != 0


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
