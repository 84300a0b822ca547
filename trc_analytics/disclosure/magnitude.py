"""Disclosure control for sums and means (hours, sessions): contributor and dominance rules.

A sum is hidden when fewer than `policy.min_contributors` coaches contribute to it, when one
coach holds more than `policy.dominance_one` of it, or when the two largest hold more than
`policy.dominance_two` (the ABS rules). The contributor column decides and is then dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from trc_analytics.disclosure.guard import DisclosureError, check_publishable
from trc_analytics.disclosure.suppression import DEFAULT_MARKER, wide_table
from trc_analytics.policy import Policy


@dataclass(frozen=True)
class ProtectedMagnitudes:
    """A table of sums or means ready to publish: hidden values null and flagged `suppressed`.

    Same shape as `Protected` (`cells`, `row_totals`, `col_totals`, `total`, `rule`); no
    contributor (coach) column survives.
    """

    rows: str
    cols: str | None
    value: str
    statistic: str
    cells: pl.DataFrame
    row_totals: pl.DataFrame | None
    col_totals: pl.DataFrame | None
    total: float | None
    total_suppressed: bool
    rule: str
    totals: str

    def to_wide(
        self, marker: str = DEFAULT_MARKER, *, total_label: str = "Total", decimals: int = 1
    ) -> pl.DataFrame:
        """Text table for display (values rounded to `decimals`), hidden ones as `marker`."""
        return wide_table(self, marker=marker, total_label=total_label, decimals=decimals)


@dataclass(frozen=True)
class MagnitudeOptions:
    """How `protect_magnitudes` publishes (each field is described there)."""

    statistic: Literal["sum", "mean"] = "sum"
    totals: Literal["additive", "none"] = "additive"
    known_total: bool = False
    time_axis: Literal["rows", "cols"] | None = None
    table: str = "table"


def protect_magnitudes(
    frame: pl.DataFrame,
    *,
    rows: str,
    cols: str | None = None,
    value: str,
    contributor: str,
    policy: Policy | None = None,
    statistic: Literal["sum", "mean"] = "sum",
    totals: Literal["additive", "none"] = "additive",
    known_total: bool = False,
    time_axis: Literal["rows", "cols"] | None = None,
    table: str = "table",
) -> ProtectedMagnitudes:
    """Sums (or means per record) of `value` by `rows` (and `cols`), with sensitive ones hidden.

    `frame` has one row per record (or per contributor and category) with the `contributor`
    (e.g. `coach_id`) who produced it. A cell, and likewise a total over its row, column or the
    whole table, is hidden when it fails the contributor or dominance rules. With "additive"
    totals a total is also hidden when anything it covers is hidden, so no hidden sum can be
    worked out by subtraction (within a report or between reports). Categories are shown in
    sorted order; a (row, column) pair without records sums to 0 (a mean there is null).

    `known_total=True` says the grand total (a sum) is published elsewhere, e.g. total hours
    in another table: it is shown here too, and further cells are hidden until the sum of all
    hidden cells (the total minus what is shown) passes the rules itself.
    `time_axis="cols"` (or "rows") names the axis holding months: each month's total is
    public too (two reports one month apart give it away), so it is shown, and the hidden
    cells of each month must together pass the rules.

    One table alone: this protects a table against its own figures (and, with `known_total` /
    `time_axis`, against totals assumed public). A report that publishes several tables,
    totals and sentences must register them all in one `Release` (disclosure.ledger) instead,
    so that one attacker who knows everything it publishes is audited against; used on its own
    for a report, tables protected separately can give each other's hidden figures away.
    """
    options = MagnitudeOptions(statistic, totals, known_total, time_axis, table)
    keys = [rows] if cols is None else [rows, cols]
    _check_magnitudes(frame, keys, value, contributor, table)
    if time_axis is not None and (cols is None or time_axis not in ("rows", "cols")):
        raise DisclosureError(f"{table}: time_axis is 'rows' or 'cols' of a 2-D table")
    if (known_total or time_axis is not None) and (statistic != "sum" or totals == "none"):
        raise DisclosureError(f"{table}: known_total applies to sums with totals only")
    base = frame.select(*keys, pl.col(contributor).alias("_who"), pl.col(value).cast(pl.Float64))
    rules = _Rules(base, keys, value, statistic, policy or Policy())
    return _protect(rules, rows, cols, options)


def _check_magnitudes(
    frame: pl.DataFrame, keys: list[str], value: str, contributor: str, table: str
) -> None:
    """Columns present, nothing unpublishable, numbers of 0 or more, no empty category."""
    missing = [c for c in [*keys, value, contributor] if c not in frame.columns]
    if missing:
        raise DisclosureError(f"{table}: no column(s) {', '.join(missing)}")
    check_publishable(frame.select(*keys, value), table=table)
    if not frame.schema[value].is_numeric():
        raise DisclosureError(f"{table}: column {value!r} must be numeric")
    for key in [*keys, contributor]:
        if frame[key].null_count():
            raise DisclosureError(f"{table}: column {key!r} has empty values; label them")
    if frame[value].null_count() or (frame[value] < 0).any():
        raise DisclosureError(f"{table}: column {value!r} must hold values of 0 or more")


@dataclass(frozen=True)
class _Rules:
    """The contributor and dominance rules over one table's records (`_who` contributes)."""

    base: pl.DataFrame
    keys: list[str]
    value: str
    statistic: str
    policy: Policy

    def sensitive(self, top: pl.Expr, total: pl.Expr, who: pl.Expr) -> pl.Expr:
        """Fewer than min_contributors, or one or two contributors dominate."""
        p = self.policy
        top1 = top.list.get(0, null_on_oob=True).fill_null(0.0)
        top2 = top1 + top.list.get(1, null_on_oob=True).fill_null(0.0)
        return (who < p.min_contributors) | (
            (total > 0) & ((top1 > p.dominance_one * total) | (top2 > p.dominance_two * total))
        )

    def summarize(self, by: list[str]) -> pl.DataFrame:
        """The statistic per `by` group and whether the rules hide it (`suppressed`)."""
        value = self.value
        per_who = self.base.group_by([*by, "_who"]).agg(_s=pl.col(value).sum(), _n=pl.len())
        grouped = per_who.group_by(by) if by else per_who.group_by(pl.lit(0).alias("_all"))
        out = grouped.agg(
            _sum=pl.col("_s").sum(),
            _records=pl.col("_n").sum(),
            _who=pl.len(),
            _top=pl.col("_s").top_k(2),
        )
        shown = pl.col("_sum") if self.statistic == "sum" else pl.col("_sum") / pl.col("_records")
        hidden = self.sensitive(pl.col("_top"), pl.col("_sum"), pl.col("_who"))
        return out.select(*by, shown.alias(value), hidden.alias("suppressed")).drop(
            "_all", strict=False
        )

    def union_sensitive(self, hidden_keys: pl.DataFrame) -> bool:
        """Whether the sum of all these cells together fails the rules."""
        per_who = (
            self.base.join(hidden_keys, on=self.keys, how="semi")
            .group_by("_who")
            .agg(_s=pl.col(self.value).sum())
        )
        if per_who.is_empty():
            return False
        out = per_who.select(
            _sum=pl.col("_s").sum(), _who=pl.len(), _top=pl.col("_s").top_k(2).implode()
        )
        return bool(
            out.select(self.sensitive(pl.col("_top"), pl.col("_sum"), pl.col("_who"))).item()
        )


