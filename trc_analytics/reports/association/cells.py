"""Small helpers the association tables share: category grids, counts onto them, hidden cells."""

from __future__ import annotations

from typing import Any

import polars as pl

from trc_analytics.errors import MissingTables
from trc_analytics.metrics import registry
from trc_analytics.reports.context import ReportContext

#: Label of the totals row/column in published tables.
TOTAL = "Total"


def regional(ctx: ReportContext, name: str) -> tuple[pl.DataFrame, str | None]:
    """A registered metric grouped by region, for every coach (or its empty frame and note)."""
    try:
        return registry()[name].fn(ctx.ws, ctx.period, by="region", policy=ctx.policy), None
    except MissingTables as exc:
        return exc.empty, str(exc)


def regions(ctx: ReportContext) -> list[str]:
    """Every region of the workspace's coaches, sorted."""
    return sorted(ctx.ws["coaches"].get_column("region").unique().to_list())


def coach_region(ctx: ReportContext) -> pl.DataFrame:
    """coach_id and region of every coach (who contributes to which region's figures)."""
    return ctx.ws["coaches"].select("coach_id", "region")


def grid(*columns: tuple[str, list[Any]]) -> pl.DataFrame:
    """Every combination of the given categories (so zero counts are present)."""
    out = pl.DataFrame({columns[0][0]: columns[0][1]})
    for name, values in columns[1:]:
        out = out.join(pl.DataFrame({name: values}), how="cross")
    return out


def onto(frame: pl.DataFrame, keys: list[str], categories: pl.DataFrame, value: str):
    """`value` of `frame` summed by `keys` onto `categories`, zeros filled (keys typed as in
    `categories`: a vocabulary column is an Enum in the workspace, text in the grid)."""
    summed = (
        frame.group_by(keys)
        .agg(pl.col(value).sum())
        .with_columns(pl.col(k).cast(categories.schema[k]) for k in keys)
    )
    return (
        categories.join(summed, on=keys, how="left")
        .with_columns(pl.col(value).fill_null(0).cast(pl.Int64()))
        .sort(keys)
    )


def published(frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """Rows of a published table whose value is shown (hidden ones are not drawn)."""
    return frame.filter(pl.col(value).is_not_null())


def hidden(frame: pl.DataFrame, rules: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Row positions, per column, of cells disclosure control withheld (for `Table`)."""
    marks = frame.select(**{c: e for c, e in rules.items()}).with_row_index()
    return {c: set(marks.filter(pl.col(c))["index"].to_list()) for c in rules}


def rate_hidden(
    frame: pl.DataFrame, numerator: str, denominator: str, rate: str
) -> dict[str, set[int]]:
    """Hidden cells of a `protect_rate` result: a rate is hidden when a count it rests on is."""
    hidden_count = pl.col(numerator).is_null() | pl.col(denominator).is_null()
    return hidden(
        frame,
        {
            numerator: pl.col(numerator).is_null(),
            denominator: pl.col(denominator).is_null(),
            rate: hidden_count,
        },
    )
