"""Choosing planted cases reproducibly, and changing a few rows of a large frame cheaply.

`Picker.choose` takes k random rows, the first inside the planted period, and keeps planted cases
on different engagements and clients so one case never hides another.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from trc_analytics.demo.config import DemoConfig
from trc_analytics.demo.dates import as_dates


def showcase_cases(cfg: DemoConfig) -> int:
    """Cases of each showcase check planted for C-0001 (none in a demo without findings)."""
    return 1 if cfg.finding_rate > 0 else 0


class Picker:
    """Random, reproducible choice of planted cases with the first one in the planted period."""

    def __init__(self, cfg: DemoConfig, rng: np.random.Generator) -> None:
        self.rng = rng
        self.ps, self.pe = cfg.plant_period.start, cfg.plant_period.end
        self.used_e: set[int] = set()
        self.used_c: set[int] = set()

    def choose(
        self,
        frame: pl.DataFrame,
        k: int,
        in_period: pl.Expr,
        *,
        by: str | None = None,
        fresh: bool = True,
    ) -> pl.DataFrame:
        """`k` rows: the first satisfies `in_period` (when any row does), the rest are anywhere.

        `by` keeps one row per value of that column; `fresh` skips engagements and clients that
        already carry a planted case, so cases do not hide one another.
        """
        if fresh and "_e" in frame.columns:
            frame = frame.filter(~pl.col("_e").is_in(list(self.used_e)))
        if fresh and "_c" in frame.columns:
            frame = frame.filter(~pl.col("_c").is_in(list(self.used_c)) | pl.col("_c").is_null())
        if k <= 0:
            return frame.head(0).with_columns(_first=pl.lit(True))
        frame = frame.with_row_index("_ri")
        key = by or "_ri"
        inside = frame.filter(in_period)
        first = inside[int(self.rng.integers(0, inside.height)) :][:1] if inside.height else inside
        taken = first[key].implode()
        # Sample rows (cheaper than shuffling millions); shuffle all when the sample falls short.
        rows = self.rng.integers(0, max(frame.height, 1), min(4 * k + 50, 10 * frame.height))
        rest = frame[rows].unique(key, keep="first", maintain_order=True)
        rest = rest.filter(~pl.col(key).is_in(taken))
        if rest.height < k - first.height:
            rest = frame[self.rng.permutation(frame.height)]
            rest = rest.unique(key, keep="first", maintain_order=True)
            rest = rest.filter(~pl.col(key).is_in(taken))
        out = pl.concat(
            [
                first.with_columns(_first=pl.lit(True)),
                rest.head(max(k - first.height, 0)).with_columns(_first=pl.lit(False)),
            ]
        ).drop("_ri")
        if fresh and "_e" in out.columns:
            self.used_e.update(v for v in out["_e"].to_list() if v is not None)
        if fresh and "_c" in out.columns:
            self.used_c.update(v for v in out["_c"].to_list() if v is not None)
        return out

    def between(self, col: str, lo_days: int = 0, hi_days: int = 0) -> pl.Expr:
        """`col` lies in the planted period, shrunk by the given margins."""
        return pl.col(col).is_between(
            self.ps + dt.timedelta(days=lo_days), self.pe - dt.timedelta(days=hi_days)
        )


def days_of(frame: pl.DataFrame, col: str) -> np.ndarray:
    return frame[col].cast(pl.Int64).to_numpy()


# --------------------------------------------------------------------------------------------
# Before sessions: competence gaps and the showcase coach's transfer to therapy.


def scatter(s: pl.DataFrame, rows: pl.Series, values: dict) -> pl.DataFrame:
    """Set columns of the sessions at rows `rows` (`_s` is the row number) to `values`."""
    if rows.len() == 0:
        return s
    changed = []
    for column, value in values.items():
        series = s[column].clone()
        series.scatter(rows.cast(pl.Int64), value)
        changed.append(series)
    return s.with_columns(changed)


def set_area(s: pl.DataFrame, rows: pl.Series, areas: np.ndarray) -> pl.DataFrame:
    return scatter(s, rows, {"area": pl.Series(areas, dtype=pl.String)})


def set_client_date(
    frame: pl.DataFrame, keys: pl.Series, column: str, days: np.ndarray
) -> pl.DataFrame:
    change = pl.DataFrame(
        {"_c": keys, "_new": as_dates(days), "_hit": np.ones(keys.len(), dtype=bool)}
    )
    return (
        frame.join(change, on="_c", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_hit")).then(pl.col("_new")).otherwise(pl.col(column)).alias(column)
        )
        .drop("_new", "_hit")
    )
