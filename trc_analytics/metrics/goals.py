"""Goals set and reached with clients in the period (issue 15): the self-audit's goals section.

A goal is set on `set_on` and closed on `closed_on` with a status (achieved, revised,
released); one still open at the period end is being worked on.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import summary_metric
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
