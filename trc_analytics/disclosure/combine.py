"""Counts of what coaches do (sessions held, clients served) obey both rules at once.

A count of sessions or clients is a count (1..min_cell-1 hidden) and also a sum of each coach's
contribution: a region or area with one or two coaches would otherwise publish that coach's own
activity. `both_rules` publishes a figure only where the count table and the contributor/
dominance table both publish it. Publishing a subset of what each audited table publishes can
only widen what an attacker derives, so both tables' guarantees still hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from trc_analytics.disclosure.magnitude import ProtectedMagnitudes, protect_magnitudes
from trc_analytics.disclosure.suppression import DEFAULT_MARKER, Protected, wide_table

if TYPE_CHECKING:
    from trc_analytics.policy import Policy


@dataclass(frozen=True)
class PublishedView:
    """A count table as published under both rules (same display API as `Protected`)."""

    rows: str
    cols: str | None
    value: str
    cells: pl.DataFrame
    row_totals: pl.DataFrame | None
    col_totals: pl.DataFrame | None
    total: int | None
    totals: str
    rule: str

    @property
    def n_suppressed(self) -> int:
        """How many numbers (cells and totals) are hidden."""
        lines = [t for t in (self.cells, self.row_totals, self.col_totals) if t is not None]
        hidden = sum(int(t["suppressed"].sum()) for t in lines)
        return hidden + int(self.totals != "none" and self.total is None)

    def to_wide(self, marker: str = DEFAULT_MARKER, *, total_label: str = "Total") -> pl.DataFrame:
        """Text table for display, hidden cells as `marker` (see `Protected.to_wide`)."""
        return wide_table(self, marker=marker, total_label=total_label)


def _meet(
    counts: pl.DataFrame | None, sums: pl.DataFrame | None, keys: list[str], value: str
) -> pl.DataFrame | None:
    """`counts` with every figure `sums` hides hidden too."""
    if counts is None:
        return None
    if sums is None:
        return counts
    # keys typed as in `counts` (a vocabulary column may be an Enum on one side, text on the other)
    other = sums.select(*(pl.col(k).cast(counts.schema[k]) for k in keys), _other="suppressed")
    hidden = pl.col("suppressed") | pl.col("_other").fill_null(False)
    return (
        counts.join(other, on=keys, how="left", maintain_order="left")
        .with_columns(suppressed=hidden)
        .with_columns(
            pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(value)).alias(value)
        )
        .drop("_other")
    )


def both_rules(counts: Protected, sums: ProtectedMagnitudes) -> PublishedView:
    """Publish a count only where `counts` (cell-size rule) and `sums` (the same figure as a
    sum of per-coach contributions: contributor and dominance rules) both publish it."""
    if (counts.rows, counts.cols) != (sums.rows, sums.cols):
        raise ValueError("both_rules needs two tables over the same rows and columns")
    keys = [counts.rows] if counts.cols is None else [counts.rows, counts.cols]
    value = counts.value
    sum_cells = sums.cells.rename({sums.value: value}) if sums.value != value else sums.cells
    total_hidden = counts.total is None or counts.total_suppressed or sums.total is None
    return PublishedView(
        rows=counts.rows,
        cols=counts.cols,
        value=value,
        cells=_meet(counts.cells, sum_cells, keys, value),
        row_totals=_meet(counts.row_totals, sums.row_totals, [counts.rows], value),
        col_totals=_meet(
            counts.col_totals, sums.col_totals, [counts.cols] if counts.cols else [], value
        ),
        total=None if total_hidden else counts.total,
        totals=counts.totals,
        rule=f"{counts.rule} {sums.rule}",
    )


def hide_rows_few_contribute(
    frame: pl.DataFrame,
    *,
    rows: str,
    columns: list[str],
    contributions: pl.DataFrame,
    value: str,
    contributor: str,
    policy: Policy | None = None,
    table: str = "table",
) -> pl.DataFrame:
    """`frame` (one row per `rows` category, e.g. a published rate table) with `columns` made
    null where the category's `value` comes from too few coaches or one or two dominate
    (`contributions`: one row per contributor and category): such a row is their own record."""
    few = protect_magnitudes(
        contributions.with_columns(pl.col(value).cast(pl.Float64)),
        rows=rows,
        value=value,
        contributor=contributor,
        policy=policy,
        totals="none",
        table=table,
    ).cells.filter(pl.col("suppressed"))[rows]
    hide = pl.col(rows).is_in(few.implode())
    return frame.with_columns(
        pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in columns
    )
