"""Safety facts the reports print: exclusions by reason and what happened in sessions (issue 15).

The Code asks coaches to assess safety before coaching, to exclude clients in active addiction,
self-harm or suicidality, to reschedule a client who arrives under the influence and to see that
no client leaves triggered and unsafe. The checks judge each case; these metrics count them.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import summary_metric
from trc_analytics.scope import Scope


@summary_metric(
    needs=("safety_assessments",),
    columns={"reason": pl.String(), "assessments": pl.Int64()},
)
def exclusions_by_reason(sc: Scope) -> pl.LazyFrame:
    """Safety assessments of the period that excluded the client, by exclusion reason.

    A missing reason counts as `not_recorded`. Columns: key, reason, assessments.
    """
    excluded = sc.table("safety_assessments").filter(
        (pl.col("outcome") == "excluded") & sc.in_period("assessed_on")
    )
    return (
        sc.keyed(excluded)
        .group_by(
            sc.key, reason=pl.col("exclusion_reason").cast(pl.String).fill_null("not_recorded")
        )
        .agg(assessments=pl.len())
        .sort(sc.key, "reason")
    )


@summary_metric(
    needs=("sessions",),
    columns={
        "influence_held": pl.Int64(),
        "influence_rescheduled": pl.Int64(),
        "triggered": pl.Int64(),
        "decompensation": pl.Int64(),
    },
)
def session_safety_events(sc: Scope) -> pl.LazyFrame:
    """Sessions of the period by what happened to the client's safety in them.

    influence_held: held with the client under the influence; influence_rescheduled:
    rescheduled because of it; triggered: held, and the client left triggered and unsafe;
    decompensation: held, and decompensation was observed. Columns: key, influence_held,
    influence_rescheduled, triggered, decompensation.
    """
    held = pl.col("status") == "held"
    counts = (
        sc.keyed(sc.within_period(sc.table("sessions")))
        .group_by(sc.key)
        .agg(
            influence_held=(pl.col("client_under_influence").fill_null(False) & held).sum(),
            influence_rescheduled=(pl.col("status") == "rescheduled_under_influence").sum(),
            triggered=(pl.col("left_triggered_unsafe").fill_null(False) & held).sum(),
            decompensation=(pl.col("decompensation_observed").fill_null(False) & held).sum(),
        )
    )
    fill = ["influence_held", "influence_rescheduled", "triggered", "decompensation"]
    return sc.complete(counts, [sc.key], fill)
