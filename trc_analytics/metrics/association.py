"""Counts the association report protects before it publishes them (issue 15).

Disclosure control needs each published count twice: as a count by category, and as a sum of
each coach's contribution (so a category one or two coaches make is hidden). These metrics give
the per-coach pieces; the report's tables add them up, protect them and lay them out.
"""

from __future__ import annotations

import polars as pl

from trc_analytics.metrics.registry import case_metric, summary_metric
from trc_analytics.scope import Scope


@summary_metric(needs=("coaches",), columns={"coaches": pl.Int64()})
def active_coaches(sc: Scope) -> pl.LazyFrame:
    """Coaches marked active (0 or 1 per coach; by region, how many).

    Columns: key, coaches.
    """
    active = sc.keyed(sc.table("coaches").filter(pl.col("active").fill_null(False)))
    counts = active.group_by(sc.key).agg(coaches=pl.len())
    return sc.complete(counts, [sc.key], ["coaches"])


@case_metric(
    needs=("sessions",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "month": pl.Date(),
        "sessions": pl.Int64(),
        "hours": pl.Float64(),
    },
)
def held_by_coach_month(sc: Scope) -> pl.LazyFrame:
    """Held sessions and their hours, per coach and month of the period.

    One row per coach and month with a held session. Columns: coach_id, region, month,
    sessions, hours.
    """
    # from the shared per coach, month and fee type counts; the region joined to the counts
    counts = sc.fee_months().group_by("coach_id", "month").agg(pl.col("sessions", "hours").sum())
    return sc.with_region(counts).sort("region", "month", "coach_id")


@case_metric(
    needs=("sessions",),
    columns={
        "coach_id": pl.String(),
        "region": pl.String(),
        "area": pl.String(),
        "sessions": pl.Int64(),
        "clients": pl.Int64(),
    },
)
def held_by_coach_area(sc: Scope) -> pl.LazyFrame:
    """Held sessions and the distinct clients present at them, per coach and area.

    Clients are counted as in `attendance` (a group session counts its members present).
    One row per coach and area with a held session. Columns: coach_id, region, area,
    sessions, clients.
    """
    sessions = sc.with_region(
        sc.held_in_period()
        .group_by("coach_id", "area")
        .agg(sessions=pl.len())
        .with_columns(pl.col("area").cast(pl.String))
    )
    clients = (
        sc.area_clients()
        .group_by("coach_id", "area")
        .agg(clients=pl.len())
        .with_columns(pl.col("area").cast(pl.String))
    )
    return (
        sessions.join(clients, on=["coach_id", "area"], how="left")
        .with_columns(pl.col("clients").fill_null(0))
        .sort("area", "coach_id")
    )


@case_metric(needs=("sessions",), columns={"area": pl.String(), "clients": pl.Int64()})
def clients_by_area(sc: Scope) -> pl.LazyFrame:
    """Distinct clients present at a held session of the period, per area, coaches together.

    A client seen by two coaches of the scope counts once. Columns: area, clients.
    """
    return (
        sc.area_clients()
        .group_by(pl.col("area").cast(pl.String))
        .agg(clients=pl.col("client_id").n_unique())
        .sort("area")
    )