def _protect(
    rules: _Rules, rows: str, cols: str | None, options: MagnitudeOptions
) -> ProtectedMagnitudes:
    """Cells by the rules, then public totals protected, then additive totals."""
    keys, value, sums = rules.keys, rules.value, options.statistic == "sum"
    period = None if options.time_axis is None else (cols if options.time_axis == "cols" else rows)
    known_total = options.known_total or period is not None
    # every row category with every column category, in sorted order; a pair with no
    # records sums to 0 hours (shown, like a zero count) and has no mean
    order = rules.base.select(rows).unique().sort(rows)
    if cols is not None:
        order = order.join(rules.base.select(cols).unique().sort(cols), how="cross")
    empty = pl.col("suppressed").is_null()
    cells = order.join(
        rules.summarize(keys), on=keys, how="left", maintain_order="left"
    ).with_columns(
        pl.when(empty & pl.lit(sums)).then(0.0).otherwise(value).alias(value),
        pl.col("suppressed").fill_null(False),
    )
    grand = rules.summarize([])
    grand_public = known_total and grand.height > 0 and not grand["suppressed"][0]
    if period is not None:
        per_period = rules.summarize([period])
        for when in per_period.filter(~pl.col("suppressed"))[period].to_list():
            cells = _protect_hidden_sum(
                cells, keys, value, rules.union_sensitive, within=pl.col(period) == when
            )
    if grand_public:
        cells = _protect_hidden_sum(cells, keys, value, rules.union_sensitive)
    return _with_totals(rules, cells, order, grand, grand_public, period, rows, cols, options)


