"""The tables of a release: from a long frame to figures (cells, totals, rules, relations), and
from the protected figures back to a published table that never holds a hidden value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import polars as pl

from trc_analytics.disclosure.guard import DisclosureError, check_publishable
from trc_analytics.disclosure.magnitude import magnitude_rule_text
from trc_analytics.disclosure.sensitivity import Sensitivity, count_rule, magnitude_rule
from trc_analytics.disclosure.suppression import DEFAULT_MARKER, rule_text, wide_table

if TYPE_CHECKING:
    from trc_analytics.policy import Policy


class _All:
    """The "all categories" position of a total (a row total is `(table, row, ALL)`)."""

    def __repr__(self) -> str:
        return "ALL"


#: Position of a total in a figure key: `(table, ALL, ALL)` is a table's grand total.
ALL = _All()
#: What a report prints instead of a refused table.
NOT_SHOWN = "Not shown: too few records to publish safely."
#: (table, row, col): col is None in a 1-D table.
FigureKey = tuple[str, object, object]
#: Relative cost of hiding: totals lose more than cells.
_WEIGHT = {"cell": 1.0, "line": 2.0, "grand": 4.0}


@dataclass
class TableSpec:
    """How a registered table is laid out, and where its figures sit in the release."""

    name: str
    rows: str
    cols: str | None
    value: str
    kind: Literal["count", "sum", "rate"]
    totals: bool
    numerator: str | None = None
    contributor: str | None = None
    categories: Mapping[str, Sequence[object]] | None = None
    row_keys: pl.Series | None = None
    col_keys: pl.Series | None = None
    groups: list[tuple[int, ...]] = field(default_factory=list)
    first: int = 0
    count: int = 0


@dataclass(frozen=True)
class NewFigure:
    """One figure as registered: key, value and what the attacker may assume about it."""

    key: FigureKey
    value: float
    integer: bool
    floor: float
    rules: list[Sensitivity]
    publishable: bool
    weight: float


@dataclass(frozen=True)
class Figure:
    """A figure as a sentence or chart may use it: the value, or None when hidden."""

    value: float | None
    integer: bool = True

    @property
    def shown(self) -> bool:
        return self.value is not None

    def text(self, marker: str = DEFAULT_MARKER, decimals: int = 1) -> str:
        """The figure as printed: thousands separated, or `marker` when hidden."""
        if self.value is None:
            return marker
        return f"{int(self.value):,}" if self.integer else f"{self.value:,.{decimals}f}"


def _summary(frame: pl.DataFrame, by: list[str], value: str, who: str | None) -> pl.DataFrame:
    """Sum of `value` per `by`, with the two largest contributions and how many contribute."""
    key = by or [pl.lit(0).alias("_all")]
    if who is None:
        return frame.group_by(key).agg(_v=pl.col(value).sum())
    per_who = frame.group_by([*key, who]).agg(_s=pl.col(value).sum())
    by_names = by or ["_all"]
    return per_who.group_by(by_names).agg(
        _v=pl.col("_s").sum(), _top=pl.col("_s").top_k(2), _n=pl.len()
    )


def _lookup(summary: pl.DataFrame, by: list[str]) -> dict[tuple, tuple[float, list, int]]:
    names = by or ["_all"]
    return {
        tuple(r[k] for k in names): (float(r["_v"]), list(r.get("_top") or []), int(r.get("_n", 0)))
        for r in summary.iter_rows(named=True)
    }


def _check(spec: TableSpec, frame: pl.DataFrame, keys: list[str], who: str | None) -> None:
    values = [spec.value] + ([spec.numerator] if spec.numerator else [])
    missing = [c for c in [*keys, *values, *([who] if who else [])] if c not in frame.columns]
    if missing:
        raise DisclosureError(f"{spec.name}: no column(s) {', '.join(missing)}")
    check_publishable(frame.select(*keys, *values), table=spec.name)
    for v in values:
        col = frame[v]
        if not col.dtype.is_numeric() or col.null_count() or (col < 0).any():
            raise DisclosureError(f"{spec.name}: column {v!r} must hold numbers of 0 or more")
        if spec.kind != "sum" and (col.cast(pl.Float64) % 1 != 0).any():
            raise DisclosureError(f"{spec.name}: column {v!r} must hold whole counts")


def figures_of_table(
    spec: TableSpec, frame: pl.DataFrame, who: str | None, policy: Policy
) -> tuple[list[NewFigure], list[tuple[tuple[int, ...], int]], list[tuple[int, ...]]]:
    """The figures of one table (cells, then row, column and grand totals), its relations
    (local indexes) and the groups of figures hidden together (a rate row)."""
    keys = [spec.rows] if spec.cols is None else [spec.rows, spec.cols]
    _check(spec, frame, keys, who)
    spec.contributor = who
    spec.row_keys = _keys(spec, frame, spec.rows)
    spec.col_keys = None if spec.cols is None else _keys(spec, frame, spec.cols)
    if spec.kind == "rate":
        return _rate_figures(spec, frame, who, policy)
    return _grid_figures(spec, frame, who, policy)


def _keys(spec: TableSpec, frame: pl.DataFrame, axis: str) -> pl.Series:
    """The categories of one axis: those given (in order), else those present, sorted."""
    present = frame[axis].unique().sort()
    given = (spec.categories or {}).get(axis)
    if given is None:
        return present
    keys = pl.Series(axis, list(given), dtype=frame.schema[axis])
    unknown = present.filter(~present.is_in(keys.implode()))
    if unknown.len():
        raise DisclosureError(f"{spec.name}: {axis} {unknown[0]!r} is not among the categories")
    return keys


def _rules(spec: TableSpec, value: float, top: list, n: int, who, policy) -> list[Sensitivity]:
    rules = []
    if spec.kind != "sum":
        rules.append(count_rule(value, int(policy.min_cell)))
    if who is not None:
        rules.append(magnitude_rule(value, top, n, policy))
    return [r for r in rules if r is not None]


def _grid_figures(spec: TableSpec, frame: pl.DataFrame, who: str | None, policy: Policy):
    """Cells, row totals, column totals and the grand total of a 1-D or 2-D table."""
    assert spec.row_keys is not None
    rows = spec.row_keys.to_list()
    cols = [None] if spec.col_keys is None else spec.col_keys.to_list()
    two_d = spec.cols is not None
    frame = frame.with_columns(pl.col(spec.value).cast(pl.Float64))
    levels: list[tuple[list[str], list[tuple], str, tuple]] = [
        (
            [spec.rows, spec.cols] if two_d else [spec.rows],
            [(r, c) for r in rows for c in cols],
            "cell",
            (),
        )
    ]
    if spec.totals and two_d:
        levels.append(([spec.rows], [(r, ALL) for r in rows], "line", ()))
        levels.append(([spec.cols], [(ALL, c) for c in cols], "line", ()))
    if spec.totals:
        levels.append(([], [(ALL, ALL if two_d else None)], "grand", ()))
    figures: list[NewFigure] = []
    for by, positions, kind, _ in levels:
        table = _lookup(_summary(frame, by, spec.value, who), by)
        for r, c in positions:
            look = tuple(x for x in (r, c) if x is not ALL and x is not None) if by else (0,)
            value, top, n = table.get(look, (0.0, [], 0))
            figures.append(
                NewFigure(
                    key=(spec.name, r, c),
                    value=value,
                    integer=spec.kind != "sum",
                    floor=1.0 if spec.kind != "sum" else 0.0,
                    rules=_rules(spec, value, top, n, who, policy),
                    publishable=True,
                    weight=_WEIGHT[kind],
                )
            )
    return figures, _grid_relations(len(rows), len(cols), two_d, spec.totals), []


def _grid_relations(n_r: int, n_c: int, two_d: bool, totals: bool):
    """cells add up to their row and column totals; totals add up to the grand total."""
    if not totals:
        return []
    if not two_d:
        return [(tuple(range(n_r)), n_r)]
    cells, row0, col0 = n_r * n_c, n_r * n_c, n_r * n_c + n_r
    grand = col0 + n_c
    rel = [(tuple(i * n_c + j for j in range(n_c)), row0 + i) for i in range(n_r)]
    rel += [(tuple(i * n_c + j for i in range(n_r)), col0 + j) for j in range(n_c)]
    rel.append((tuple(range(row0, row0 + n_r)), grand))
    rel.append((tuple(range(col0, col0 + n_c)), grand))
    assert cells == row0
    return rel


def _rate_figures(spec: TableSpec, frame: pl.DataFrame, who: str | None, policy: Policy):
    """Per row: numerator, denominator (published) and their difference (never published)."""
    assert spec.row_keys is not None and spec.numerator is not None
    num, den = spec.numerator, spec.value
    frame = frame.with_columns(pl.col(num).cast(pl.Float64), pl.col(den).cast(pl.Float64))
    dens = _lookup(_summary(frame, [spec.rows], den, who), [spec.rows])
    nums = _lookup(_summary(frame, [spec.rows], num, None), [spec.rows])
    figures, relations, groups = [], [], []
    count = TableSpec(spec.name, spec.rows, None, den, "count", False)
    for r in spec.row_keys.to_list():
        d, top, n = dens.get((r,), (0.0, [], 0))
        k = nums.get((r,), (0.0, [], 0))[0]
        if k > d:
            raise DisclosureError(f"{spec.name}: {num} exceeds {den} for {spec.rows} {r!r}")
        base = len(figures)
        figures += [
            NewFigure(
                (spec.name, r, num), k, True, 0.0, _rules(count, k, [], 0, None, policy), True, 1.0
            ),
            NewFigure(
                (spec.name, r, den),
                d,
                True,
                1.0 if d else 0.0,
                _rules(count, d, top, n, who, policy),
                True,
                2.0,
            ),
            NewFigure(
                (spec.name, r, f"{den} - {num}"),
                d - k,
                True,
                0.0,
                _rules(count, d - k, [], 0, None, policy),
                False,
                1.0,
            ),
        ]
        relations.append(((base, base + 2), base + 1))
        groups.append((base, base + 1))
    return figures, relations, groups


@dataclass(frozen=True)
class ReleasedTable:
    """A table as published (same display API as `Protected`): hidden values are null."""

    rows: str
    cols: str | None
    value: str
    cells: pl.DataFrame
    row_totals: pl.DataFrame | None
    col_totals: pl.DataFrame | None
    total: float | int | None
    totals: str
    rule: str

    def to_wide(
        self, marker: str = DEFAULT_MARKER, *, total_label: str = "Total", decimals: int = 1
    ) -> pl.DataFrame:
        """Text table for display, hidden figures as `marker`, totals added."""
        return wide_table(self, marker=marker, total_label=total_label, decimals=decimals)

    def rate_frame(self, numerator: str) -> pl.DataFrame:
        """rows, numerator, denominator and rate (percent) of a rate table, null where hidden."""
        wide = self.cells.pivot(on="_figure", index=self.rows, values=self.value)
        return wide.select(
            self.rows,
            pl.col(numerator),
            pl.col(self.value + "_den").alias(self.value),
        ).with_columns(
            rate=pl.when(pl.col(self.value) > 0).then(
                100.0 * pl.col(numerator) / pl.col(self.value)
            )
        )


def release_rule_text(policy: Policy, kind: str, *, by_contributor: bool) -> str:
    """The sentence printed under a table of a release."""
    first = (
        magnitude_rule_text(policy, "sum", "none")
        if kind == "sum"
        else rule_text(policy, "none")
        + (" " + magnitude_rule_text(policy, "sum", "none") if by_contributor else "")
    )
    return (
        f"{first} Further figures are hidden so that no hidden figure can be worked out from "
        "everything this report publishes, nor narrowed to fewer than "
        f"{policy.min_cell} possible values (a sum hidden for its contributors: not to within "
        "10%, nor enough to tell the largest contributor's share)."
    )


def released_table(
    spec: TableSpec, values: np.ndarray, hidden: np.ndarray, policy: Policy
) -> ReleasedTable:
    """The published form of a registered table: values where shown, null where hidden."""
    assert spec.row_keys is not None
    part = slice(spec.first, spec.first + spec.count)
    whole = spec.kind != "sum"
    shown = [
        None if h else (round(v) if whole else float(v))
        for v, h in zip(values[part].tolist(), hidden[part], strict=True)
    ]
    flags = [bool(h) for h in hidden[part]]
    dtype = pl.Float64 if spec.kind == "sum" else pl.Int64
    rows = spec.row_keys
    rule = release_rule_text(policy, spec.kind, by_contributor=spec.contributor is not None)
    if spec.kind == "rate":
        return _released_rates(spec, shown, flags, rule)
    n_r = rows.len()
    n_c = 1 if spec.col_keys is None else spec.col_keys.len()
    n_cells = n_r * n_c

    def frame(data: dict, idx: range) -> pl.DataFrame:
        out = pl.DataFrame(data).with_columns(
            pl.Series(spec.value, [shown[i] for i in idx], dtype=dtype),
            pl.Series("suppressed", [flags[i] for i in idx], dtype=pl.Boolean),
        )
        return out

    if spec.col_keys is None:
        cells = frame({spec.rows: rows}, range(n_r))
        row_totals = col_totals = None
    else:
        assert spec.cols is not None
        cells = frame(
            {
                spec.rows: rows.gather(np.repeat(np.arange(n_r), n_c)),
                spec.cols: spec.col_keys.gather(np.tile(np.arange(n_c), n_r)),
            },
            range(n_cells),
        )
        row_totals = (
            frame({spec.rows: rows}, range(n_cells, n_cells + n_r)) if spec.totals else None
        )
        col_totals = (
            frame({spec.cols: spec.col_keys}, range(n_cells + n_r, n_cells + n_r + n_c))
            if spec.totals
            else None
        )
    total = shown[-1] if spec.totals else None
    if total is not None and spec.kind != "sum":
        total = int(total)
    return ReleasedTable(
        spec.rows,
        spec.cols,
        spec.value,
        cells,
        row_totals,
        col_totals,
        total,
        "complementary" if spec.totals else "none",
        rule,
    )


def _released_rates(spec: TableSpec, shown: list, flags: list[bool], rule: str) -> ReleasedTable:
    """A rate table as published: numerator and denominator per row (`_figure` says which);
    the difference between them is never published."""
    assert spec.row_keys is not None
    rows, n = spec.row_keys, spec.row_keys.len()
    cells = pl.DataFrame(
        {
            spec.rows: rows.to_list() * 2,
            "_figure": [spec.numerator] * n + [spec.value + "_den"] * n,
            spec.value: [shown[3 * i] for i in range(n)] + [shown[3 * i + 1] for i in range(n)],
            "suppressed": [flags[3 * i] for i in range(n)] + [flags[3 * i + 1] for i in range(n)],
        },
        schema_overrides={spec.rows: rows.dtype, spec.value: pl.Int64},
    )
    return ReleasedTable(spec.rows, "_figure", spec.value, cells, None, None, None, "none", rule)
