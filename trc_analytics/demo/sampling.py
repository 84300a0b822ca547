"""Vectorized random draws shared by the generators (one numpy Generator per demo)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl


def between(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int) -> np.ndarray:
    """Whole numbers uniformly in [lo, hi] (inclusive; hi < lo gives lo)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.maximum(np.asarray(hi, dtype=np.int64), lo)
    shape = np.broadcast(lo, hi).shape
    return lo + np.floor(rng.random(shape) * (hi - lo + 1)).astype(np.int64)


def pick(
    rng: np.random.Generator, values: Sequence, p: Sequence[float] | None, size: int
) -> np.ndarray:
    """`size` draws from `values` with probabilities `p` (normalised)."""
    arr = np.asarray(values, dtype=object if isinstance(values[0], str) else None)
    if p is None:
        return arr[rng.integers(0, len(arr), size)]
    w = np.asarray(p, dtype=float)
    return arr[
        np.searchsorted(np.cumsum(w / w.sum()), rng.random(size), side="right").clip(
            0, len(arr) - 1
        )
    ]


def row_choice(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """For each row of a non-negative weight matrix, the column index drawn by weight."""
    cw = np.cumsum(weights, axis=1)
    total = cw[:, -1:]
    u = rng.random((weights.shape[0], 1)) * total
    return np.minimum((cw <= u).sum(axis=1), weights.shape[1] - 1)


def top_k_rows(rng: np.random.Generator, weights: np.ndarray, n_rows: int) -> np.ndarray:
    """Per row a weighted random order of the columns (Gumbel top-k), most likely first."""
    keys = np.log(np.asarray(weights, dtype=float))[None, :] + rng.gumbel(
        size=(n_rows, len(weights))
    )
    return np.argsort(-keys, axis=1, kind="stable")


def recurring(
    rng: np.random.Generator,
    lo: np.ndarray,
    hi: np.ndarray,
    gap_lo: int,
    gap_hi: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Dates recurring every `gap_lo`..`gap_hi` days from shortly after `lo` up to `hi`, per owner.

    Returns (owner index, day) arrays; the first date falls within `gap_lo` days of `lo`, so no
    gap anywhere in [lo, hi] exceeds `gap_hi` days.
    """
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    if lo.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    kmax = int(max(1, (hi - lo).max()) // gap_lo) + 2
    gaps = between(rng, np.full((lo.size, kmax), gap_lo), gap_hi)
    gaps[:, 0] = between(rng, np.zeros(lo.size), gap_lo - 1)
    days = lo[:, None] + np.cumsum(gaps, axis=1)
    owner = np.broadcast_to(np.arange(lo.size)[:, None], days.shape)
    keep = days <= hi[:, None]
    return owner[keep], days[keep]


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For non-negative counts per owner: (owner index, position 0..count-1) of every item."""
    counts = np.asarray(counts, dtype=np.int64)
    owner = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size) - np.repeat(starts, counts)


def optional(values: np.ndarray, dtype: pl.DataType) -> pl.Series:
    """A polars series from an array that may hold None (object arrays need this route)."""
    arr = np.asarray(values, dtype=object)
    return pl.Series(arr.tolist(), dtype=dtype)