def _with_totals(
    rules: _Rules,
    cells: pl.DataFrame,
    order: pl.DataFrame,
    grand: pl.DataFrame,
    grand_public: bool,
    period: str | None,
    rows: str,
    cols: str | None,
    options: MagnitudeOptions,
) -> ProtectedMagnitudes:
    """Additive totals (hidden over anything hidden, unless public) and the published table."""
    value = rules.value
    row_totals = col_totals = None
    total: float | None = None
    total_hidden = options.totals == "none"
    if options.totals == "additive":
        if cols is not None:
            row_totals = _line_totals(
                rules.summarize([rows]), cells, rows, order, public=period == rows
            )
            col_totals = _line_totals(
                rules.summarize([cols]), cells, cols, order, public=period == cols
            )
        total_hidden = (
            grand.height == 0 or bool(grand["suppressed"][0]) or bool(cells["suppressed"].any())
        )
        for line in (row_totals, col_totals):
            total_hidden = total_hidden or (line is not None and bool(line["suppressed"].any()))
        total_hidden = total_hidden and not grand_public
        total = None if total_hidden else float(grand[value][0])
    hide = pl.when(pl.col("suppressed")).then(None).otherwise(pl.col(value)).alias(value)
    return ProtectedMagnitudes(
        rows=rows,
        cols=cols,
        value=value,
        statistic=options.statistic,
        cells=cells.with_columns(hide),
        row_totals=row_totals.with_columns(hide) if row_totals is not None else None,
        col_totals=col_totals.with_columns(hide) if col_totals is not None else None,
        total=total,
        total_suppressed=total_hidden,
        rule=magnitude_rule_text(rules.policy, options.statistic, options.totals),
        totals=options.totals,
    )


def _protect_hidden_sum(
    cells: pl.DataFrame,
    keys: list[str],
    value: str,
    union_sensitive: Callable[[pl.DataFrame], bool],
    within: pl.Expr | None = None,
) -> pl.DataFrame:
    """With a total public and the other totals additive, the one figure an attacker can work
    out about the hidden cells under it is their sum (total minus everything shown). Hide
    further cells under that total (`within`), smallest first, until that sum passes the
    contributor and dominance rules itself."""
    scope = cells.filter(within) if within is not None else cells
    hidden = scope.filter("suppressed").select(keys)
    others = cells.filter("suppressed").join(hidden, on=keys, how="anti").select(keys)
    while not hidden.is_empty() and union_sensitive(hidden):
        shown = scope.join(hidden, on=keys, how="anti").filter(pl.col(value) > 0).sort(value)
        if shown.is_empty():
            break
        chosen = None
        for row in shown.select(keys).iter_rows(named=True):
            trial = pl.concat([hidden, pl.DataFrame([row], schema=hidden.schema)])
            if not union_sensitive(trial):
                chosen = trial
                break
        hidden = chosen if chosen is not None else pl.concat([hidden, shown.select(keys).head(1)])
        if chosen is not None:
            break
    hidden = pl.concat([hidden, others])
    return cells.with_columns(
        suppressed=pl.struct(keys).is_in(hidden.select(pl.struct(keys)).to_series().implode())
    )


def _line_totals(
    line: pl.DataFrame, cells: pl.DataFrame, key: str, order: pl.DataFrame, *, public: bool
) -> pl.DataFrame:
    """Totals over one axis, also hidden when any cell of the line is hidden (additive),
    unless they are `public` anyway (months: see `time_axis`)."""
    over_hidden = cells.group_by(key).agg(_any=pl.col("suppressed").any() & pl.lit(not public))
    return (
        order.select(key)
        .unique(maintain_order=True)
        .join(line, on=key, how="left", maintain_order="left")
        .join(over_hidden, on=key, how="left", maintain_order="left")
        .with_columns(suppressed=pl.col("suppressed") | pl.col("_any"))
        .drop("_any")
    )


def magnitude_rule_text(policy: Policy, statistic: str = "sum", totals: str = "additive") -> str:
    """The sentence a report prints under a table of sums or means."""
    what = "Sums" if statistic == "sum" else "Averages"
    text = (
        f"{what} are not shown where fewer than {policy.min_contributors} coaches contribute, "
        f"where one coach contributes more than {policy.dominance_one:.0%} of the total, or "
        f"two coaches more than {policy.dominance_two:.0%}; they are marked "
        f"“{DEFAULT_MARKER}”."
    )
    if totals == "additive":
        text += " A total is shown only when everything it covers is shown."
    return text
