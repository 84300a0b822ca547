"""Rates and proportions that never reveal a hidden count.

A proportion (compliant / eligible) reveals three counts: the numerator, the denominator and
their difference. `protect_rate` protects all three together (a table of "yes" and "no" counts
whose row totals are the denominators); `rate_of` divides two protected tables, hiding a rate
whenever its numerator or denominator is hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from trc_analytics.disclosure.guard import DisclosureError
from trc_analytics.disclosure.suppression import Protected, protect_counts

if TYPE_CHECKING:
    from trc_analytics.policy import Policy


def protect_rate(
    frame: pl.DataFrame,
    *,
    rows: str,
    numerator: str,
    denominator: str,
    policy: Policy | None = None,
    known_total: bool = False,
    table: str = "table",
) -> tuple[pl.DataFrame, Protected]:
    """Proportions `numerator / denominator` by `rows` (numerator counts a subset of the
    denominator), with disclosure control on all the counts they rest on.

    Returns the published frame (`rows`, `numerator`, `denominator`, `rate` in percent; null
    where hidden) and the `Protected` yes/no table behind it (for its rule and audit). A row
    is shown only when the numerator, the denominator and their difference can all be shown;
    otherwise all three are hidden, so a numerator or denominator published by another table
    (all sessions, say) cannot give the small difference away.

    Publish the denominators from here, not from a second table: a denominator shown
    elsewhere while its rate is hidden lets the attacker bound the hidden counts. When the sum
    of the denominators (e.g. all sessions) is published elsewhere, pass `known_total=True`.

    One table alone: this protects a table against its own figures (and, with `known_total` /
    `time_axis`, against totals assumed public). A report that publishes several tables,
    totals and sentences must register them all in one `Release` (disclosure.ledger) instead,
    so that one attacker who knows everything it publishes is audited against; used on its own
    for a report, tables protected separately can give each other's hidden figures away.
    """
    bad = frame.filter(pl.col(numerator) > pl.col(denominator))
    if not bad.is_empty():
        raise DisclosureError(
            f"{table}: {numerator} exceeds {denominator} for {rows} {bad[rows][0]!r}"
        )
    long = frame.select(
        rows,
        pl.col(numerator).alias("yes"),
        (pl.col(denominator) - pl.col(numerator)).alias("no"),
    ).unpivot(index=rows, on=["yes", "no"], variable_name="_outcome", value_name="_n")
    protected = protect_counts(
        long,
        rows=rows,
        cols="_outcome",
        value="_n",
        policy=policy,
        totals="additive",
        known_total=known_total,
        whole_rows=True,
        table=table,
    )
    yes = protected.cells.filter(pl.col("_outcome") == "yes").select(
        rows, pl.col("_n").alias(numerator)
    )
    den = protected.row_totals
    assert den is not None
    out = yes.join(
        den.select(rows, pl.col("_n").alias(denominator)), on=rows, maintain_order="left"
    )
    out = out.with_columns(
        rate=pl.when(pl.col(denominator) > 0).then(100.0 * pl.col(numerator) / pl.col(denominator))
    )
    return out, protected
