"""The association report's charts, each drawn from the published cells of one table. A hidden
figure is never drawn (not even as zero); a category whose figure is hidden keeps its row,
marked "suppressed", so it does not vanish from the chart."""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.reports import charts
from trc_analytics.reports.association.cells import published
from trc_analytics.reports.association.release import STATUSES


def withheld(frame: pl.DataFrame, shown: pl.DataFrame, category: str, value: str) -> list[str]:
    """Categories of a published table with a `value` disclosure control hid and nothing in
    `shown` (the rows the chart draws), in the table's order: the chart marks them."""
    drawn = set(shown.get_column(category).to_list())
    hidden = frame.filter(pl.col(value).is_null()).get_column(category)
    return [c for c in hidden.unique(maintain_order=True).to_list() if c not in drawn]


def partly_withheld(
    frame: pl.DataFrame, shown: pl.DataFrame, category: str, value: str
) -> list[str]:
    """Categories drawn from `shown` of which another cell of `frame` is hidden (a kind of
    credential with its lapsed count withheld): the drawn part is not the whole, and the chart
    marks it so."""
    drawn = set(shown.get_column(category).to_list())
    hidden = frame.filter(pl.col(value).is_null()).get_column(category)
    return [c for c in hidden.unique(maintain_order=True).to_list() if c in drawn]


def served(cells: pl.DataFrame) -> Any:
    """Clients served by region."""
    shown = published(cells, "clients")
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "region",
        "clients",
        x_title="Clients served",
        values="count",
        hidden=withheld(cells, shown, "region", "clients"),
    )


def sessions(month_totals: pl.DataFrame) -> Any:
    """Sessions held per month (the published month totals); a hidden month keeps its place
    on the axis, marked "suppressed", so it does not read as a month without sessions."""
    shown = published(month_totals, "sessions")
    if not shown.height:
        return None
    return charts.monthly(
        shown,
        {"sessions": "Sessions held"},
        y_title="Sessions held",
        hidden=withheld(month_totals, shown, "month", "sessions"),
    )


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
        values="count",
        hidden=withheld(table, shown, "area", "sessions"),
    )


def compliance(rates: pl.DataFrame) -> Any:
    """Share of cases kept, per check with a published rate (the others marked)."""
    shown = published(rates, "kept_pct")
    if not shown.height:
        return None
    return charts.share_bars(
        shown,
        "check",
        "kept_pct",
        x_title="Cases kept (%)",
        hidden=withheld(rates, shown, "check", "kept_pct"),
    )


def referrals(row_totals: pl.DataFrame) -> Any:
    """Referrals by reason (the published row totals; hidden ones marked)."""
    shown = published(row_totals, "referrals")
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "reason",
        "referrals",
        x_title="Referrals",
        values="count",
        hidden=withheld(row_totals, shown, "reason", "referrals"),
    )


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
        values="count",
        hidden=withheld(cells, shown, "credential", "credentials"),
        partly_hidden=partly_withheld(cells, shown, "credential", "credentials"),
    )


def giving(fee_cells: pl.DataFrame, community_cells: pl.DataFrame | None) -> Any:
    """Community-service hours by kind, else hours by fee."""
    if community_cells is not None:
        shown = published(community_cells, "hours")
        if shown.height:
            return charts.bars(
                shown,
                "kind",
                "hours",
                x_title="Community-service hours",
                hidden=withheld(community_cells, shown, "kind", "hours"),
            )
    shown = published(fee_cells, "hours")
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "fee_type",
        "hours",
        x_title="Hours held",
        hidden=withheld(fee_cells, shown, "fee_type", "hours"),
    )


def renewals(by_readiness: pl.DataFrame) -> Any:
    """Renewals due soon by readiness (published, non-zero rows; hidden ones marked)."""
    shown = published(by_readiness, "renewals").filter(pl.col("renewals") > 0)
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "readiness",
        "renewals",
        x_title="Renewals due soon (published)",
        values="count",
        sort_by_value=False,
        hidden=withheld(by_readiness, shown, "readiness", "renewals"),
    )


def attainment(rates: pl.DataFrame) -> Any:
    """Share of scored goals at or above expectation per region (published rows; hidden ones
    marked)."""
    shown = rates.filter(pl.col("at_or_above_pct").is_not_null())
    if not shown.height:
        return None
    return charts.bars(
        shown,
        "region",
        "at_or_above_pct",
        x_title="Scored goals at or above the expected outcome (%)",
        values="rate",
        hidden=withheld(rates, shown, "region", "at_or_above_pct"),
    )
