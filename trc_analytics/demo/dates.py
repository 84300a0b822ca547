"""Day arithmetic on numpy arrays: the generator works in whole days since 1970-01-01.

Vectorized month arithmetic (renewal cycles, windows) and conversion to polars dates live here so
the generators never loop over rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

EPOCH = dt.date(1970, 1, 1)


def day(d: dt.date) -> int:
    """Days since 1970-01-01 of one date."""
    return (d - EPOCH).days


def to_date(n: int) -> dt.date:
    """The date `n` days after 1970-01-01."""
    return EPOCH + dt.timedelta(days=int(n))


def add_months(days: np.ndarray | int, months: np.ndarray | int) -> np.ndarray:
    """Shift dates by whole months, clamping the day to the month's length (Jan 31 + 1 = Feb 28)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    length = ((m2 + 1).astype("datetime64[D]") - m2.astype("datetime64[D]")).astype(np.int64)
    return m2.astype("datetime64[D]").astype(np.int64) + np.minimum(dom, length - 1)


def add_months_date(d: dt.date, months: int) -> dt.date:
    """`add_months` for one `datetime.date`."""
    return to_date(int(add_months(day(d), months)))


def month_of_year(days: np.ndarray) -> np.ndarray:
    """Calendar month 0 (January) .. 11 of each date."""
    return (
        np.asarray(days, dtype=np.int64)
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
        % 12
    )


def day_of_month(days: np.ndarray) -> np.ndarray:
    """Day of the month (1..31) of each date."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    return (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1


def early_in_month(days: np.ndarray, last: int = 28) -> np.ndarray:
    """Move dates after day `last` back to day `last`, so month shifts keep the day exactly."""
    days = np.asarray(days, dtype=np.int64)
    return days - np.maximum(day_of_month(days) - last, 0)


def as_dates(days: np.ndarray, name: str = "") -> pl.Series:
    """A polars Date series from day numbers (negative sentinel values become null)."""
    frame = pl.DataFrame({"d": np.asarray(days, dtype=np.int64)})
    out = frame.select(pl.when(pl.col("d") > NO_DAY).then(pl.col("d")).cast(pl.Int32).cast(pl.Date))
    return out.to_series().alias(name)


#: Sentinel for "no date" in day arrays (converted to null by `as_dates`).
NO_DAY = -(2**40)
