"""Cell suppression for count tables: primary (1..min_cell-1) and complementary, audited.

`protect_counts` takes a 1-D or 2-D table of counts in long form and returns a `Protected`
table: what may be published, the totals that may be published with it, and the rule to print.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import polars as pl

from trc_analytics.disclosure.guard import CannotProtect, DisclosureError, check_publishable
from trc_analytics.disclosure.lattice import (
    CELL,
    COL_TOTAL,
    GRAND_TOTAL,
    ROW_TOTAL,
    Lattice,
    LinearSystem,
    build_lattice,
)
from trc_analytics.policy import Policy

#: How totals are published.
#: - "additive": a total is shown only when every count it adds up is shown. Nothing hidden can
#:   be worked out from totals, not even by comparing two reports whose periods or regions
#:   differ by one month or region (the differencing attack). The default.
#: - "complementary": totals are shown wherever possible; further cells (or totals) are hidden
#:   until the attacker audit passes for this table. More informative, but two reports over
#:   overlapping periods can be differenced: use it only for tables published once.
#: - "none": the table is published without totals (primary suppression is then enough).
Totals = Literal["additive", "complementary", "none"]

#: Marker shown in place of a hidden count (never 0, never a value).
DEFAULT_MARKER = "suppressed"


def is_protected(lo: float, hi: float, min_cell: int) -> bool:
    """The protection criterion for a hidden small count, given the attacker's range [lo, hi].

    The attacker must not be able to conclude the count is small (some publishable value,
    `min_cell` or more, stays possible: hi >= min_cell) nor narrow it to fewer values than the
    rule hides (the range holds at least `min_cell` whole numbers: hi - lo >= min_cell - 1).
    """
    return hi >= min_cell and hi - lo >= min_cell - 1


def shortfall(lo: float, hi: float, min_cell: int) -> float:
    """How far [lo, hi] is from protecting a small count (0 when `is_protected`)."""
    if math.isinf(hi):
        return 0.0
    return max(0.0, min_cell - hi) + max(0.0, (min_cell - 1) - (hi - lo))


def rounded(values: np.ndarray, base: int, min_cell: int) -> np.ndarray:
    """Round published counts to the nearest multiple of `base` (halves up), never below the
    smallest multiple of `base` that is at least `min_cell`, so no rounded count looks small."""
    if base <= 0:
        return values
    floor = base * math.ceil(min_cell / base)
    out = np.floor(values / base + 0.5).astype(np.int64) * base
    return np.where(values > 0, np.maximum(out, floor), 0)


@dataclass(frozen=True)
class Protected:
    """A count table ready to publish: hidden values are null and flagged `suppressed`.

    `cells` has the `rows` (and `cols`) columns, the `value` column (Int64, null where hidden)
    and `suppressed`. `row_totals` / `col_totals` (2-D) and `total` are the totals that may be
    published with it (None / null where hidden). `rule` is the sentence the report prints.
    """

    rows: str
    cols: str | None
    value: str
    cells: pl.DataFrame
    row_totals: pl.DataFrame | None
    col_totals: pl.DataFrame | None
    total: int | None
    total_suppressed: bool
    rule: str
    min_cell: int
    rounding_base: int
    totals: str
    # what the attacker audit needs: the table's equations, the published values before
    # rounding (rounding only widens what an attacker can derive), which nodes are hidden and
    # which of those are small counts. Never the hidden values themselves.
    lattice: Lattice = field(repr=False)
    published: np.ndarray = field(repr=False)
    hidden: np.ndarray = field(repr=False)
    primary: np.ndarray = field(repr=False)
    #: smallest value the attacker knows a hidden number has (0 once zeros had to be hidden)
    floor: int = field(default=1, repr=False)

    @property
    def n_suppressed(self) -> int:
        """How many numbers (cells and totals) are hidden."""
        return int(self.hidden.sum())

    def to_wide(self, marker: str = DEFAULT_MARKER, *, total_label: str = "Total") -> pl.DataFrame:
        """The table for display: text cells, hidden ones shown as `marker`, totals added.

        1-D: one row per category and a total row. 2-D: one column per `cols` category plus a
        total column, and a total row. Totals are left out when the table has none.
        """
        return wide_table(self, marker=marker, total_label=total_label)

    def shares(self, along: Literal["row", "col", "total"] = "row") -> pl.DataFrame:
        """`cells` plus `share` (percent of the row, column or grand total).

        A share is given only when both the cell and its total are published, so percentages
        carry nothing the published counts do not (a hidden count can't be recovered from them).
        """
        if self.totals == "none":
            raise DisclosureError("shares need published totals; this table has none")
        if along == "total" or self.cols is None:
            denom = pl.lit(self.total, dtype=pl.Int64)
            base = self.cells.with_columns(_den=denom)
        elif along == "row":
            assert self.row_totals is not None
            base = self.cells.join(
                self.row_totals.select(self.rows, pl.col(self.value).alias("_den")),
                on=self.rows,
                how="left",
                maintain_order="left",
            )
        else:
            assert self.col_totals is not None
            base = self.cells.join(
                self.col_totals.select(self.cols, pl.col(self.value).alias("_den")),
                on=self.cols,
                how="left",
                maintain_order="left",
            )
        share = pl.when(pl.col("_den") > 0).then(100.0 * pl.col(self.value) / pl.col("_den"))
        return base.with_columns(share=share).drop("_den")


def wide_table(
    table: Protected | ProtectedLike, *, marker: str, total_label: str, decimals: int = 1
) -> pl.DataFrame:
    """Display form shared by count and magnitude tables (see `Protected.to_wide`)."""
    rows, cols, value = table.rows, table.cols, table.value

    def text(values: pl.Expr) -> pl.Expr:
        shown = values.round(decimals) if table.cells.schema[value].is_float() else values
        return (
            pl.when(values.is_null())
            .then(pl.lit(marker))
            .otherwise(shown.cast(pl.String))
            .alias(value)
        )

    total_text = (
        marker
        if table.total is None
        else str(round(table.total, decimals) if isinstance(table.total, float) else table.total)
    )
    label = _label(table.cells, rows)
    if cols is None:
        body = table.cells.select(label, text(pl.col(value)))
        if table.totals != "none":
            body = pl.concat([body, pl.DataFrame({rows: [total_label], value: [total_text]})])
        return body
    wide = table.cells.select(label, _label(table.cells, cols), text(pl.col(value))).pivot(
        on=cols, index=rows, values=value
    )
    if table.totals == "none":
        return wide
    assert table.row_totals is not None and table.col_totals is not None
    wide = wide.with_columns(
        table.row_totals.select(text(pl.col(value)).alias(total_label)).to_series()
    )
    col_text = table.col_totals.select(_label(table.col_totals, cols), text(pl.col(value)))
    last = {rows: total_label}
    last.update(dict(zip(col_text[cols], col_text[value], strict=True)))
    last[total_label] = total_text
    return pl.concat([wide, pl.DataFrame({k: [v] for k, v in last.items()})])


class ProtectedLike(Protocol):
    """What `wide_table` reads: a published table with optional totals."""

    rows: str
    cols: str | None
    value: str
    cells: pl.DataFrame
    row_totals: pl.DataFrame | None
    col_totals: pl.DataFrame | None
    total: float | int | None
    totals: str


def _label(frame: pl.DataFrame, name: str) -> pl.Expr:
    """A category column as display text (dates as year-month)."""
    if isinstance(frame.schema[name], pl.Date):
        return pl.col(name).dt.strftime("%Y-%m")
    return pl.col(name).cast(pl.String)


@dataclass(frozen=True)
class CountOptions:
    """How `protect_counts` publishes a table's totals (each field is described there)."""

    totals: Totals = "additive"
    known_total: bool = False
    time_axis: Literal["rows", "cols"] | None = None
    whole_rows: bool = False
    table: str = "table"


@dataclass(frozen=True)
class CountGrid:
    """A validated count table as a grid: categories in first-seen order, counts per pair."""

    rows: str
    cols: str | None
    value: str
    row_keys: pl.Series
    col_keys: pl.Series | None
    counts: np.ndarray  # rows x columns (one column for a 1-D table)


def protect_counts(
    frame: pl.DataFrame,
    *,
    rows: str,
    cols: str | None = None,
    value: str = "n",
    policy: Policy | None = None,
    totals: Totals = "additive",
    known_total: bool = False,
    time_axis: Literal["rows", "cols"] | None = None,
    whole_rows: bool = False,
    table: str = "table",
) -> Protected:
    """Apply disclosure control to a table of counts and audit the result.

    `frame` is long form: one row per category (1-D) or per (row, column) pair (2-D) with a
    whole-number count in `value`; pairs that are absent count as 0. Counts from 1 to
    `policy.min_cell` - 1 are hidden (primary suppression, totals included); then, depending
    on `totals`, totals over hidden counts are hidden ("additive") or further cells are hidden
    until no hidden count can be narrowed down from what is published ("complementary").

    `known_total=True` says the grand total is published elsewhere (another table over the
    same population, such as total sessions): it is then shown here too, and further cells
    are hidden until no hidden count can be derived from it.
    `time_axis="cols"` (or "rows") names the axis holding months: two reports for periods one
    month apart give every month's total away by subtraction of their grand totals, so those
    totals are treated as public (shown, and protected against) and so is the grand total.
    `whole_rows=True` hides a row entirely (its cells and total) as soon as anything in it is
    hidden: for rows that are proportions, whose numerator or denominator may be published
    by another table (`protect_rate` uses it).
    Raises `DisclosureError` for an id column, a day-level date, an exact age, negative or
    fractional counts or repeated categories, and its subclass `CannotProtect` for a table
    the audit cannot pass (public totals already pin a small count down).

    One table alone: this protects a table against its own figures (and, with `known_total` /
    `time_axis`, against totals assumed public). A report that publishes several tables,
    totals and sentences must register them all in one `Release` (disclosure.ledger) instead,
    so that one attacker who knows everything it publishes is audited against; used on its own
    for a report, tables protected separately can give each other's hidden figures away.
    """
    options = CountOptions(totals, known_total, time_axis, whole_rows, table)
    return protect_grid(read_grid(frame, rows, cols, value, table), policy or Policy(), options)


def read_grid(
    frame: pl.DataFrame, rows: str, cols: str | None, value: str, table: str
) -> CountGrid:
    """Check a long count table (columns, forbidden content, whole counts, no repeated
    category) and lay it out as a grid; absent pairs count 0."""
    keys = [rows] if cols is None else [rows, cols]
    missing = [c for c in [*keys, value] if c not in frame.columns]
    if missing:
        raise DisclosureError(f"{table}: no column(s) {', '.join(missing)}")
    frame = frame.select(*keys, value)
    check_publishable(frame, table=table)
    counts = _whole_counts(frame, value, table)
    for key in keys:
        if frame[key].null_count():
            raise DisclosureError(f"{table}: column {key!r} has empty categories; label them")
    if frame.select(pl.struct(keys).is_duplicated().any()).item():
        raise DisclosureError(f"{table}: the same category appears twice in {', '.join(keys)}")
    row_keys = frame[rows].unique(maintain_order=True)
    col_keys = frame[cols].unique(maintain_order=True) if cols is not None else None
    n_c = 1 if col_keys is None else len(col_keys)
    grid = np.zeros((len(row_keys), n_c), dtype=np.int64)
    ri = _positions(frame[rows], row_keys)
    ci = _positions(frame[cols], col_keys) if col_keys is not None else np.zeros(len(frame), int)
    grid[ri, ci] = counts
    return CountGrid(rows, cols, value, row_keys, col_keys, grid)


def protect_grid(grid: CountGrid, policy: Policy, options: CountOptions) -> Protected:
    """Primary suppression, then additive or complementary suppression, then the audit."""
    min_cell = int(policy.min_cell)
    n_r, n_c = grid.counts.shape
    two_d = grid.col_keys is not None
    lattice = build_lattice(n_r, n_c if two_d else None, totals=options.totals != "none")
    values = _node_values(lattice, grid.counts)
    primary = (values >= 1) & (values < min_cell)
    known = _known_nodes(lattice, primary, options, two_d)
    hidden = _suppress(lattice, values, primary, known, options, n_r, min_cell)
    published = np.where(hidden, 0, values)
    violations = _violations(lattice, published, hidden, primary, min_cell)
    floor = 1
    if violations and known.any():
        # the total is public and the table breaks it into small pieces only: hide the whole
        # table, zeros included (the attacker then knows only that hidden counts are >= 0)
        hidden, floor = ~known, 0
        published = np.where(hidden, 0, values)
        violations = _violations(lattice, published, hidden, primary, min_cell, floor=floor)
    if violations:
        _node, lo, hi = violations[0]
        raise CannotProtect(
            f"{options.table}: cannot protect a hidden count (range {lo:g}..{hi:g} can be "
            "derived); coarsen the categories",
            table=options.table,
        )
    audited = _Audited(lattice, published, hidden, primary, floor)
    return _assemble(grid, audited, policy, options.totals)


def _known_nodes(
    lattice: Lattice, primary: np.ndarray, options: CountOptions, two_d: bool
) -> np.ndarray:
    """Totals published elsewhere (month totals on a time axis, a known grand total): they
    stay shown unless small, and the audit protects against them."""
    known = np.zeros(lattice.size, dtype=bool)
    known_total = options.known_total
    if options.time_axis is not None:
        if not two_d or options.time_axis not in ("rows", "cols"):
            raise DisclosureError(f"{options.table}: time_axis is 'rows' or 'cols' of a 2-D table")
        known_total = True
        kind = COL_TOTAL if options.time_axis == "cols" else ROW_TOTAL
        period_totals = np.array(lattice.kinds) == kind
        known[period_totals] = ~primary[period_totals]
    if known_total:
        if options.totals == "none":
            raise DisclosureError(f"{options.table}: known_total needs a table with totals")
        known[-1] = not primary[-1]  # a small total is never published anywhere
    return known


def _suppress(
    lattice: Lattice,
    values: np.ndarray,
    primary: np.ndarray,
    known: np.ndarray,
    options: CountOptions,
    n_rows: int,
    min_cell: int,
) -> np.ndarray:
    """The hidden mask: small counts, then totals over them ("additive", whole rows) or
    complementary cells, protecting against the `known` totals."""
    if options.whole_rows and options.totals != "additive":
        raise DisclosureError(f"{options.table}: whole_rows needs additive totals")
    two_d = any(k == ROW_TOTAL for k in lattice.kinds)
    rows_of = _row_equations(lattice, n_rows) if options.whole_rows and two_d else []

    def additive(mask: np.ndarray) -> None:
        for members, total in rows_of:
            nodes = [*members, total]
            if mask[nodes].any():
                mask[nodes] = True
        _hide_totals_over_hidden(lattice, mask, keep=known)

    hidden = primary.copy()
    if options.totals == "additive":
        additive(hidden)
        if known.any():
            _complementary(lattice, values, hidden, primary, min_cell, frozen=known, after=additive)
    elif options.totals == "complementary":
        _complementary(lattice, values, hidden, primary, min_cell, frozen=known)
    return hidden


@dataclass(frozen=True)
class _Audited:
    """A suppression pattern that passed the audit: what `Protected` keeps of it."""

    lattice: Lattice
    published: np.ndarray
    hidden: np.ndarray
    primary: np.ndarray
    floor: int


def _assemble(grid: CountGrid, audited: _Audited, policy: Policy, totals: Totals) -> Protected:
    """The published table: rounded counts, null where hidden, cells and totals as frames."""
    min_cell, hidden = int(policy.min_cell), audited.hidden
    shown = rounded(audited.published, int(policy.rounding_base), min_cell)
    out = pl.select(
        pl.when(pl.Series(hidden))
        .then(None)
        .otherwise(pl.Series(grid.value, shown, dtype=pl.Int64))
        .alias(grid.value)
    ).to_series()
    n_r, n_c = grid.counts.shape
    n_cells = n_r * n_c

    def part(keys: dict[str, pl.Series], start: int, stop: int) -> pl.DataFrame:
        return pl.DataFrame({**keys, grid.value: out[start:stop], "suppressed": hidden[start:stop]})

    position = {grid.rows: grid.row_keys.gather(np.repeat(np.arange(n_r), n_c))}
    if grid.col_keys is not None and grid.cols is not None:
        position[grid.cols] = grid.col_keys.gather(np.tile(np.arange(n_c), n_r))
    cells = part(position, 0, n_cells)
    row_totals = col_totals = None
    if totals != "none" and grid.col_keys is not None and grid.cols is not None:
        row_totals = part({grid.rows: grid.row_keys}, n_cells, n_cells + n_r)
        col_totals = part({grid.cols: grid.col_keys}, n_cells + n_r, n_cells + n_r + n_c)
    return Protected(
        rows=grid.rows,
        cols=grid.cols,
        value=grid.value,
        cells=cells,
        row_totals=row_totals,
        col_totals=col_totals,
        total=None if totals == "none" else out[-1],
        total_suppressed=True if totals == "none" else bool(hidden[-1]),
        rule=rule_text(policy, totals),
        min_cell=min_cell,
        rounding_base=int(policy.rounding_base),
        totals=totals,
        lattice=audited.lattice,
        published=audited.published,
        hidden=hidden,
        primary=audited.primary,
        floor=audited.floor,
    )


def rule_text(policy: Policy, totals: str = "additive", marker: str = DEFAULT_MARKER) -> str:
    """The sentence a report prints under a protected table."""
    m = int(policy.min_cell)
    parts = [
        f"Counts from 1 to {m - 1} are not shown (minimum cell size {m}); 0 is shown as 0. "
        f"Hidden figures are marked “{marker}”, never shown as 0."
    ]
    if totals == "additive":
        parts.append(
            "A total is shown only when every count it adds up is shown, or when the same "
            "total is public anyway (a month's total, all sessions); further counts are then "
            "hidden so that no hidden count can be worked out from the totals."
        )
    elif totals == "complementary":
        parts.append(
            "Some further counts or totals are hidden so that no hidden count can be worked "
            "out from the totals; the pattern was checked by computing what can be derived "
            "from every published figure."
        )
    base = int(policy.rounding_base)
    if base > 0:
        parts.append(
            f"Published counts are rounded to the nearest {base} "
            f"(never below {base * math.ceil(m / base)})."
        )
    return " ".join(parts)


def _whole_counts(frame: pl.DataFrame, value: str, table: str) -> np.ndarray:
    col = frame[value]
    if not col.dtype.is_numeric():
        raise DisclosureError(f"{table}: column {value!r} must hold counts, not {col.dtype}")
    if col.null_count():
        raise DisclosureError(f"{table}: column {value!r} has empty counts (use 0)")
    arr = col.cast(pl.Float64).to_numpy()
    if (arr < 0).any() or (arr != np.floor(arr)).any():
        raise DisclosureError(f"{table}: column {value!r} must hold whole counts of 0 or more")
    return arr.astype(np.int64)


def _positions(values: pl.Series, keys: pl.Series) -> np.ndarray:
    """Position of each value in `keys` (a join, not a Python loop)."""
    lookup = keys.to_frame("k").with_row_index("i")
    return (
        values.to_frame("k")
        .join(lookup, on="k", how="left", maintain_order="left")["i"]
        .to_numpy()
        .astype(np.int64)
    )


def _node_values(lattice: Lattice, grid: np.ndarray) -> np.ndarray:
    """Value of every node: the cells, then the totals they add up to."""
    kinds = np.array(lattice.kinds)
    out = np.zeros(lattice.size, dtype=np.int64)
    out[: grid.size] = grid.reshape(-1)
    if (kinds == ROW_TOTAL).any():
        out[kinds == ROW_TOTAL] = grid.sum(axis=1)
        out[kinds == COL_TOTAL] = grid.sum(axis=0)
    out[kinds == GRAND_TOTAL] = grid.sum()
    return out


def _row_equations(lattice: Lattice, n_rows: int) -> list[tuple[tuple[int, ...], int]]:
    """The equations "cells of row i add up to row total i" (the first `n_rows` of a 2-D
    lattice)."""
    return [e for e in lattice.equations if lattice.kinds[e[1]] == ROW_TOTAL][:n_rows]


def _hide_totals_over_hidden(
    lattice: Lattice, hidden: np.ndarray, keep: np.ndarray | None = None
) -> None:
    """Additive totals: hide every total whose members include a hidden number (except the
    totals in `keep`, published elsewhere anyway)."""
    changed = True
    while changed:
        changed = False
        for members, total in lattice.equations:
            if keep is not None and keep[total]:
                continue
            if not hidden[total] and hidden[list(members)].any():
                hidden[total] = True
                changed = True


#: Relative cost of hiding a node: hiding totals loses more than hiding a cell.
_COST = {CELL: 1.0, ROW_TOTAL: 2.0, COL_TOTAL: 2.0, GRAND_TOTAL: 4.0}


def _complementary(
    lattice: Lattice,
    values: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    min_cell: int,
    *,
    frozen: np.ndarray | None = None,
    after: Callable[[np.ndarray], None] | None = None,
) -> None:
    """Hide further nonzero cells or totals until every small hidden count is protected.

    Greedy: first no line may hold exactly one hidden small count (it would equal the total
    minus the rest); then, while the attacker audit finds an unprotected count, hide the
    cheapest candidate that protects it (candidates on its own lines first), or else the one
    that narrows its shortfall most. Each step hides one more number, so it ends. `frozen`
    nodes are never hidden; `after(mask)` completes a pattern (additive totals).
    """
    frozen = frozen if frozen is not None else np.zeros(lattice.size, dtype=bool)
    after = after or (lambda _mask: None)
    cost = np.array([_COST[k] for k in lattice.kinds]) * np.maximum(values, 1)
    node_lines = [lattice.lines_of(n) for n in range(lattice.size)]

    def singleton_pass() -> None:
        changed = True
        while changed:
            changed = False
            for e in range(len(lattice.equations)):
                nodes = np.array(lattice.nodes_of(e))
                h = nodes[hidden[nodes]]
                if len(h) == 1 and primary[h[0]]:
                    free = nodes[~hidden[nodes] & ~frozen[nodes] & (values[nodes] > 0)]
                    if len(free):
                        hidden[free[np.argmin(cost[free])]] = True
                        after(hidden)
                        changed = True

    singleton_pass()
    while True:
        published = np.where(hidden, 0, values)
        bad = _violations(lattice, published, hidden, primary, min_cell, first_only=True)
        if not bad:
            return
        node, lo, hi = bad[0]
        before = shortfall(lo, hi, min_cell)
        near = {m for e in node_lines[node] for m in lattice.nodes_of(e)}
        touching = {
            m for h in np.flatnonzero(hidden) for e in node_lines[h] for m in lattice.nodes_of(e)
        }
        free = [int(n) for n in np.flatnonzero(~hidden & ~frozen & (values > 0))]
        if not free:
            return  # nothing left to hide; the final audit reports the failure
        tiers = [
            sorted((n for n in free if n in near), key=lambda n: cost[n]),
            sorted((n for n in free if n in touching and n not in near), key=lambda n: cost[n]),
            sorted((n for n in free if n not in touching and n not in near), key=lambda n: cost[n]),
        ]
        best, best_gap = None, before
        chosen = None
        for tier in tiers:
            for cand in tier:
                trial = hidden.copy()
                trial[cand] = True
                after(trial)
                system = LinearSystem.from_lattice(lattice, np.where(trial, 0, values), trial)
                c_lo, c_hi = system.range_of(node)
                gap = shortfall(c_lo, c_hi, min_cell)
                if gap == 0:
                    chosen = cand
                    break
                if gap < best_gap:
                    best, best_gap = cand, gap
            if chosen is not None:
                break
        if chosen is None:
            chosen = best if best is not None else next(t[0] for t in tiers if t)
        hidden[chosen] = True
        after(hidden)
        singleton_pass()


def _violations(
    lattice: Lattice,
    published: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
    min_cell: int,
    *,
    first_only: bool = False,
    floor: float = 1.0,
) -> list[tuple[int, float, float]]:
    """(node, lo, hi) for every hidden small count the attacker can narrow too much."""
    if not hidden.any():
        return []
    system = LinearSystem.from_lattice(lattice, published, hidden, floor)
    out = []
    unbounded = system.unbounded()
    for node in np.flatnonzero(hidden & primary):
        if int(node) in unbounded:
            continue  # the attacker cannot bound it from above: protected
        lo, hi = system.range_of(int(node))
        if not is_protected(lo, hi, min_cell):
            out.append((int(node), lo, hi))
            if first_only:
                break
    return out
