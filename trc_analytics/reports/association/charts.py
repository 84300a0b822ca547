"""The association report's charts, each drawn from the published cells of one table (hidden
cells are left out, never drawn as zero)."""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.reports import charts
from trc_analytics.reports.association.cells import published
from trc_analytics.reports.association.release import STATUSES


def served(cells: pl.DataFrame) -> Any:
    """Clients served by region."""
    shown = published(cells, "clients")
    if not shown.height:
        return None
    return charts.bars(shown, "region", "clients", x_title="Clients served", value_format="d")


def sessions(month_totals: pl.DataFrame) -> Any:
    """Sessions held per month (the published month totals)."""
    shown = published(month_totals, "sessions")
    if not shown.height:
        return None
    return charts.monthly(shown, {"sessions": "Sessions held"}, y_title="Sessions held")


def demand(table: pl.DataFrame) -> Any:
    """Sessions by area, coloured by whether training is needed."""
    shown = (
        published(table, "sessions")
        .filter(pl.col("sessions") > 0)
        .with_columns(
            need=pl.when(pl.col("training_needed").fill_null(False))
            .then(pl.lit("training needed"))
            .otherwise(pl.lit("covered"))
        )
    )
    if not shown.height:
        return None
    return charts.bars(
        shown.select("area", "sessions", "need"),
        "area",
        "sessions",
        x_title="Sessions held",
        colour="need",
        colour_title=None,
        colours={"covered": charts.PALETTE[0], "training needed": charts.PALETTE[3]},
        value_format="d",
    )


def compliance(shown: pl.DataFrame) -> Any:
    """Share of cases kept, per check with a published rate."""
    if not shown.height:
        return None
    return charts.share_bars(shown, "check", "kept_pct", x_title="Cases kept (%)")


def referrals(shown: pl.DataFrame) -> Any:
    """Referrals by reason (published row totals)."""
    if not shown.height:
        return None
    return charts.bars(shown, "reason", "referrals", x_title="Referrals", value_format="d")


def pipeline(cells: pl.DataFrame) -> Any:
    """Credentials by kind, coloured by status (published, non-zero cells)."""
    shown = published(cells, "credentials").filter(pl.col("credentials") > 0)
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "credential",
        "credentials",
        x_title="Credentials (published cells)",
        colour="status",
        colour_title="Status",
        colour_order=STATUSES,
        colours=dict(zip(STATUSES, charts.PALETTE[:4], strict=True)),
        value_format="d",
    )


def giving(fee_cells: pl.DataFrame, community_cells: pl.DataFrame | None) -> Any:
    """Community-service hours by kind, else hours by fee."""
    if community_cells is not None:
        shown = published(community_cells, "hours")
        if shown.height:
            return charts.bars(shown, "kind", "hours", x_title="Community-service hours")
    shown = published(fee_cells, "hours")
    if not shown.height:
        return None
    return charts.bars(shown, "fee_type", "hours", x_title="Hours held")


def renewals(by_readiness: pl.DataFrame) -> Any:
    """Renewals due soon by readiness (published, non-zero rows)."""
    shown = published(by_readiness, "renewals").filter(pl.col("renewals") > 0)
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "readiness",
        "renewals",
        x_title="Renewals due soon (published)",
        value_format="d",
        sort_by_value=False,
    )


def attainment(rates: pl.DataFrame) -> Any:
    """Share of scored goals at or above expectation per region (published rows)."""
    shown = rates.filter(pl.col("at_or_above_pct").is_not_null())
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "region",
        "at_or_above_pct",
        x_title="Scored goals at or above the expected outcome (%)",
        value_format=".0f",
    )
